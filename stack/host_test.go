package stack_test

import (
	"bytes"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/stack"
	"sockstack/wire"
)

// RFC 1812 §5.3.1: a router decrements the TTL; the echo reply crossing R
// arrives with 63.
func TestRoutedPing(t *testing.T) {
	_, a, _, _ := routed(t, true, 1500)
	fd := socket(t, a, unix.SOCK_RAW, unix.IPPROTO_ICMP)
	must(t, a.Sendto(fd, echoRequest(7, 1, []byte("ping")), 0, sa4(addrB, 0)))
	ip := recvICMP(t, a, fd, 0)
	if ip.Src() != addrB || ip.TTL() != 63 {
		t.Fatalf("reply %v: want from %v with TTL 63", ip, addrB)
	}
	m, err := wire.ParseICMPv4(ip.Payload())
	if err != nil || m.ID() != 7 || m.Seq() != 1 || !bytes.Equal(m.Data(), []byte("ping")) {
		t.Fatalf("reply %v (%v): want id 7 seq 1 data ping", m, err)
	}
}

// RFC 792 / ip(7P): a datagram whose TTL runs out at a router draws Time
// Exceeded from that router, quoting the datagram.
func TestTTLExceeded(t *testing.T) {
	_, a, r, _ := routed(t, true, 1500)
	icmp := socket(t, a, unix.SOCK_RAW, unix.IPPROTO_ICMP)
	udp := socket(t, a, unix.SOCK_DGRAM, 0)
	must(t, a.SetsockoptInt(udp, unix.IPPROTO_IP, unix.IP_TTL, 1))
	must(t, a.Sendto(udp, []byte("probe"), 0, sa4(addrB, 33434)))
	ip := recvICMP(t, a, icmp, 11)
	if ip.Src() != addrR1 {
		t.Fatalf("time exceeded from %v, want %v", ip.Src(), addrR1)
	}
	m, _ := wire.ParseICMPv4(ip.Payload())
	q, err := wire.ParseIPv4(m.OriginalDatagram())
	if err != nil || q.Dst() != addrB || q.Protocol() != wire.UDPProtocolNumber {
		t.Fatalf("quoted datagram %v (%v)", q, err)
	}
	if got := r.Drop(stack.DropTTLExpired); got != 1 {
		t.Errorf("router ttl-expired drops = %d, want 1", got)
	}
}

// ip(7P): with forwarding off, a router drops what is not for it.
func TestForwardingDisabled(t *testing.T) {
	_, a, r, _ := routed(t, false, 1500)
	udp := socket(t, a, unix.SOCK_DGRAM, 0)
	must(t, a.Sendto(udp, []byte("x"), 0, sa4(addrB, 9)))
	waitFor(t, func() bool { return r.Drop(stack.DropForwardDisabled) == 1 })
}

// RFC 791 §3.2: a datagram larger than the path's MTU is fragmented by
// the sender and by the router, and reassembled at the destination.
func TestFragmentedUDPAcrossRouter(t *testing.T) {
	_, a, _, b := routed(t, true, 1000)
	rx := socket(t, b, unix.SOCK_DGRAM, 0)
	must(t, b.Bind(rx, sa4(addrB, 5000)))
	tx := socket(t, a, unix.SOCK_DGRAM, 0)
	msg := bytes.Repeat([]byte("0123456789abcdef"), 250) // 4000 bytes
	must(t, a.Sendto(tx, msg, 0, sa4(addrB, 5000)))
	buf := make([]byte, 8000)
	n, from, err := b.Recvfrom(rx, buf, 0)
	must(t, err)
	if !bytes.Equal(buf[:n], msg) {
		t.Fatalf("got %d bytes, want the 4000 sent", n)
	}
	if f := from.(*unix.SockaddrInet4); f.Addr != addrA.As4() {
		t.Fatalf("from %v", f.Addr)
	}
}

// ip(7) IP_PMTUDISC_DO: a datagram above the local MTU fails with
// EMSGSIZE; above a later hop's MTU it draws Fragmentation Needed with the
// next-hop MTU (RFC 1191 §4).
func TestDontFragment(t *testing.T) {
	_, a, r, _ := routed(t, true, 1000)
	icmp := socket(t, a, unix.SOCK_RAW, unix.IPPROTO_ICMP)
	udp := socket(t, a, unix.SOCK_DGRAM, 0)
	must(t, a.SetsockoptInt(udp, unix.IPPROTO_IP, unix.IP_MTU_DISCOVER, unix.IP_PMTUDISC_DO))
	if err := a.Sendto(udp, make([]byte, 2000), 0, sa4(addrB, 9)); !errors.Is(err, unix.EMSGSIZE) {
		t.Fatalf("2000 bytes with DF over MTU 1500: %v, want EMSGSIZE", err)
	}
	must(t, a.Sendto(udp, make([]byte, 1200), 0, sa4(addrB, 9)))
	ip := recvICMP(t, a, icmp, 3)
	m, _ := wire.ParseICMPv4(ip.Payload())
	if m.Code() != 4 || m.NextHopMTU() != 1000 {
		t.Fatalf("got %v, want fragmentation needed with MTU 1000", m)
	}
	if r.Drop(stack.DropFragTooBig) != 1 {
		t.Errorf("router frag-needed drops = %d", r.Drop(stack.DropFragTooBig))
	}
}

