package stack

import (
	"net/netip"

	"golang.org/x/sys/unix"
)

// defaultTTL is net.ipv4.ip_default_ttl (ip(7) IP_TTL) and
// net.ipv6.conf.all.hop_limit.
const defaultTTL = 64

// ipOptions holds the IPPROTO_IP and IPPROTO_IPV6 options of ip(7) and
// ipv6(7) that a socket carries.
type ipOptions struct {
	options      []byte // IP_OPTIONS, already padded
	ttl          int32  // -1: the default
	tos          int32
	mcastTTL     int32
	pmtudisc     int32
	unicastHops  int32 // -1: the default
	tclass       int32
	mcastHops    int32
	mcastIf      int32 // IP_MULTICAST_IF / IPV6_MULTICAST_IF: an ifindex, 0 for the route
	mcastLoop    bool
	hdrincl      bool
	recvErr      bool
	pktinfo      bool
	recvTTL      bool
	recvTOS      bool
	v6only       bool
	mcastLoop6   bool
	recvPktinfo6 bool
}

func defaultIPOptions() ipOptions {
	return ipOptions{
		ttl: -1, mcastTTL: 1, mcastLoop: true,
		pmtudisc:    unix.IP_PMTUDISC_WANT,
		unicastHops: -1, mcastHops: 1, mcastLoop6: true,
	}
}

// effectiveTTL is the TTL outgoing unicast packets carry.
func (o *ipOptions) effectiveTTL() int {
	if o.ttl < 0 {
		return defaultTTL
	}
	return int(o.ttl)
}

// hops returns the TTL or hop limit for a unicast packet to dst: IP_TTL
// for IPv4 (ip(7)), IPV6_UNICAST_HOPS for IPv6 (ipv6(7)).
func (o *ipOptions) hops(dst netip.Addr) int {
	if dst.Is4() {
		return o.effectiveTTL()
	}
	if o.unicastHops < 0 {
		return defaultTTL
	}
	return int(o.unicastHops)
}

// multicastLoop reports whether multicast sent to dst loops back to the
// host's own members (IP_MULTICAST_LOOP, IPV6_MULTICAST_LOOP; default on).
func (o *ipOptions) multicastLoop(dst netip.Addr) bool {
	if dst.Is4() {
		return o.mcastLoop
	}
	return o.mcastLoop6
}

// class returns IP_TOS for IPv4 and IPV6_TCLASS for IPv6.
func (o *ipOptions) class(dst netip.Addr) int {
	if dst.Is4() {
		return int(o.tos)
	}
	return int(o.tclass)
}

// mcastHops returns the multicast TTL or hop limit for dst's family.
func (o *ipOptions) multicastHops(dst netip.Addr) int {
	if dst.Is4() {
		return int(o.mcastTTL)
	}
	return int(o.mcastHops)
}

// get reads an IP-level int option. Call with the socket's lock held.
func (o *ipOptions) get(b *sockBase, level, opt int) (int, error) {
	switch level {
	case unix.IPPROTO_IP:
		return o.get4(opt)
	case unix.IPPROTO_IPV6:
		if b.domain != unix.AF_INET6 {
			return 0, unix.ENOPROTOOPT
		}
		return o.get6(opt)
	}
	return 0, errUnhandled
}

func (o *ipOptions) get4(opt int) (int, error) {
	switch opt {
	case unix.IP_TTL:
		return o.effectiveTTL(), nil
	case unix.IP_TOS:
		return int(o.tos), nil
	case unix.IP_MULTICAST_TTL:
		return int(o.mcastTTL), nil
	case unix.IP_MULTICAST_LOOP:
		return boolInt(o.mcastLoop), nil
	case unix.IP_HDRINCL:
		return boolInt(o.hdrincl), nil
	case unix.IP_RECVERR:
		return boolInt(o.recvErr), nil
	case unix.IP_PKTINFO:
		return boolInt(o.pktinfo), nil
	case unix.IP_RECVTTL:
		return boolInt(o.recvTTL), nil
	case unix.IP_RECVTOS:
		return boolInt(o.recvTOS), nil
	case unix.IP_MTU_DISCOVER:
		return int(o.pmtudisc), nil
	}
	return 0, unix.ENOPROTOOPT
}

