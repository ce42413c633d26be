package resolv

import (
	"net/netip"
	"slices"

	"golang.org/x/sys/unix"
)

// policyEntry is a row of the policy table of RFC 6724 §2.1.
type policyEntry struct {
	prefix     netip.Prefix
	precedence int
	label      int
}

// defaultPolicy is RFC 6724 §2.1's default policy table, longest prefix
// first so the first match is the longest.
var defaultPolicy = []policyEntry{
	{netip.MustParsePrefix("::1/128"), 50, 0},
	{netip.MustParsePrefix("::ffff:0:0/96"), 35, 4},
	{netip.MustParsePrefix("::/96"), 1, 3},
	{netip.MustParsePrefix("2001::/32"), 5, 5},
	{netip.MustParsePrefix("2002::/16"), 30, 2},
	{netip.MustParsePrefix("3ffe::/16"), 1, 12},
	{netip.MustParsePrefix("fec0::/10"), 1, 11},
	{netip.MustParsePrefix("fc00::/7"), 3, 13},
	{netip.MustParsePrefix("::/0"), 40, 1},
}

// policyOf looks an address up in the table; RFC 6724 §2.1: IPv4
// addresses are represented as IPv4-mapped addresses.
func policyOf(a netip.Addr) policyEntry {
	a16 := netip.AddrFrom16(a.As16())
	for _, p := range defaultPolicy {
		if p.prefix.Contains(a16) {
			return p
		}
	}
	return defaultPolicy[len(defaultPolicy)-1]
}

// Scope values of RFC 6724 §3.1 (RFC 4291 §2.7).
const (
	scopeLinkLocal = 0x2
	scopeSiteLocal = 0x5
	scopeGlobal    = 0xe
)

// scopeOf is RFC 6724 §3.1's scope: multicast scope from the address;
// link-local and loopback unicast are link-local; RFC 6724 §3.2: IPv4
// loopback (127/8) and auto-configured (169.254/16) addresses are
// link-local, all other IPv4 addresses global.
func scopeOf(a netip.Addr) int {
	if a.Is4() || a.Is4In6() {
		b := a.Unmap().As4()
		if b[0] == 127 || b[0] == 169 && b[1] == 254 {
			return scopeLinkLocal
		}
		return scopeGlobal
	}
	b := a.As16()
	switch {
	case a.IsMulticast():
		return int(b[1] & 0xf)
	case a.IsLoopback(), a.IsLinkLocalUnicast():
		return scopeLinkLocal
	case b[0] == 0xfe && b[1]&0xc0 == 0xc0:
		return scopeSiteLocal
	}
	return scopeGlobal
}

// commonPrefixLen is CommonPrefixLen of RFC 6724 §2.2.
func commonPrefixLen(a, b netip.Addr) int {
	x, y := a.As16(), b.As16()
	n := 0
	for i := range x {
		d := x[i] ^ y[i]
		if d == 0 {
			n += 8
			continue
		}
		for d&0x80 == 0 {
			n++
			d <<= 1
		}
		break
	}
	return n
}

// sortEntry is a destination with the source address the provider would
// use for it (RFC 6724 §4; invalid when there is none).
type sortEntry struct {
	dst, src netip.Addr
}

// sourceFor asks the provider which source it would use for dst, by
// connecting a UDP socket (which sends nothing), as RFC 6724 §6 suggests an
// implementation may.
func (r *Resolver) sourceFor(ai AddrInfo) netip.Addr {
	fd, err := r.api.Socket(ai.Family, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return netip.Addr{}
	}
	defer r.api.Close(fd)
	sa := ai.Sockaddr()
	switch s := sa.(type) {
	case *unix.SockaddrInet4:
		s.Port = max(s.Port, 1)
	case *unix.SockaddrInet6:
		s.Port = max(s.Port, 1)
	}
	if err := r.api.Connect(fd, sa); err != nil {
		return netip.Addr{}
	}
	local, err := r.api.Getsockname(fd)
	if err != nil {
		return netip.Addr{}
	}
	return addrPortOf(local).Addr()
}

// sortRFC6724 orders the results by the destination address selection
// rules of RFC 6724 §6, keeping the original order where no rule decides
// (Rule 10). The policy table is RFC 6724's default; glibc without
// /etc/gai.conf still uses RFC 3484's precedences, so the two orders differ
// where those tables do (for example a ULA destination, which RFC 6724
// puts after IPv4 and RFC 3484 before it).
func (r *Resolver) sortRFC6724(ais []AddrInfo) {
	srcs := map[netip.Addr]netip.Addr{}
	entries := make([]sortEntry, len(ais))
	for i, ai := range ais {
		d := ai.Addr.Addr()
		s, ok := srcs[d]
		if !ok {
			s = r.sourceFor(ai)
			srcs[d] = s
		}
		entries[i] = sortEntry{dst: d, src: s}
	}
	idx := make([]int, len(ais))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(i, j int) int { return compareDest(entries[i], entries[j]) })
	sorted := make([]AddrInfo, len(ais))
	for k, i := range idx {
		sorted[k] = ais[i]
	}
	// The canonical name stays on the first result.
	canon := ais[0].CanonName
	copy(ais, sorted)
	for i := range ais {
		ais[i].CanonName = ""
	}
	ais[0].CanonName = canon
}

// compareDest returns a negative number when a is preferred to b.
func compareDest(a, b sortEntry) int {
	prefer := func(c bool) int {
		if c {
			return -1
		}
		return 1
	}
	// Rule 1: Avoid unusable destinations.
	if a.src.IsValid() != b.src.IsValid() {
		return prefer(a.src.IsValid())
	}
	if !a.src.IsValid() {
		return 0
	}
	// Rule 2: Prefer matching scope.
	ma, mb := scopeOf(a.dst) == scopeOf(a.src), scopeOf(b.dst) == scopeOf(b.src)
	if ma != mb {
		return prefer(ma)
	}
	// Rules 3 (deprecated sources), 4 (home addresses) and 7 (native
	// transport) need address state sock.API does not expose.
	// Rule 5: Prefer matching label.
	la, lb := policyOf(a.dst).label == policyOf(a.src).label, policyOf(b.dst).label == policyOf(b.src).label
	if la != lb {
		return prefer(la)
	}
	// Rule 6: Prefer higher precedence.
	if pa, pb := policyOf(a.dst).precedence, policyOf(b.dst).precedence; pa != pb {
		return prefer(pa > pb)
	}
	// Rule 8: Prefer smaller scope.
	if sa, sb := scopeOf(a.dst), scopeOf(b.dst); sa != sb {
		return prefer(sa < sb)
	}
	// Rule 9: Use longest matching prefix, applied to IPv6 only: for IPv4
	// the source's subnet length that would bound CommonPrefixLen is not
	// known through sock.API, and glibc, like most resolvers, does not let
	// raw IPv4 bit matches reorder answers.
	if a.dst.Is6() && !a.dst.Is4In6() && b.dst.Is6() && !b.dst.Is4In6() {
		if ca, cb := commonPrefixLen(a.src, a.dst), commonPrefixLen(b.src, b.dst); ca != cb {
			return prefer(ca > cb)
		}
	}
	// Rule 10: Otherwise, leave the order unchanged.
	return 0
}
