package stack_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/link"
	"sockstack/stack"
	"sockstack/vnet"
	"sockstack/wire"
)

// tcpListen opens a listener on h at addr:port.
func tcpListen(t testing.TB, h *stack.Host, addr netip.Addr, port int) int {
	t.Helper()
	l := socket(t, h, unix.SOCK_STREAM, 0)
	must(t, h.Bind(l, sa4(addr, port)))
	must(t, h.Listen(l, 128))
	return l
}

// transfer sends data from a (client) to b (server at addr:port) and
// returns what the server read.
func transfer(t testing.TB, a, b *stack.Host, addr netip.Addr, port int, data []byte) []byte {
	t.Helper()
	l := tcpListen(t, b, addr, port)
	got := make(chan []byte, 1)
	go func() {
		fd, _, err := b.Accept4(l, 0)
		if err != nil {
			got <- nil
			return
		}
		defer b.Close(fd)
		b.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 60})
		var out bytes.Buffer
		buf := make([]byte, 64<<10)
		for {
			n, err := b.Read(fd, buf)
			if n <= 0 || err != nil {
				break
			}
			out.Write(buf[:n])
		}
		got <- out.Bytes()
	}()
	c := socket(t, a, unix.SOCK_STREAM, 0)
	must(t, a.Connect(c, sa4(addr, port)))
	for off := 0; off < len(data); {
		n, err := a.Write(c, data[off:min(off+32<<10, len(data))])
		if err != nil {
			t.Fatalf("write at %d: %v", off, err)
		}
		off += n
	}
	must(t, a.Shutdown(c, unix.SHUT_WR))
	return <-got
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// RFC 1191: with DF set on every segment, a router whose next hop has a
// smaller MTU than either end answers Fragmentation Needed; the sender
// lowers its MSS and the transfer completes intact.
// Topology: A 10.1.0.2 — R 10.1.0.1 | 10.3.0.1 —(MTU 1000)— R2 10.3.0.2 | 10.2.0.1 — B 10.2.0.2.
func TestTCPPathMTUDiscovery(t *testing.T) {
	n := vnet.New()
	a, r, r2, b := n.AddHost("a", false), n.AddHost("r", true), n.AddHost("r2", true), n.AddHost("b", false)
	t.Cleanup(func() { n.Close() })
	p := netip.MustParsePrefix
	must(t, second(n.Connect("a", p("10.1.0.2/24"), "r", p("10.1.0.1/24"), vnet.LinkConfig{})))
	must(t, second(n.Connect("r", p("10.3.0.1/24"), "r2", p("10.3.0.2/24"), vnet.LinkConfig{MTU: 1000})))
	must(t, second(n.Connect("r2", p("10.2.0.1/24"), "b", p("10.2.0.2/24"), vnet.LinkConfig{})))
	must(t, a.AddRoute(p("0.0.0.0/0"), netip.MustParseAddr("10.1.0.1"), "eth0"))
	must(t, r.AddRoute(p("10.2.0.0/24"), netip.MustParseAddr("10.3.0.2"), "eth1"))
	must(t, r2.AddRoute(p("10.1.0.0/24"), netip.MustParseAddr("10.3.0.1"), "eth0"))
	must(t, b.AddRoute(p("0.0.0.0/0"), netip.MustParseAddr("10.2.0.1"), "eth0"))
	data := randomBytes(1<<20, 1)
	got := transfer(t, a, b, addrB, 8080, data)
	if sha256.Sum256(got) != sha256.Sum256(data) {
		t.Fatalf("received %d bytes, not the %d sent", len(got), len(data))
	}
	if r.Drop(stack.DropFragTooBig) == 0 {
		t.Error("the router never needed to send Fragmentation Needed")
	}
}

// RFC 9293, RFC 6298, RFC 5681/6582/6675: a transfer over a link with 2%
// loss, 2% reordering, duplication and 20 ms latency each way completes
// byte-exact. The link's impairments are seeded and time is virtual.
func TestTCPLossyLink(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := vnet.New()
		a, b := n.AddHost("a", false), n.AddHost("b", false)
		defer n.Close()
		imp := link.Impairment{Latency: 20 * time.Millisecond, Loss: 0.02, Reorder: 0.02, Duplicate: 0.01}
		must(t, second(n.Connect("a", netip.MustParsePrefix("10.0.0.1/24"), "b", netip.MustParsePrefix("10.0.0.2/24"),
			vnet.LinkConfig{Fault: &link.FaultConfig{Seed: 42, Tx: imp, Rx: imp}})))
		data := randomBytes(2<<20, 2)
		got := transfer(t, a, b, netip.MustParseAddr("10.0.0.2"), 9000, data)
		if sha256.Sum256(got) != sha256.Sum256(data) {
			t.Fatalf("received %d bytes, not the %d sent", len(got), len(data))
		}
	})
}

