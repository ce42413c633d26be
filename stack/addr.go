package stack

import (
	"net/netip"

	"golang.org/x/sys/unix"
)

// toAddrPort converts a sockaddr given to a socket of family domain.
// ip(7): "sin_family is always set to AF_INET"; a sockaddr of another
// family fails with EAFNOSUPPORT.
func toAddrPort(domain int, sa unix.Sockaddr) (netip.AddrPort, error) {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		if domain != unix.AF_INET {
			// ipv6(7) requires sockaddr_in6; the kernel rejects the
			// shorter sockaddr_in as EINVAL.
			return netip.AddrPort{}, unix.EINVAL
		}
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port)), nil
	case *unix.SockaddrInet6:
		if domain != unix.AF_INET6 {
			return netip.AddrPort{}, unix.EAFNOSUPPORT
		}
		ip := netip.AddrFrom16(a.Addr)
		if a.ZoneId != 0 && ip.Is6() && ip.IsLinkLocalUnicast() {
			ip = ip.WithZone(itoa(int(a.ZoneId)))
		}
		return netip.AddrPortFrom(ip, uint16(a.Port)), nil
	case nil:
		return netip.AddrPort{}, unix.EINVAL
	}
	return netip.AddrPort{}, unix.EAFNOSUPPORT
}

// toSockaddr converts an address of this host's tables back into the
// sockaddr of family domain; IPv4 addresses seen by an AF_INET6 socket are
// IPv4-mapped (ipv6(7)).
func toSockaddr(domain int, ap netip.AddrPort) unix.Sockaddr {
	if domain == unix.AF_INET {
		return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().Unmap().As4()}
	}
	a := ap.Addr()
	if a.Is4() {
		a = netip.AddrFrom16(a.As16())
	}
	return &unix.SockaddrInet6{Port: int(ap.Port()), Addr: a.As16()}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// unspecified returns the wildcard address of a family.
func unspecified(domain int) netip.Addr {
	if domain == unix.AF_INET {
		return netip.IPv4Unspecified()
	}
	return netip.IPv6Unspecified()
}

// loopbackOf returns the loopback address of a's family.
func loopbackOf(a netip.Addr) netip.Addr {
	if a.Is6() {
		return netip.IPv6Loopback()
	}
	return netip.AddrFrom4([4]byte{127, 0, 0, 1})
}

// checkBind6 applies ipv6(7)'s bind rules for an AF_INET6 socket: a
// link-local address needs sin6_scope_id (EINVAL without), and a v6-only
// socket cannot take an IPv4-mapped address (EINVAL).
func checkBind6(domain int, a netip.Addr, v6only bool) error {
	if domain != unix.AF_INET6 {
		return nil
	}
	if a.Is6() && a.IsLinkLocalUnicast() && a.Zone() == "" {
		return unix.EINVAL
	}
	if v6only && a.Is4In6() {
		return unix.EINVAL
	}
	return nil
}