// fragmentDatagram builds one IPv4 fragment with IP_HDRINCL.
func fragmentDatagram(id uint16, off int, more bool, data []byte) []byte {
	f := wire.IPv4Fields{ID: id, TTL: 64, Protocol: 253, Src: addrA, Dst: addrB, PayloadLen: len(data), FragOffset: uint16(off / 8)}
	if more {
		f.Flags = wire.IPv4FlagMF
	}
	b := make([]byte, f.Len()+len(data))
	f.Encode(b)
	copy(b[f.Len():], data)
	return b
}

// RFC 5722's rule, which Linux applies to IPv4: overlapping fragments drop
// the whole datagram.
func TestReassemblyOverlapDropped(t *testing.T) {
	_, a, _, b := routed(t, true, 1500)
	listen := socket(t, b, unix.SOCK_RAW, 253)
	raw := socket(t, a, unix.SOCK_RAW, unix.IPPROTO_RAW)
	send := func(p []byte) { must(t, a.Sendto(raw, p, 0, sa4(addrB, 0))) }
	send(fragmentDatagram(99, 0, true, make([]byte, 16)))
	send(fragmentDatagram(99, 8, false, make([]byte, 16))) // overlaps 8..16
	waitFor(t, func() bool { return b.Drop(stack.DropReasmOverlap) == 1 })
	if _, _, err := b.Recvfrom(listen, make([]byte, 100), unix.MSG_DONTWAIT); !errors.Is(err, unix.EAGAIN) {
		t.Fatalf("overlapping fragments delivered: %v", err)
	}
	// A clean pair still reassembles.
	send(fragmentDatagram(100, 0, true, bytes.Repeat([]byte{1}, 16)))
	send(fragmentDatagram(100, 16, false, bytes.Repeat([]byte{2}, 5)))
	buf := make([]byte, 100)
	n, _, err := b.Recvfrom(listen, buf, 0)
	must(t, err)
	ip, _ := wire.ParseIPv4(buf[:n])
	if len(ip.Payload()) != 21 || ip.IsFragment() {
		t.Fatalf("reassembled %v with %d payload bytes, want 21", ip, len(ip.Payload()))
	}
}

// RFC 1122 §3.3.2: reassembly gives up after its timeout and, holding the
// first fragment, sends Time Exceeded code 1. Runs in a synctest bubble, so
// the 30 s pass instantly.
func TestReassemblyTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, a, _, b := routed(t, true, 1500)
		icmp := socket(t, a, unix.SOCK_RAW, unix.IPPROTO_ICMP)
		raw := socket(t, a, unix.SOCK_RAW, unix.IPPROTO_RAW)
		must(t, a.Sendto(raw, fragmentDatagram(5, 0, true, make([]byte, 64)), 0, sa4(addrB, 0)))
		time.Sleep(29 * time.Second)
		synctest.Wait()
		if b.Drop(stack.DropReasmTimeout) != 0 {
			t.Fatal("reassembly timed out before 30 s")
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if b.Drop(stack.DropReasmTimeout) != 1 {
			t.Fatalf("reasm-timeout drops = %d, want 1", b.Drop(stack.DropReasmTimeout))
		}
		ip := recvICMP(t, a, icmp, 11)
		if m, _ := wire.ParseICMPv4(ip.Payload()); m.Code() != 1 {
			t.Fatalf("got %v, want time exceeded code 1", m)
		}
	})
}

// RFC 1122 §4.1.3.1: a datagram to a closed port draws Port Unreachable,
// counted as udp-no-socket.
func TestUDPNoSocketCounted(t *testing.T) {
	_, a, _, b := routed(t, true, 1500)
	udp := socket(t, a, unix.SOCK_DGRAM, 0)
	must(t, a.Connect(udp, sa4(addrB, 9)))
	must(t, a.Sendto(udp, []byte("x"), 0, nil))
	if _, _, err := a.Recvfrom(udp, make([]byte, 10), 0); !errors.Is(err, unix.ECONNREFUSED) {
		t.Fatalf("recv after port unreachable: %v, want ECONNREFUSED", err)
	}
	if b.Drop(stack.DropUDPNoSocket) != 1 {
		t.Fatalf("udp-no-socket drops = %d", b.Drop(stack.DropUDPNoSocket))
	}
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition not met in 5 s")
}