// synPacket builds a SYN from src:sport to dst:dport with IP_HDRINCL.
func synPacket(src, dst netip.Addr, sport, dport uint16, seq uint32) []byte {
	tf := wire.TCPFields{SrcPort: sport, DstPort: dport, Seq: seq, Flags: wire.TCPFlagSYN, Window: 65535}
	ipf := wire.IPv4Fields{TTL: 64, Protocol: wire.TCPProtocolNumber, Src: src, Dst: dst, PayloadLen: tf.Len()}
	b := make([]byte, ipf.Len()+tf.Len())
	ipf.Encode(b)
	tf.Encode(b[ipf.Len():])
	seg, _ := wire.ParseTCP(b[ipf.Len():])
	seg.SetChecksum(src, dst)
	return b
}

// RFC 4987 §3.6: a flood of 100,000 SYNs from spoofed sources leaves the
// listener answering a legitimate client, with memory bounded (the SYN
// queue is capped; SYN cookies answer the rest).
func TestSYNFlood(t *testing.T) {
	a, b := lan(t)
	dst := netip.MustParseAddr("10.0.0.2")
	l := tcpListen(t, b, dst, 80)
	raw := socket(t, a, unix.SOCK_RAW, unix.IPPROTO_RAW)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	rng := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < 100000; i++ {
		src := netip.AddrFrom4([4]byte{10, 0, 0, byte(3 + rng.IntN(250))})
		p := synPacket(src, dst, uint16(1024+rng.IntN(60000)), 80, rng.Uint32())
		if err := a.Sendto(raw, p, 0, sa4(dst, 0)); err != nil && !errors.Is(err, unix.ENOBUFS) {
			t.Fatalf("flood send %d: %v", i, err)
		}
	}
	// A legitimate client still gets through and is echoed.
	c := socket(t, a, unix.SOCK_STREAM, 0)
	must(t, a.Connect(c, sa4(dst, 80)))
	fd, _, err := b.Accept4(l, 0)
	must(t, err)
	defer b.Close(fd)
	if _, err := a.Write(c, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	n, err := b.Read(fd, buf)
	if err != nil || string(buf[:n]) != "hello" {
		t.Fatalf("server read %q, %v", buf[:n], err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > 32<<20 {
		t.Fatalf("heap grew %d MiB under the flood", grew>>20)
	}
}

// tcp(7) SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT: an idle
// connection whose peer vanishes is timed out after idle + count*interval,
// and the next read reports ETIMEDOUT. Virtual time.
func TestTCPKeepaliveTimesOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, a, r, b := routed(t, true, 1500)
		l := tcpListen(t, b, addrB, 7)
		c := socket(t, a, unix.SOCK_STREAM, 0)
		must(t, a.SetsockoptInt(c, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1))
		must(t, a.SetsockoptInt(c, unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, 10))
		must(t, a.SetsockoptInt(c, unix.IPPROTO_TCP, unix.TCP_KEEPINTVL, 2))
		must(t, a.SetsockoptInt(c, unix.IPPROTO_TCP, unix.TCP_KEEPCNT, 3))
		must(t, a.Connect(c, sa4(addrB, 7)))
		fd, _, err := b.Accept4(l, 0)
		must(t, err)
		defer b.Close(fd)
		must(t, r.SetForwarding("eth0", false)) // the path goes black
		must(t, r.SetForwarding("eth1", false))
		must(t, a.SetsockoptTimeval(c, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 100}))
		start := time.Now()
		_, err = a.Read(c, make([]byte, 1))
		if !errors.Is(err, unix.ETIMEDOUT) {
			t.Fatalf("read on a dead keepalive connection: %v, want ETIMEDOUT", err)
		}
		if d := time.Since(start); d < 15*time.Second || d > 20*time.Second {
			t.Fatalf("timed out after %v, want about 10s + 3x2s", d)
		}
	})
}
