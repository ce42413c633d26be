package resolv

import (
	"context"
	"errors"
	"net/netip"
	"strings"

	"golang.org/x/net/dns/dnsmessage"
	"golang.org/x/sys/unix"
)

// GetHostByName looks up an IPv4 host: gethostbyname(3), the seed's
// "older call ... can handle only IPv4". Errors are HError values.
func (r *Resolver) GetHostByName(ctx context.Context, name string) (*HostEnt, error) {
	return r.GetHostByName2(ctx, name, unix.AF_INET)
}

// GetHostByName2 looks up a host for family af (unix.AF_INET or
// unix.AF_INET6) through the nsswitch.conf "hosts:" sources:
// gethostbyname2(3). A numeric address of the family is returned as is.
func (r *Resolver) GetHostByName2(ctx context.Context, name string, af int) (*HostEnt, error) {
	if af != unix.AF_INET && af != unix.AF_INET6 {
		return nil, HOST_NOT_FOUND
	}
	if h, ok := numericHostEnt(name, af); ok {
		return h, nil
	}
	var herr error = HOST_NOT_FOUND
	for _, src := range r.cfg.hostSources() {
		switch src {
		case "files":
			lines, err := dbLines(r.cfg.hostsPath())
			if err != nil {
				continue
			}
			if h, ok := filesHostByName(lines, name, af, r.cfg.multi()); ok {
				return h, nil
			}
		case "dns":
			qt := dnsmessage.TypeA
			if af == unix.AF_INET6 {
				qt = dnsmessage.TypeAAAA
			}
			res, err := r.lookupDNS(ctx, name, []dnsmessage.Type{qt})
			if err == nil {
				return hostEntOf(res.canonical, res.aliases, res.addrs), nil
			}
			herr = dnsHError(err)
			if herr == TRY_AGAIN {
				return nil, herr
			}
		}
	}
	return nil, herr
}

// numericHostEnt is what gethostbyname returns for a name that is already
// an address of the family: the name and that address.
func numericHostEnt(name string, af int) (*HostEnt, bool) {
	if af == unix.AF_INET {
		if b, ok := pton4(name); ok {
			return hostEntOf(name, nil, []netip.Addr{netip.AddrFrom4(b)}), true
		}
		return nil, false
	}
	if b, ok := pton6(name); ok && strings.Contains(name, ":") {
		return hostEntOf(name, nil, []netip.Addr{netip.AddrFrom16(b)}), true
	}
	return nil, false
}

func hostEntOf(name string, aliases []string, addrs []netip.Addr) *HostEnt {
	h := &HostEnt{Name: name, Aliases: aliases, AddrList: addrs, AddrType: unix.AF_INET, Length: 4}
	if len(addrs) > 0 && addrs[0].Is6() {
		h.AddrType, h.Length = unix.AF_INET6, 16
	}
	return h
}

func dnsHError(err error) HError {
	switch {
	case errors.Is(err, ErrNoData):
		return NO_DATA
	case errors.Is(err, ErrNXDomain):
		return HOST_NOT_FOUND
	}
	return TRY_AGAIN
}

// GetHostByAddr looks an address up in the hosts file, then with a PTR
// query: gethostbyaddr(3).
func (r *Resolver) GetHostByAddr(ctx context.Context, addr netip.Addr) (*HostEnt, error) {
	addr = addr.WithZone("")
	var herr error = HOST_NOT_FOUND
	for _, src := range r.cfg.hostSources() {
		switch src {
		case "files":
			lines, err := dbLines(r.cfg.hostsPath())
			if err != nil {
				continue
			}
			if h, ok := filesHostByAddr(lines, addr); ok {
				return h, nil
			}
		case "dns":
			name, err := r.lookupPTR(ctx, addr)
			if err == nil {
				return hostEntOf(name, nil, []netip.Addr{addr}), nil
			}
			herr = dnsHError(err)
			if herr == TRY_AGAIN {
				return nil, herr
			}
		}
	}
	return nil, herr
}
