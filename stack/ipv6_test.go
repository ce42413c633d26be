package stack_test

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"

	"sockstack/stack"
	"sockstack/vnet"
)

func sa6(a netip.Addr, port int) *unix.SockaddrInet6 {
	return &unix.SockaddrInet6{Addr: a.As16(), Port: port}
}

// routed6 builds A fd00:1::2 — R (fd00:1::1, fd00:2::1) — B fd00:2::2.
func routed6(t testing.TB) (a, r, b *stack.Host) {
	n := vnet.New()
	a, r, b = n.AddHost("a", false), n.AddHost("r", true), n.AddHost("b", false)
	t.Cleanup(func() { n.Close() })
	p := netip.MustParsePrefix
	must(t, second(n.Connect("a", p("fd00:1::2/64"), "r", p("fd00:1::1/64"), vnet.LinkConfig{})))
	must(t, second(n.Connect("r", p("fd00:2::1/64"), "b", p("fd00:2::2/64"), vnet.LinkConfig{})))
	must(t, a.AddRoute(p("::/0"), netip.MustParseAddr("fd00:1::1"), "eth0"))
	must(t, b.AddRoute(p("::/0"), netip.MustParseAddr("fd00:2::1"), "eth0"))
	return a, r, b
}

// RFC 4443 §4 echo through a router, with addresses resolved by NDP
// (RFC 4861 §7.2) on both links, and the hop limit decremented once
// (RFC 8200 §3). The raw ICMPv6 socket gets the message without the IPv6
// header, and the host computes the checksum (ipv6(7)).
func TestIPv6RoutedPing(t *testing.T) {
	a, _, _ := routed6(t)
	fd, err := a.Socket(unix.AF_INET6, unix.SOCK_RAW, unix.IPPROTO_ICMPV6)
	must(t, err)
	defer a.Close(fd)
	must(t, a.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 5}))
	req := []byte{128, 0, 0, 0, 0, 9, 0, 1, 'h', 'i'}
	must(t, a.Sendto(fd, req, 0, sa6(netip.MustParseAddr("fd00:2::2"), 0)))
	buf := make([]byte, 1500)
	for {
		n, from, err := a.Recvfrom(fd, buf, 0)
		must(t, err)
		if buf[0] != 129 {
			continue // NDP and other ICMPv6 traffic reach raw sockets too
		}
		if netip.AddrFrom16(from.(*unix.SockaddrInet6).Addr) != netip.MustParseAddr("fd00:2::2") ||
			binary.BigEndian.Uint16(buf[4:]) != 9 || string(buf[8:n]) != "hi" {
			t.Fatalf("echo reply %x from %v", buf[:n], from)
		}
		return
	}
}

// RFC 4443 §3.1: a UDP datagram to a closed port draws Destination
// Unreachable code 4, which a connected socket reports as ECONNREFUSED.
func TestIPv6PortUnreachable(t *testing.T) {
	a, _, b := routed6(t)
	fd, err := a.Socket(unix.AF_INET6, unix.SOCK_DGRAM, 0)
	must(t, err)
	defer a.Close(fd)
	must(t, a.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 5}))
	must(t, a.Connect(fd, sa6(netip.MustParseAddr("fd00:2::2"), 9)))
	must(t, a.Sendto(fd, []byte("x"), 0, nil))
	if _, _, err := a.Recvfrom(fd, make([]byte, 8), 0); !errors.Is(err, unix.ECONNREFUSED) {
		t.Fatalf("recv: %v, want ECONNREFUSED", err)
	}
	if b.Drop(stack.DropUDPNoSocket) != 1 {
		t.Errorf("udp-no-socket drops on b = %d", b.Drop(stack.DropUDPNoSocket))
	}
}

// RFC 8200 §3 and RFC 4443 §3.3: a hop limit that runs out at a router
// draws Time Exceeded from the router.
func TestIPv6HopLimitExceeded(t *testing.T) {
	a, r, _ := routed6(t)
	icmp, err := a.Socket(unix.AF_INET6, unix.SOCK_RAW, unix.IPPROTO_ICMPV6)
	must(t, err)
	defer a.Close(icmp)
	must(t, a.SetsockoptTimeval(icmp, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 5}))
	udp, err := a.Socket(unix.AF_INET6, unix.SOCK_DGRAM, 0)
	must(t, err)
	defer a.Close(udp)
	must(t, a.SetsockoptInt(udp, unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, 1))
	must(t, a.Sendto(udp, []byte("probe"), 0, sa6(netip.MustParseAddr("fd00:2::2"), 33434)))
	buf := make([]byte, 1500)
	for {
		_, from, err := a.Recvfrom(icmp, buf, 0)
		must(t, err)
		if buf[0] == 3 {
			if netip.AddrFrom16(from.(*unix.SockaddrInet6).Addr) != netip.MustParseAddr("fd00:1::1") {
				t.Fatalf("time exceeded from %v", from)
			}
			if r.Drop(stack.DropTTLExpired) != 1 {
				t.Errorf("router ttl-expired drops = %d", r.Drop(stack.DropTTLExpired))
			}
			return
		}
	}
}

// RFC 8200 §4.5: a UDP datagram larger than the MTU is fragmented by the
// source and reassembled by the destination.
func TestIPv6Fragmentation(t *testing.T) {
	a, _, b := routed6(t)
	rx, err := b.Socket(unix.AF_INET6, unix.SOCK_DGRAM, 0)
	must(t, err)
	defer b.Close(rx)
	must(t, b.SetsockoptTimeval(rx, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 5}))
	must(t, b.Bind(rx, sa6(netip.MustParseAddr("fd00:2::2"), 5000)))
	tx, err := a.Socket(unix.AF_INET6, unix.SOCK_DGRAM, 0)
	must(t, err)
	defer a.Close(tx)
	msg := randomBytes(4000, 3)
	must(t, a.Sendto(tx, msg, 0, sa6(netip.MustParseAddr("fd00:2::2"), 5000)))
	buf := make([]byte, 8000)
	n, _, err := b.Recvfrom(rx, buf, 0)
	must(t, err)
	if string(buf[:n]) != string(msg) {
		t.Fatalf("received %d bytes, not the 4000 sent", n)
	}
}