func (o *ipOptions) get6(opt int) (int, error) {
	switch opt {
	case unix.IPV6_V6ONLY:
		return boolInt(o.v6only), nil
	case unix.IPV6_UNICAST_HOPS:
		if o.unicastHops < 0 {
			return defaultTTL, nil
		}
		return int(o.unicastHops), nil
	case unix.IPV6_TCLASS:
		return int(o.tclass), nil
	case unix.IPV6_MULTICAST_HOPS:
		return int(o.mcastHops), nil
	case unix.IPV6_MULTICAST_LOOP:
		return boolInt(o.mcastLoop6), nil
	case unix.IPV6_RECVPKTINFO:
		return boolInt(o.recvPktinfo6), nil
	case unix.IPV6_MULTICAST_IF:
		return int(o.mcastIf), nil
	}
	return 0, unix.ENOPROTOOPT
}

// set sets an IP-level int option. Call with the socket's lock held.
func (o *ipOptions) set(b *sockBase, level, opt, v int, bound bool) error {
	switch level {
	case unix.IPPROTO_IP:
		return o.set4(opt, v)
	case unix.IPPROTO_IPV6:
		if b.domain != unix.AF_INET6 {
			return unix.ENOPROTOOPT
		}
		return o.set6(opt, v, bound)
	}
	return errUnhandled
}

func (o *ipOptions) set4(opt, v int) error {
	on := v != 0
	switch opt {
	case unix.IP_TTL:
		// ip(7) IP_TTL: valid values are 1..255, or -1 for the default.
		if v == -1 {
			o.ttl = -1
			return nil
		}
		if v < 1 || v > 255 {
			return unix.EINVAL
		}
		o.ttl = int32(v)
	case unix.IP_TOS:
		o.tos = int32(v & 0xff)
	case unix.IP_MULTICAST_TTL:
		if v == -1 {
			v = 1
		}
		if v < 0 || v > 255 {
			return unix.EINVAL
		}
		o.mcastTTL = int32(v)
	case unix.IP_MULTICAST_LOOP:
		o.mcastLoop = on
	case unix.IP_HDRINCL:
		return unix.ENOPROTOOPT // only raw sockets have it
	case unix.IP_RECVERR:
		o.recvErr = on
	case unix.IP_PKTINFO:
		o.pktinfo = on
	case unix.IP_RECVTTL:
		o.recvTTL = on
	case unix.IP_RECVTOS:
		o.recvTOS = on
	case unix.IP_MTU_DISCOVER:
		if v < unix.IP_PMTUDISC_DONT || v > unix.IP_PMTUDISC_OMIT {
			return unix.EINVAL
		}
		o.pmtudisc = int32(v)
	default:
		return unix.ENOPROTOOPT
	}
	return nil
}

func (o *ipOptions) set6(opt, v int, bound bool) error {
	switch opt {
	case unix.IPV6_V6ONLY:
		// ipv6(7): IPV6_V6ONLY cannot change once the socket is bound.
		if bound {
			return unix.EINVAL
		}
		o.v6only = v != 0
	case unix.IPV6_UNICAST_HOPS:
		if v < -1 || v > 255 {
			return unix.EINVAL
		}
		o.unicastHops = int32(v)
	case unix.IPV6_TCLASS:
		if v < -1 || v > 255 {
			return unix.EINVAL
		}
		o.tclass = int32(max(v, 0))
	case unix.IPV6_MULTICAST_HOPS:
		if v < -1 || v > 255 {
			return unix.EINVAL
		}
		if v == -1 {
			v = 1
		}
		o.mcastHops = int32(v)
	case unix.IPV6_MULTICAST_LOOP:
		o.mcastLoop6 = v != 0
	case unix.IPV6_RECVPKTINFO:
		o.recvPktinfo6 = v != 0
	case unix.IPV6_MULTICAST_IF:
		if v < 0 || v > 1<<31-1 {
			return unix.EINVAL
		}
		o.mcastIf = int32(v)
	default:
		return unix.ENOPROTOOPT
	}
	return nil
}

// getOptions returns IP_OPTIONS, truncated to size as getsockopt(2) does.
func (o *ipOptions) getOptions(level, opt, size int) ([]byte, error) {
	if level != unix.IPPROTO_IP || opt != unix.IP_OPTIONS {
		return nil, unix.ENOPROTOOPT
	}
	return append([]byte(nil), o.options[:min(len(o.options), max(size, 0))]...), nil
}

// setOptions sets IP_OPTIONS after validating them.
func (o *ipOptions) setOptions(level, opt int, b []byte) error {
	if level != unix.IPPROTO_IP || opt != unix.IP_OPTIONS {
		return unix.ENOPROTOOPT
	}
	v, err := checkUserOptions(b)
	if err != nil {
		return err
	}
	o.options = v
	return nil
}
