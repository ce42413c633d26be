package resolv

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// The flags of getnameinfo(3) (glibc values).
const (
	NI_NUMERICHOST = 0x01 // numeric form of the host
	NI_NUMERICSERV = 0x02 // numeric form of the service
	NI_NOFQDN      = 0x04 // only the host part of a local host's FQDN
	NI_NAMEREQD    = 0x08 // fail when the name cannot be found
	NI_DGRAM       = 0x10 // the service is datagram (UDP) based
	NI_IDN         = 0x20 // accepted; no IDN conversion is done

	niKnown = NI_NUMERICHOST | NI_NUMERICSERV | NI_NOFQDN | NI_NAMEREQD | NI_DGRAM | NI_IDN
)

// GetNameInfo translates a socket address to a host and a service name:
// getnameinfo(3). A numeric IPv6 zone is kept as "%zone". Errors are
// GaiError values.
func (r *Resolver) GetNameInfo(ctx context.Context, sa netip.AddrPort, flags int) (host, serv string, err error) {
	if flags&^niKnown != 0 {
		return "", "", EAI_BADFLAGS
	}
	if !sa.Addr().IsValid() {
		return "", "", EAI_FAMILY
	}
	host, err = r.nameOf(ctx, sa.Addr(), flags)
	if err != nil {
		return "", "", err
	}
	return host, r.serviceOf(int(sa.Port()), flags), nil
}

func (r *Resolver) nameOf(ctx context.Context, a netip.Addr, flags int) (string, error) {
	if flags&NI_NUMERICHOST == 0 {
		h, err := r.GetHostByAddr(ctx, a)
		if err == nil {
			name := h.Name
			if flags&NI_NOFQDN != 0 {
				name = r.stripLocalDomain(ctx, name)
			}
			return name, nil
		}
		if errors.Is(err, TRY_AGAIN) {
			return "", EAI_AGAIN
		}
		// getnameinfo(3): "If set, then an error is returned if the
		// hostname cannot be determined."
		if flags&NI_NAMEREQD != 0 {
			return "", EAI_NONAME
		}
	}
	text, _ := InetNtop(a.WithZone(""))
	if z := a.Zone(); z != "" {
		text += "%" + z
	}
	return text, nil
}

// stripLocalDomain implements NI_NOFQDN: getnameinfo(3) "If set, return only
// the hostname part of the fully qualified domain name for local hosts",
// the local domain being that of this host's own name.
func (r *Resolver) stripLocalDomain(ctx context.Context, name string) string {
	host, _ := os.Hostname()
	_, dom, ok := strings.Cut(host, ".")
	if !ok {
		if h, err := r.GetHostByName(ctx, host); err == nil {
			_, dom, ok = strings.Cut(h.Name, ".")
		}
	}
	if ok && dom != "" && strings.HasSuffix(name, "."+dom) && len(name) > len(dom)+1 {
		return name[:len(name)-len(dom)-1]
	}
	return name
}

func (r *Resolver) serviceOf(port, flags int) string {
	if flags&NI_NUMERICSERV == 0 {
		proto := "tcp"
		if flags&NI_DGRAM != 0 {
			proto = "udp"
		}
		if s, err := r.cfg.GetServByPort(port, proto); err == nil {
			return s.Name
		}
	}
	return strconv.Itoa(port)
}
