package resolv

import (
	"context"
	"errors"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/net/dns/dnsmessage"
	"golang.org/x/sys/unix"
)

// The ai_flags of getaddrinfo(3) (glibc values).
const (
	AI_PASSIVE     = 0x0001 // socket address is intended for bind
	AI_CANONNAME   = 0x0002 // request the canonical name
	AI_NUMERICHOST = 0x0004 // node must be a numeric address
	AI_V4MAPPED    = 0x0008 // IPv4-mapped addresses when no IPv6 is found
	AI_ALL         = 0x0010 // with AI_V4MAPPED: IPv6 and mapped IPv4
	AI_ADDRCONFIG  = 0x0020 // only families configured on the host
	AI_IDN         = 0x0040 // accepted, no IDN conversion is done
	AI_CANONIDN    = 0x0080 // accepted, no IDN conversion is done
	AI_NUMERICSERV = 0x0400 // service must be a port number

	aiKnown = AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED | AI_ALL |
		AI_ADDRCONFIG | AI_IDN | AI_CANONIDN | AI_NUMERICSERV
	// aiDefault is the ai_flags getaddrinfo(3) assumes without hints:
	// "(AI_V4MAPPED | AI_ADDRCONFIG)".
	aiDefault = AI_V4MAPPED | AI_ADDRCONFIG
)

// Hints are the ai_flags, ai_family, ai_socktype and ai_protocol of
// getaddrinfo's hints argument.
type Hints struct {
	Flags    int
	Family   int
	SockType int
	Protocol int
}

// AddrInfo is one result of getaddrinfo(3). Addr carries the address, port
// and, for a scoped IPv6 address, the numeric zone (sin6_scope_id).
// CanonName is set on the first result only, and only with AI_CANONNAME.
type AddrInfo struct {
	Flags     int
	Family    int
	SockType  int
	Protocol  int
	Addr      netip.AddrPort
	CanonName string
}

// Sockaddr returns the result's address as a unix.Sockaddr for sock.API.
func (ai AddrInfo) Sockaddr() unix.Sockaddr {
	a := ai.Addr.Addr()
	if ai.Family == unix.AF_INET {
		return &unix.SockaddrInet4{Port: int(ai.Addr.Port()), Addr: a.Unmap().As4()}
	}
	zone, _ := strconv.ParseUint(a.Zone(), 10, 32)
	return &unix.SockaddrInet6{Port: int(ai.Addr.Port()), Addr: a.As16(), ZoneId: uint32(zone)}
}

// typeProto is a row of the socket types and protocols getaddrinfo knows,
// in glibc's order; raw sockets take any protocol and no service.
type typeProto struct {
	sockType, protocol int
	protoAny, noServ   bool
	isDefault          bool // returned when hints name neither
	name               string
}

var typeProtos = []typeProto{
	{unix.SOCK_STREAM, unix.IPPROTO_TCP, false, false, true, "tcp"},
	{unix.SOCK_DGRAM, unix.IPPROTO_UDP, false, false, true, "udp"},
	{unix.SOCK_DCCP, unix.IPPROTO_DCCP, false, false, false, "dccp"},
	{unix.SOCK_DGRAM, unix.IPPROTO_UDPLITE, false, false, false, "udplite"},
	{unix.SOCK_STREAM, unix.IPPROTO_SCTP, false, false, false, "sctp"},
	{unix.SOCK_SEQPACKET, unix.IPPROTO_SCTP, false, false, false, "sctp"},
	{unix.SOCK_RAW, 0, true, true, true, "raw"},
}

func (tp typeProto) matches(h *Hints) bool {
	return (h.SockType == 0 || h.SockType == tp.sockType) &&
		(h.Protocol == 0 || tp.protoAny || h.Protocol == tp.protocol)
}

// servTuple is one socket type, protocol and port of the answer.
type servTuple struct{ sockType, protocol, port int }

