package conformance

import (
	"errors"
	"net/netip"

	"golang.org/x/sys/unix"
)

func mcastCases() []Case {
	return []Case{
		{"mcast/join-unicast-einval", mcastJoinUnicast},
		{"mcast/join-twice-eaddrinuse", mcastJoinTwice},
		{"mcast/drop-unjoined-eaddrnotavail", mcastDropUnjoined},
		{"mcast/ttl-and-loop-defaults", mcastDefaults},
	}
}

// mcastJoin joins or leaves group on the interface that owns e.Addr4.
func mcastJoin(e *Env, fd, opt int, group string) error {
	m := &unix.IPMreq{Multiaddr: netip.MustParseAddr(group).As4(), Interface: e.Addr4.As4()}
	return e.API.SetsockoptIPMreq(fd, unix.IPPROTO_IP, opt, m)
}

// ip(7) IP_ADD_MEMBERSHIP: imr_multiaddr "contains the address of the
// multicast group"; a unicast address is EINVAL.
func mcastJoinUnicast(t T, e *Env) {
	fd := open(t, e.API, unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err := mcastJoin(e, fd, unix.IP_ADD_MEMBERSHIP, "10.9.9.9"); !errors.Is(err, unix.EINVAL) {
		t.Fatalf("join a unicast address: %v, want EINVAL", err)
	}
}

// ip(7) IP_ADD_MEMBERSHIP on a group the socket already joined on that
// interface: EADDRINUSE.
func mcastJoinTwice(t T, e *Env) {
	fd := open(t, e.API, unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err := mcastJoin(e, fd, unix.IP_ADD_MEMBERSHIP, "239.7.7.7"); err != nil {
		t.Fatalf("join: %v", err)
	}
	if err := mcastJoin(e, fd, unix.IP_ADD_MEMBERSHIP, "239.7.7.7"); !errors.Is(err, unix.EADDRINUSE) {
		t.Fatalf("join twice: %v, want EADDRINUSE", err)
	}
	if err := mcastJoin(e, fd, unix.IP_DROP_MEMBERSHIP, "239.7.7.7"); err != nil {
		t.Fatalf("drop: %v", err)
	}
}

// ip(7) IP_DROP_MEMBERSHIP of a group not joined: EADDRNOTAVAIL.
func mcastDropUnjoined(t T, e *Env) {
	fd := open(t, e.API, unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err := mcastJoin(e, fd, unix.IP_DROP_MEMBERSHIP, "239.8.8.8"); !errors.Is(err, unix.EADDRNOTAVAIL) {
		t.Fatalf("drop an unjoined group: %v, want EADDRNOTAVAIL", err)
	}
}

// seed 001 (ip(7P)): IP_MULTICAST_TTL "The default is 1"; IP_MULTICAST_LOOP:
// "Normally multicast datagrams are delivered to members on the sending
// host" (default 1).
func mcastDefaults(t T, e *Env) {
	fd := open(t, e.API, unix.AF_INET, unix.SOCK_DGRAM, 0)
	for _, c := range []struct {
		opt, want int
	}{{unix.IP_MULTICAST_TTL, 1}, {unix.IP_MULTICAST_LOOP, 1}} {
		v, err := e.API.GetsockoptInt(fd, unix.IPPROTO_IP, c.opt)
		if err != nil || v != c.want {
			t.Errorf("getsockopt(%d) = %d, %v; want %d", c.opt, v, err, c.want)
		}
	}
}
