package stack_test

import (
	"errors"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"

	"sockstack/stack"
	"sockstack/wire"
)

var group = netip.MustParseAddr("239.1.2.3")

func join(t testing.TB, h *stack.Host, fd int, g netip.Addr, opt int) error {
	t.Helper()
	return h.SetsockoptIPMreq(fd, unix.IPPROTO_IP, opt, &unix.IPMreq{Multiaddr: g.As4()})
}

// ip(7P) IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP and RFC 1112 §6.2: a host
// receives a group's datagrams only while a socket on it is a member.
func TestMulticastMembership(t *testing.T) {
	a, b := lan(t)
	rx := socket(t, b, unix.SOCK_DGRAM, 0)
	must(t, b.Bind(rx, &unix.SockaddrInet4{Port: 4000}))
	tx := socket(t, a, unix.SOCK_DGRAM, 0)
	send := func(msg string) { must(t, a.Sendto(tx, []byte(msg), 0, sa4(group, 4000))) }

	send("before")
	waitFor(t, func() bool { return b.Drop(stack.DropMcastNotJoined) == 1 })
	must(t, join(t, b, rx, group, unix.IP_ADD_MEMBERSHIP))
	send("member")
	buf := make([]byte, 64)
	n, _, err := b.Recvfrom(rx, buf, 0)
	if err != nil || string(buf[:n]) != "member" {
		t.Fatalf("member got %q, %v", buf[:n], err)
	}
	must(t, join(t, b, rx, group, unix.IP_DROP_MEMBERSHIP))
	send("after")
	waitFor(t, func() bool { return b.Drop(stack.DropMcastNotJoined) == 2 })
}

// ip(7P) IP_MULTICAST_LOOP: "Normally multicast datagrams are delivered to
// members on the sending host. Setting ... to 0 will cause the opposite."
func TestMulticastLoop(t *testing.T) {
	a, _ := lan(t)
	rx := socket(t, a, unix.SOCK_DGRAM, 0)
	must(t, a.Bind(rx, &unix.SockaddrInet4{Port: 4001}))
	must(t, join(t, a, rx, group, unix.IP_ADD_MEMBERSHIP))
	tx := socket(t, a, unix.SOCK_DGRAM, 0)
	must(t, a.Sendto(tx, []byte("loop"), 0, sa4(group, 4001)))
	buf := make([]byte, 16)
	if n, _, err := a.Recvfrom(rx, buf, 0); err != nil || string(buf[:n]) != "loop" {
		t.Fatalf("looped copy: %q, %v", buf[:n], err)
	}
	must(t, a.SetsockoptInt(tx, unix.IPPROTO_IP, unix.IP_MULTICAST_LOOP, 0))
	must(t, a.Sendto(tx, []byte("no"), 0, sa4(group, 4001)))
	if _, _, err := a.Recvfrom(rx, buf, unix.MSG_DONTWAIT); !errors.Is(err, unix.EAGAIN) {
		t.Fatalf("copy delivered with IP_MULTICAST_LOOP off: %v", err)
	}
}

// RFC 3376 §5.1: joining sends an unsolicited IGMPv3 report to 224.0.0.22
// with TTL 1 and Router Alert, recording CHANGE_TO_EXCLUDE for the group.
func TestIGMPReportOnJoin(t *testing.T) {
	a, b := lan(t)
	raw := socket(t, a, unix.SOCK_RAW, unix.IPPROTO_IGMP)
	must(t, join(t, a, raw, netip.MustParseAddr("224.0.0.22"), unix.IP_ADD_MEMBERSHIP))
	rx := socket(t, b, unix.SOCK_DGRAM, 0)
	must(t, join(t, b, rx, group, unix.IP_ADD_MEMBERSHIP))
	buf := make([]byte, 1500)
	n, _, err := a.Recvfrom(raw, buf, 0)
	must(t, err)
	ip, err := wire.ParseIPv4(buf[:n])
	must(t, err)
	m, err := wire.ParseIGMP(ip.Payload())
	must(t, err)
	f := m.Fields()
	if ip.TTL() != 1 || len(ip.Options()) == 0 || f.Type != wire.IGMPv3Report ||
		len(f.Records) != 1 || f.Records[0].Group != group || f.Records[0].Type != 4 {
		t.Fatalf("report %v %+v", ip, f)
	}
}

// ip(7): EINVAL for a group that is not multicast, EADDRINUSE for joining
// twice, EADDRNOTAVAIL for leaving a group not joined.
func TestMembershipErrors(t *testing.T) {
	a, _ := lan(t)
	fd := socket(t, a, unix.SOCK_DGRAM, 0)
	if err := join(t, a, fd, netip.MustParseAddr("10.0.0.9"), unix.IP_ADD_MEMBERSHIP); !errors.Is(err, unix.EINVAL) {
		t.Errorf("join unicast: %v, want EINVAL", err)
	}
	must(t, join(t, a, fd, group, unix.IP_ADD_MEMBERSHIP))
	if err := join(t, a, fd, group, unix.IP_ADD_MEMBERSHIP); !errors.Is(err, unix.EADDRINUSE) {
		t.Errorf("join twice: %v, want EADDRINUSE", err)
	}
	if err := join(t, a, fd, netip.MustParseAddr("239.9.9.9"), unix.IP_DROP_MEMBERSHIP); !errors.Is(err, unix.EADDRNOTAVAIL) {
		t.Errorf("drop unjoined: %v, want EADDRNOTAVAIL", err)
	}
}

// ipv6(7) IPV6_ADD_MEMBERSHIP: an IPv6 group is received once joined.
func TestIPv6MulticastMembership(t *testing.T) {
	_, r, b := routed6(t)
	g := netip.MustParseAddr("ff12::1234")
	rx, err := b.Socket(unix.AF_INET6, unix.SOCK_DGRAM, 0)
	must(t, err)
	defer b.Close(rx)
	must(t, b.SetsockoptTimeval(rx, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 5}))
	must(t, b.Bind(rx, &unix.SockaddrInet6{Port: 4002}))
	must(t, b.SetsockoptIPv6Mreq(rx, unix.IPPROTO_IPV6, unix.IPV6_ADD_MEMBERSHIP, &unix.IPv6Mreq{Multiaddr: g.As16(), Interface: 2}))
	// R sends out of its interface on B's link (lo 1, eth0 2, eth1 3):
	// ipv6(7) IPV6_MULTICAST_IF picks it.
	tx, err := r.Socket(unix.AF_INET6, unix.SOCK_DGRAM, 0)
	must(t, err)
	defer r.Close(tx)
	must(t, r.SetsockoptInt(tx, unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_IF, 3))
	must(t, r.Sendto(tx, []byte("v6 group"), 0, &unix.SockaddrInet6{Addr: g.As16(), Port: 4002}))
	buf := make([]byte, 32)
	n, _, err := b.Recvfrom(rx, buf, 0)
	if err != nil || string(buf[:n]) != "v6 group" {
		t.Fatalf("got %q, %v", buf[:n], err)
	}
}