// GetAddrInfo translates a host and a service to socket addresses:
// getaddrinfo(3). An empty node or service stands for the NULL argument; a
// nil hints means "ai_flags (AI_V4MAPPED | AI_ADDRCONFIG)" and nothing else.
// Errors are GaiError values.
func (r *Resolver) GetAddrInfo(ctx context.Context, node, service string, hints *Hints) ([]AddrInfo, error) {
	h := Hints{Flags: aiDefault}
	if hints != nil {
		h = *hints
	}
	if node == "" && service == "" {
		return nil, EAI_NONAME
	}
	if h.Flags&^aiKnown != 0 || h.Flags&AI_CANONNAME != 0 && node == "" {
		return nil, EAI_BADFLAGS
	}
	if h.Family != unix.AF_UNSPEC && h.Family != unix.AF_INET && h.Family != unix.AF_INET6 {
		return nil, EAI_FAMILY
	}
	if h.Flags&AI_ADDRCONFIG != 0 {
		v4, v6 := r.addrConfig()
		switch {
		case h.Family == unix.AF_UNSPEC && v4 != v6:
			h.Family = unix.AF_INET6
			if v4 {
				h.Family = unix.AF_INET
			}
		case h.Family == unix.AF_INET && !v4, h.Family == unix.AF_INET6 && !v6:
			return nil, EAI_NONAME
		}
	}
	port := -1
	if service != "" {
		if v, rest, ok := strtoul(service); ok && rest == "" {
			port = int(uint16(v))
		} else if h.Flags&AI_NUMERICSERV != 0 {
			return nil, EAI_NONAME
		}
	}
	servs, err := r.services(&h, service, port)
	if err != nil {
		return nil, err
	}
	addrs, canon, err := r.hostAddrs(ctx, node, &h)
	if err != nil {
		return nil, err
	}
	var out []AddrInfo
	for _, a := range addrs {
		fam := unix.AF_INET6
		if a.Is4() {
			fam = unix.AF_INET
		}
		for _, st := range servs {
			ai := AddrInfo{Flags: h.Flags, Family: fam, SockType: st.sockType, Protocol: st.protocol,
				Addr: netip.AddrPortFrom(a, uint16(st.port))}
			if len(out) == 0 && h.Flags&AI_CANONNAME != 0 {
				ai.CanonName = canon
			}
			out = append(out, ai)
		}
	}
	if len(out) > 1 {
		r.sortRFC6724(out)
	}
	return out, nil
}

// services finds the socket types, protocols and ports that hints and the
// service allow, as glibc does: a named service is looked up in services(5)
// for each protocol that may carry it; a port number or no service gives
// TCP, UDP and raw when the hints name no socket type or protocol.
func (r *Resolver) services(h *Hints, service string, port int) ([]servTuple, error) {
	var chosen *typeProto
	if h.SockType != 0 || h.Protocol != 0 {
		for i := range typeProtos {
			if typeProtos[i].matches(h) {
				chosen = &typeProtos[i]
				break
			}
		}
		if chosen == nil {
			if h.SockType != 0 {
				return nil, EAI_SOCKTYPE
			}
			return nil, EAI_SERVICE
		}
	}
	tuple := func(tp *typeProto, port int) servTuple {
		proto := tp.protocol
		if tp.protoAny {
			proto = h.Protocol
		}
		return servTuple{tp.sockType, proto, port}
	}
	if service != "" && chosen != nil && chosen.noServ {
		return nil, EAI_SERVICE
	}
	if service != "" && port < 0 {
		var out []servTuple
		for i := range typeProtos {
			tp := &typeProtos[i]
			if tp.noServ || !tp.matches(h) || chosen != nil && tp != chosen {
				continue
			}
			s, err := r.cfg.GetServByName(service, tp.name)
			if err != nil {
				continue
			}
			out = append(out, tuple(tp, s.Port))
		}
		if len(out) == 0 {
			return nil, EAI_SERVICE
		}
		return out, nil
	}
	port = max(port, 0)
	if chosen != nil {
		return []servTuple{tuple(chosen, port)}, nil
	}
	var out []servTuple
	for i := range typeProtos {
		if typeProtos[i].isDefault {
			out = append(out, tuple(&typeProtos[i], port))
		}
	}
	return out, nil
}

// hostAddrs finds the addresses of node: the wildcard or loopback address
// for no node (AI_PASSIVE), a numeric address, or a name from the hosts
// sources.
func (r *Resolver) hostAddrs(ctx context.Context, node string, h *Hints) ([]netip.Addr, string, error) {
	if node == "" {
		var out []netip.Addr
		if h.Family != unix.AF_INET {
			out = append(out, pick(h.Flags&AI_PASSIVE != 0, netip.IPv6Unspecified(), netip.IPv6Loopback()))
		}
		if h.Family != unix.AF_INET6 {
			out = append(out, pick(h.Flags&AI_PASSIVE != 0, netip.IPv4Unspecified(), netip.AddrFrom4([4]byte{127, 0, 0, 1})))
		}
		return out, "", nil
	}
	if a, ok, err := numericHost(node, h); ok || err != nil {
		return []netip.Addr{a}, node, err
	}
	if h.Flags&AI_NUMERICHOST != 0 {
		return nil, "", EAI_NONAME
	}
	return r.namedHost(ctx, node, h)
}

