package netconn

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"

	"golang.org/x/sys/unix"
)

// ErrNotNumeric reports a host name where an IP literal was needed: name
// resolution belongs to package resolv, and netconn takes only IP literals
// and "localhost".
var ErrNotNumeric = errors.New("netconn: host is not an IP literal (name resolution needs package resolv)")

// family and type of a network name, as the net package spells them.
func parseNetwork(network string) (domain, typ int, err error) {
	switch network {
	case "tcp", "tcp4":
		return unix.AF_INET, unix.SOCK_STREAM, nil
	case "tcp6":
		return unix.AF_INET6, unix.SOCK_STREAM, nil
	case "udp", "udp4":
		return unix.AF_INET, unix.SOCK_DGRAM, nil
	case "udp6":
		return unix.AF_INET6, unix.SOCK_DGRAM, nil
	case "unix":
		return unix.AF_UNIX, unix.SOCK_STREAM, nil
	case "unixgram":
		return unix.AF_UNIX, unix.SOCK_DGRAM, nil
	case "unixpacket":
		return unix.AF_UNIX, unix.SOCK_SEQPACKET, nil
	}
	return 0, 0, net.UnknownNetworkError(network)
}

// resolve turns "host:port" into a sockaddr for network. Only numeric
// hosts and "localhost" are taken (name resolution is package resolv's);
// an empty host means the wildcard for listening. "tcp" and "udp" pick the
// family from the address.
func resolve(network, address string) (unix.Sockaddr, int, error) {
	domain, _, err := parseNetwork(network)
	if err != nil {
		return nil, 0, err
	}
	if domain == unix.AF_UNIX {
		return &unix.SockaddrUnix{Name: address}, domain, nil
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, 0, err
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return nil, 0, &net.AddrError{Err: "invalid port", Addr: address}
	}
	var ip netip.Addr
	switch host {
	case "":
		ip = netip.IPv4Unspecified()
		if network[len(network)-1] == '6' {
			ip = netip.IPv6Unspecified()
		}
	case "localhost":
		ip = netip.MustParseAddr("127.0.0.1")
		if network[len(network)-1] == '6' {
			ip = netip.IPv6Loopback()
		}
	default:
		if ip, err = netip.ParseAddr(host); err != nil {
			return nil, 0, fmt.Errorf("%w: %q", ErrNotNumeric, host)
		}
	}
	if ip.Is4() && network[len(network)-1] == '6' || ip.Is6() && !ip.Is4In6() && network[len(network)-1] == '4' {
		return nil, 0, &net.AddrError{Err: "address family mismatch", Addr: address}
	}
	if ip.Is4() {
		return &unix.SockaddrInet4{Addr: ip.As4(), Port: int(p)}, unix.AF_INET, nil
	}
	sa := &unix.SockaddrInet6{Addr: ip.As16(), Port: int(p)}
	if z := ip.Zone(); z != "" {
		if n, err := strconv.Atoi(z); err == nil {
			sa.ZoneId = uint32(n)
		} else {
			return nil, 0, &net.AddrError{Err: "zone must be an interface index", Addr: address}
		}
	}
	return sa, unix.AF_INET6, nil
}

// netAddr converts a sockaddr to the net package's address type for
// network.
func netAddr(network string, sa unix.Sockaddr) net.Addr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		ip := net.IP(a.Addr[:]).To16()
		if network[0] == 'u' {
			return &net.UDPAddr{IP: ip, Port: a.Port}
		}
		return &net.TCPAddr{IP: ip, Port: a.Port}
	case *unix.SockaddrInet6:
		ip := net.IP(append([]byte(nil), a.Addr[:]...))
		zone := ""
		if a.ZoneId != 0 {
			zone = strconv.Itoa(int(a.ZoneId))
		}
		if network[0] == 'u' {
			return &net.UDPAddr{IP: ip, Port: a.Port, Zone: zone}
		}
		return &net.TCPAddr{IP: ip, Port: a.Port, Zone: zone}
	case *unix.SockaddrUnix:
		return &net.UnixAddr{Name: a.Name, Net: network}
	}
	return nil
}

// sockaddrOf converts a net.Addr to a sockaddr for a socket of family
// domain: the net package keeps IPv4 addresses in 16 bytes, which an
// AF_INET socket needs unmapped and an AF_INET6 one mapped.
func sockaddrOf(a net.Addr, domain int) (unix.Sockaddr, error) {
	switch a := a.(type) {
	case *net.UDPAddr:
		return ipSockaddr(a.AddrPort(), domain), nil
	case *net.TCPAddr:
		return ipSockaddr(a.AddrPort(), domain), nil
	case *net.UnixAddr:
		return &unix.SockaddrUnix{Name: a.Name}, nil
	}
	return nil, fmt.Errorf("netconn: unsupported address %T", a)
}

func ipSockaddr(ap netip.AddrPort, domain int) unix.Sockaddr {
	a := ap.Addr()
	if domain == unix.AF_INET || (domain == 0 && a.Unmap().Is4()) {
		return &unix.SockaddrInet4{Addr: a.Unmap().As4(), Port: int(ap.Port())}
	}
	return &unix.SockaddrInet6{Addr: a.As16(), Port: int(ap.Port())}
}
