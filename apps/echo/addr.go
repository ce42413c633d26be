package echo

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"

	"golang.org/x/sys/unix"
)

// ErrAddress reports an address that cannot be turned into a sockaddr.
var ErrAddress = errors.New("echo: unusable address")

// family returns the address family for a, as socket(2) wants it.
func family(a netip.Addr) int {
	if a.Is4() {
		return unix.AF_INET
	}
	return unix.AF_INET6
}

// sockaddr converts ap to the sockaddr of its family: ip(7) sockaddr_in for
// an IPv4 address, ipv6(7) sockaddr_in6 otherwise (an IPv4-mapped address
// stays mapped). A zone must be a numeric interface index (sin6_scope_id).
func sockaddr(ap netip.AddrPort) (unix.Sockaddr, error) {
	a := ap.Addr()
	if !a.IsValid() {
		return nil, fmt.Errorf("%w: no IP address", ErrAddress)
	}
	if a.Is4() {
		return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: a.As4()}, nil
	}
	sa := &unix.SockaddrInet6{Port: int(ap.Port()), Addr: a.As16()}
	if z := a.Zone(); z != "" {
		id, err := strconv.ParseUint(z, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("%w: zone %q is not an interface index", ErrAddress, z)
		}
		sa.ZoneId = uint32(id)
	}
	return sa, nil
}

// addrPort converts a sockaddr returned by accept(2), recvfrom(2),
// getsockname(2) or getpeername(2) back to a netip.AddrPort. Other families
// give the zero AddrPort.
func addrPort(sa unix.Sockaddr) netip.AddrPort {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port))
	case *unix.SockaddrInet6:
		a := netip.AddrFrom16(sa.Addr)
		if sa.ZoneId != 0 {
			a = a.WithZone(strconv.FormatUint(uint64(sa.ZoneId), 10))
		}
		return netip.AddrPortFrom(a, uint16(sa.Port))
	}
	return netip.AddrPort{}
}
