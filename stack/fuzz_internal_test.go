package stack

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"

	"sockstack/link"
	"sockstack/wire"
)

// fuzzHost is a host with one Ethernet NIC (10.0.0.1/24) whose frames the
// test delivers synchronously, a bound UDP socket and a raw ICMP socket, so
// that every input path has somewhere to go.
func fuzzHost(t testing.TB) (*Host, *nic) {
	a, b := link.Pipe(link.PipeOptions{Kind: link.KindEthernet, MTU: 1500,
		HardwareAddrs: [2][6]byte{{2, 0, 0, 0, 0, 1}, {2, 0, 0, 0, 0, 2}}})
	t.Cleanup(func() { b.Close() })
	h := New(Options{Name: "fuzz", RawAllowed: true, Forwarding: true})
	t.Cleanup(func() { h.Stop() })
	if _, err := h.AddNIC(a, NICConfig{Name: "eth0", Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24"), netip.MustParsePrefix("fd00::1/64")}}); err != nil {
		t.Fatal(err)
	}
	udp, _ := h.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
	h.Bind(udp, &unix.SockaddrInet4{Port: 7})
	h.Socket(unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_ICMP)
	return h, h.net.nicByName("eth0")
}

// seedFrames are valid frames of every kind the host handles, for the
// fuzzer and the mutation storm to start from.
func seedFrames() [][]byte {
	peer := netip.MustParseAddr("10.0.0.2")
	us := netip.MustParseAddr("10.0.0.1")
	eth := func(typ wire.EtherType, payload []byte) []byte {
		f := wire.EthernetFields{Dst: wire.MAC{2, 0, 0, 0, 0, 1}, Src: wire.MAC{2, 0, 0, 0, 0, 2}, EtherType: typ}
		b := make([]byte, f.Len()+len(payload))
		f.Encode(b)
		copy(b[f.Len():], payload)
		return b
	}
	ip := func(proto uint8, id uint16, off int, more bool, payload []byte) []byte {
		f := wire.IPv4Fields{ID: id, TTL: 64, Protocol: proto, Src: peer, Dst: us, PayloadLen: len(payload), FragOffset: uint16(off / 8)}
		if more {
			f.Flags = wire.IPv4FlagMF
		}
		b := make([]byte, f.Len()+len(payload))
		f.Encode(b)
		copy(b[f.Len():], payload)
		return eth(wire.EtherTypeIPv4, b)
	}
	arp := wire.NewARPRequest(wire.MAC{2, 0, 0, 0, 0, 2}, peer, us)
	ab := make([]byte, wire.ARPLen)
	arp.Encode(ab)
	echo := make([]byte, 16)
	echo[0] = 8
	binary.BigEndian.PutUint16(echo[2:], wire.Checksum(echo, 0))
	udp := make([]byte, 12)
	binary.BigEndian.PutUint16(udp[0:], 1234)
	binary.BigEndian.PutUint16(udp[2:], 7)
	binary.BigEndian.PutUint16(udp[4:], 12)
	ip6 := func(nh uint8, payload []byte) []byte {
		f := wire.IPv6Fields{PayloadLen: uint16(len(payload)), NextHeader: nh, HopLimit: 255,
			Src: netip.MustParseAddr("fd00::2"), Dst: netip.MustParseAddr("fd00::1")}
		b := make([]byte, wire.IPv6HeaderLen+len(payload))
		f.Encode(b)
		copy(b[wire.IPv6HeaderLen:], payload)
		return eth(wire.EtherTypeIPv6, b)
	}
	ns := make([]byte, 32)
	ns[0] = 135
	copy(ns[8:], netip.MustParseAddr("fd00::1").AsSlice())
	frag := make([]byte, 8+64)
	frag[0], frag[3] = 17, 1 // next header UDP, offset 0, M=1
	return [][]byte{
		ip6(58, ns),
		ip6(44, frag),
		ip6(17, udp),
		eth(wire.EtherTypeARP, ab),
		ip(1, 1, 0, false, echo),
		ip(17, 2, 0, false, udp),
		ip(17, 3, 0, true, make([]byte, 64)),
		ip(17, 3, 64, false, make([]byte, 8)),
		ip(99, 4, 0, false, []byte("unknown protocol")),
	}
}

// FuzzDeliverFrame: no frame, however malformed, panics the host.
func FuzzDeliverFrame(f *testing.F) {
	for _, s := range seedFrames() {
		f.Add(s)
	}
	h, c := fuzzHost(f)
	f.Fuzz(func(t *testing.T, frame []byte) {
		c.DeliverFrame(frame)
		checkBounded(t, h)
	})
}

// checkBounded asserts the host's memory bounds: reassembly within its
// limit and every socket's queue within its receive buffer.
func checkBounded(t testing.TB, h *Host) {
	h.net.reasm.mu.Lock()
	mem := h.net.reasm.mem
	h.net.reasm.mu.Unlock()
	if mem > reasmMemMax || mem < 0 {
		t.Fatalf("reassembly holds %d bytes, limit %d", mem, reasmMemMax)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for fd, f := range h.files {
		b := f.s.base()
		var q *dgramQueue
		switch s := f.s.(type) {
		case *udpSocket:
			q = &s.rq
		case *rawSocket:
			q = &s.rq
		}
		if q == nil {
			continue
		}
		b.mu.Lock()
		over := q.bytes > b.opts.rcvbuf+65536+truesizeOverhead
		b.mu.Unlock()
		if over {
			t.Fatalf("fd %d queues %d bytes over SO_RCVBUF %d", fd, q.bytes, b.opts.rcvbuf)
		}
	}
}

// TestFrameStorm delivers 200,000 random and mutated frames: no panic,
// memory stays bounded, and every drop is counted under a named reason.
func TestFrameStorm(t *testing.T) {
	h, c := fuzzHost(t)
	seeds := seedFrames()
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 2048)
	n := 200000
	if testing.Short() {
		n = 20000
	}
	for i := 0; i < n; i++ {
		var frame []byte
		switch rng.IntN(3) {
		case 0: // random bytes
			frame = buf[:rng.IntN(len(buf))]
			for j := range frame {
				frame[j] = byte(rng.Uint32())
			}
		default: // a valid frame with a few bytes flipped, maybe truncated
			s := seeds[rng.IntN(len(seeds))]
			frame = buf[:copy(buf, s)]
			for k := rng.IntN(4); k >= 0; k-- {
				frame[rng.IntN(len(frame))] ^= byte(1 + rng.IntN(255))
			}
			if rng.IntN(4) == 0 {
				frame = frame[:rng.IntN(len(frame)+1)]
			}
		}
		c.DeliverFrame(frame)
		if i%1000 == 0 {
			checkBounded(t, h)
		}
	}
	checkBounded(t, h)
	drops := h.Drops()
	var total uint64
	for r, v := range drops {
		if r.String() == "unknown" || r.String() == "" {
			t.Errorf("drop reason %d has no name", r)
		}
		total += v
	}
	for _, want := range []DropReason{DropIPHeaderError, DropIPChecksum, DropEtherTypeUnknown} {
		if drops[want] == 0 {
			t.Errorf("no %v drops after %d mutated frames: %v", want, n, drops)
		}
	}
	t.Logf("%d frames, %d drops: %v", n, total, drops)
}
