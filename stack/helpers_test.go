package stack_test

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"

	"sockstack/stack"
	"sockstack/vnet"
	"sockstack/wire"
)

var (
	addrA  = netip.MustParseAddr("10.1.0.2")
	addrR1 = netip.MustParseAddr("10.1.0.1")
	addrR2 = netip.MustParseAddr("10.2.0.1")
	addrB  = netip.MustParseAddr("10.2.0.2")
)

// routed builds A — R — B: A on 10.1.0.0/24, B on 10.2.0.0/24, R forwarding
// between them when forward is true. mtuRB is the MTU of the R—B link.
func routed(t testing.TB, forward bool, mtuRB int) (*vnet.Network, *stack.Host, *stack.Host, *stack.Host) {
	t.Helper()
	n := vnet.New()
	a, r, b := n.AddHost("a", false), n.AddHost("r", forward), n.AddHost("b", false)
	t.Cleanup(func() { n.Close() })
	must(t, second(n.Connect("a", netip.PrefixFrom(addrA, 24), "r", netip.PrefixFrom(addrR1, 24), vnet.LinkConfig{})))
	must(t, second(n.Connect("r", netip.PrefixFrom(addrR2, 24), "b", netip.PrefixFrom(addrB, 24), vnet.LinkConfig{MTU: mtuRB})))
	must(t, a.AddRoute(netip.MustParsePrefix("0.0.0.0/0"), addrR1, "eth0"))
	must(t, b.AddRoute(netip.MustParsePrefix("0.0.0.0/0"), addrR2, "eth0"))
	return n, a, r, b
}

func second(_, _ string, err error) error { return err }

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func sa4(a netip.Addr, port int) *unix.SockaddrInet4 {
	return &unix.SockaddrInet4{Addr: a.As4(), Port: port}
}

// socket opens a socket with a receive timeout, closed at cleanup.
func socket(t testing.TB, h *stack.Host, typ, proto int) int {
	t.Helper()
	fd, err := h.Socket(unix.AF_INET, typ, proto)
	must(t, err)
	must(t, h.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 5}))
	t.Cleanup(func() { h.Close(fd) })
	return fd
}

// echoRequest builds an ICMP echo request.
func echoRequest(id, seq uint16, data []byte) []byte {
	b := make([]byte, 8+len(data))
	b[0] = 8
	binary.BigEndian.PutUint16(b[4:], id)
	binary.BigEndian.PutUint16(b[6:], seq)
	copy(b[8:], data)
	binary.BigEndian.PutUint16(b[2:], wire.Checksum(b, 0))
	return b
}

// recvICMP reads from a raw ICMP socket until a message of type typ
// arrives, returning its IP datagram.
func recvICMP(t testing.TB, h *stack.Host, fd int, typ uint8) wire.IPv4 {
	t.Helper()
	buf := make([]byte, 65536)
	for {
		n, _, err := h.Recvfrom(fd, buf, 0)
		if err != nil {
			t.Fatalf("waiting for ICMP type %d: %v", typ, err)
		}
		ip, err := wire.ParseIPv4(buf[:n])
		if err != nil {
			t.Fatalf("raw socket delivered a bad datagram: %v", err)
		}
		if m := ip.Payload(); len(m) > 0 && m[0] == typ {
			return ip
		}
	}
}