func pick(c bool, a, b netip.Addr) netip.Addr {
	if c {
		return a
	}
	return b
}

// numericHost parses node as inet_aton's forms (the whole text, as glibc's
// getaddrinfo requires) or an IPv6 address with an optional numeric
// "%scope".
func numericHost(node string, h *Hints) (netip.Addr, bool, error) {
	if a, ok := atonExact(node); ok {
		switch {
		case h.Family != unix.AF_INET6:
			return a, true, nil
		case h.Flags&AI_V4MAPPED != 0:
			return netip.AddrFrom16(a.As16()), true, nil
		}
		return netip.Addr{}, true, EAI_ADDRFAMILY
	}
	text, scope, hasScope := strings.Cut(node, "%")
	b, ok := pton6(text)
	if !ok {
		return netip.Addr{}, false, nil
	}
	a := netip.AddrFrom16(b)
	if h.Family == unix.AF_INET {
		if !a.Is4In6() {
			return netip.Addr{}, true, EAI_ADDRFAMILY
		}
		a = a.Unmap()
	}
	if hasScope {
		// RFC 4007 §11.2: the zone index; only numeric zones are known
		// here (sock.API has no interface names).
		z, rest, ok := strtoul(scope)
		if !ok || rest != "" {
			return netip.Addr{}, true, EAI_NONAME
		}
		if a.Is6() && uint32(z) != 0 {
			a = a.WithZone(strconv.FormatUint(uint64(uint32(z)), 10))
		}
	}
	return a, true, nil
}

// namedHost resolves a name through the nsswitch.conf "hosts:" sources and
// applies the family, AI_V4MAPPED and AI_ALL rules of getaddrinfo(3): "If
// hints.ai_flags specifies the AI_V4MAPPED flag, and hints.ai_family was
// specified as AF_INET6, and no matching IPv6 addresses could be found,
// then return IPv4-mapped IPv6 addresses"; with AI_ALL both.
func (r *Resolver) namedHost(ctx context.Context, node string, h *Hints) ([]netip.Addr, string, error) {
	var lastErr error = EAI_NONAME
	for _, src := range r.cfg.hostSources() {
		switch src {
		case "files":
			lines, err := dbLines(r.cfg.hostsPath())
			if err != nil {
				continue
			}
			addrs, canon := filesHostGai(lines, node, h, r.cfg.multi())
			if len(addrs) == 0 {
				continue
			}
			return addrs, canon, nil
		case "dns":
			res, err := r.lookupDNS(ctx, node, dnsTypes(h))
			if err != nil {
				lastErr = dnsGaiError(err)
				if errors.Is(err, ErrNXDomain) || errors.Is(err, ErrNoData) {
					continue
				}
				return nil, "", lastErr
			}
			out := filterFamily(res.addrs, h)
			if len(out) == 0 {
				return nil, "", EAI_NODATA
			}
			return out, res.canonical, nil
		}
	}
	return nil, "", lastErr
}

// dnsTypes are the record types asked for a family.
func dnsTypes(h *Hints) []dnsmessage.Type {
	switch {
	case h.Family == unix.AF_INET:
		return []dnsmessage.Type{dnsmessage.TypeA}
	case h.Family == unix.AF_INET6 && h.Flags&AI_V4MAPPED == 0:
		return []dnsmessage.Type{dnsmessage.TypeAAAA}
	}
	return []dnsmessage.Type{dnsmessage.TypeA, dnsmessage.TypeAAAA}
}

func dnsGaiError(err error) error {
	switch {
	case errors.Is(err, ErrNoData):
		return EAI_NODATA
	case errors.Is(err, ErrNXDomain):
		return EAI_NONAME
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return EAI_CANCELED
	}
	return EAI_AGAIN
}

// filterFamily keeps the addresses of the requested family, mapping IPv4
// to IPv6 for AI_V4MAPPED (RFC 4291 §2.5.5.2) when there is no IPv6 answer
// or AI_ALL is set.
func filterFamily(all []netip.Addr, h *Hints) []netip.Addr {
	var v4, v6 []netip.Addr
	for _, a := range all {
		if a.Is4() {
			v4 = append(v4, a)
		} else {
			v6 = append(v6, a)
		}
	}
	switch h.Family {
	case unix.AF_INET:
		return v4
	case unix.AF_INET6:
		if h.Flags&AI_V4MAPPED != 0 && (len(v6) == 0 || h.Flags&AI_ALL != 0) {
			for _, a := range v4 {
				v6 = append(v6, netip.AddrFrom16(a.As16()))
			}
		}
		return v6
	}
	return all
}
