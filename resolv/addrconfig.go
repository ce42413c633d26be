package resolv

import (
	"net/netip"

	"golang.org/x/sys/unix"
)

// addrConfig reports whether IPv4 and IPv6 are configured, for
// AI_ADDRCONFIG: getaddrinfo(3) "IPv4 addresses are returned only if the
// local system has at least one IPv4 address configured, and IPv6
// addresses are returned only if the local system has at least one IPv6
// address configured. The loopback address is not considered for this case
// as valid as a configured address." sock.API lists no interfaces, so the
// provider is asked for a route: a UDP socket connected (nothing is sent)
// to a documentation address (RFC 5737, RFC 3849) gets a non-loopback
// source address only when the family is configured beyond loopback.
func (r *Resolver) addrConfig() (v4, v6 bool) {
	if r.cfg.AddrConfig != nil {
		return r.cfg.AddrConfig()
	}
	probe := func(dst netip.Addr) bool {
		fam := unix.AF_INET6
		if dst.Is4() {
			fam = unix.AF_INET
		}
		src := r.sourceFor(AddrInfo{Family: fam, Addr: netip.AddrPortFrom(dst, 9)})
		return src.IsValid() && !src.IsLoopback()
	}
	return probe(netip.MustParseAddr("198.51.100.1")), probe(netip.MustParseAddr("2001:db8::1"))
}
