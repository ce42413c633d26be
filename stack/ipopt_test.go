package stack_test

import (
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"

	"sockstack/stack"
	"sockstack/wire"
)

// rrOption is an empty Record Route option with nine slots, as ping -R
// sends (RFC 791 §3.1).
func rrOption() []byte {
	b := make([]byte, 39)
	b[0], b[1], b[2] = byte(wire.IPv4OptRecordRoute), 39, 4
	return b
}

// RFC 791 §3.1 Record Route and RFC 1122 §3.2.2.6: with IP_OPTIONS set on
// the socket (ip(7)), the echo request records R's outgoing interface and
// B; B's reply carries the option back, adding B again as its sender
// (Linux's ip_options_echo), then R's interface toward A, then A on
// receipt — what Linux's ping -R prints.
func TestRecordRouteAcrossRouter(t *testing.T) {
	_, a, _, _ := routed(t, true, 1500)
	fd := socket(t, a, unix.SOCK_RAW, unix.IPPROTO_ICMP)
	must(t, a.SetsockoptBytes(fd, unix.IPPROTO_IP, unix.IP_OPTIONS, rrOption()))
	must(t, a.Sendto(fd, echoRequest(3, 1, []byte("rr")), 0, sa4(addrB, 0)))
	ip := recvICMP(t, a, fd, 0)
	it := ip.Options().Iter()
	var route []netip.Addr
	for {
		o, ok := it.Next()
		if !ok {
			break
		}
		if o.Type == wire.IPv4OptRecordRoute {
			for i := 0; i < int(o.Pointer()-4)/4; i++ {
				route = append(route, o.Addr(i))
			}
		}
	}
	want := []netip.Addr{addrR2, addrB, addrB, addrR1, addrA}
	if len(route) != len(want) {
		t.Fatalf("recorded route %v, want %v", route, want)
	}
	for i := range want {
		if route[i] != want[i] {
			t.Fatalf("recorded route %v, want %v", route, want)
		}
	}
}

// A source-routed datagram is dropped and counted, as Linux does with its
// default accept_source_route = 0; the sender's option puts the first-hop
// gateway first (seed 001).
func TestSourceRouteRefused(t *testing.T) {
	_, a, r, _ := routed(t, true, 1500)
	fd := socket(t, a, unix.SOCK_DGRAM, 0)
	lsrr := []byte{byte(wire.IPv4OptLSRR), 7, 4, 10, 1, 0, 1, 0}
	must(t, a.SetsockoptBytes(fd, unix.IPPROTO_IP, unix.IP_OPTIONS, lsrr))
	must(t, a.Sendto(fd, []byte("x"), 0, sa4(addrB, 9)))
	waitFor(t, func() bool { return r.Drop(stack.DropSourceRoute) == 1 })
}
