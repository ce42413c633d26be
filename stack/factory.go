package stack

import "golang.org/x/sys/unix"

// sockMax is one more than the largest socket type Linux knows
// (SOCK_PACKET is 10).
const sockMax = 11

// newSocket makes the socket socket(2) asks for, with its errors:
// EAFNOSUPPORT for an unknown family, ESOCKTNOSUPPORT for an unknown type,
// EPROTONOSUPPORT for a protocol the type does not speak, EPERM for raw
// sockets without the privilege.
func (h *Host) newSocket(domain, typ, proto int) (socket, error) {
	// socket(2): "EINVAL Unknown protocol, or protocol family not
	// available" — Linux checks the type against SOCK_MAX first.
	if typ < 0 || typ >= sockMax {
		return nil, unix.EINVAL
	}
	switch domain {
	case unix.AF_INET, unix.AF_INET6:
		return h.newInet(domain, typ, proto)
	case unix.AF_UNIX:
		return h.newUnix(typ, proto)
	case unix.AF_PACKET:
		return h.newPacket(typ, proto)
	}
	return nil, unix.EAFNOSUPPORT
}

func (h *Host) newInet(domain, typ, proto int) (socket, error) {
	switch typ {
	case unix.SOCK_DGRAM:
		if domain == unix.AF_INET && proto == unix.IPPROTO_ICMP || domain == unix.AF_INET6 && proto == unix.IPPROTO_ICMPV6 {
			// ping sockets need net.ipv4.ping_group_range, which by
			// default admits no group (icmp(7)).
			return nil, unix.EACCES
		}
		if proto != 0 && proto != unix.IPPROTO_UDP {
			return nil, unix.EPROTONOSUPPORT
		}
		return h.newUDP(domain), nil
	case unix.SOCK_RAW:
		return h.newRaw(domain, proto)
	case unix.SOCK_STREAM:
		if proto != 0 && proto != unix.IPPROTO_TCP {
			return nil, unix.EPROTONOSUPPORT
		}
		return h.newTCP(domain), nil
	}
	return nil, unix.ESOCKTNOSUPPORT
}
