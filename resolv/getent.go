package resolv

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"sockstack/sock"
)

// getent(1) exit statuses.
const (
	GetentOK             = 0 // "Command completed successfully."
	GetentUsage          = 1 // "Missing arguments, or database unknown."
	GetentNotFound       = 2 // "One or more supplied key could not be found in the database."
	GetentNoEnumeration  = 3 // "Enumeration not supported on this database."
	addrinfoExitFailure  = 255
	getentUnknownDBError = "Unknown database: "
)

// Getent prints what getent(1) prints for the databases hosts, ahosts,
// ahostsv4, ahostsv6, services and protocols, with the keys given (none
// enumerates the database), and returns getent's exit status. For an
// unknown database it prints getent's hint line, and returns GetentUsage
// and an error carrying getent's message for the caller to print on
// standard error.
func Getent(ctx context.Context, cfg Config, api sock.API, database string, keys []string, stdout io.Writer) (int, error) {
	r := NewResolver(cfg, api)
	switch database {
	case "hosts":
		return r.getentHosts(ctx, keys, stdout)
	case "ahosts":
		return r.getentAhosts(ctx, keys, unix.AF_UNSPEC, 0, stdout)
	case "ahostsv4":
		return r.getentAhosts(ctx, keys, unix.AF_INET, 0, stdout)
	case "ahostsv6":
		return r.getentAhosts(ctx, keys, unix.AF_INET6, AI_V4MAPPED, stdout)
	case "services":
		return getentServices(cfg, keys, stdout)
	case "protocols":
		return getentProtocols(cfg, keys, stdout)
	}
	// getent(1) prints the hint on standard output and the message on
	// standard error.
	fmt.Fprintln(stdout, "Try `getent --help' or `getent --usage' for more information.")
	return GetentUsage, fmt.Errorf("%s%s", getentUnknownDBError, database)
}

// printHost prints one line per address: the address padded to 15
// columns, the official name and the aliases.
func printHost(w io.Writer, h *HostEnt) {
	for _, a := range h.AddrList {
		text, _ := InetNtop(a)
		fmt.Fprintf(w, "%-15s %s", text, h.Name)
		for _, al := range h.Aliases {
			fmt.Fprintf(w, " %s", al)
		}
		fmt.Fprintln(w)
	}
}

func (r *Resolver) enumerateHosts(w io.Writer) (int, error) {
	it, err := r.cfg.SetHostEnt()
	if err != nil {
		return GetentOK, nil // an absent file enumerates nothing
	}
	defer it.EndHostEnt()
	for h, ok := it.GetHostEnt(); ok; h, ok = it.GetHostEnt() {
		printHost(w, h)
	}
	return GetentOK, nil
}

// getentHosts looks each key up as getent(1) does: an IPv6 or IPv4
// address with gethostbyaddr, a name with gethostbyname2 for AF_INET6 and
// then AF_INET.
func (r *Resolver) getentHosts(ctx context.Context, keys []string, w io.Writer) (int, error) {
	if len(keys) == 0 {
		return r.enumerateHosts(w)
	}
	status := GetentOK
	for _, k := range keys {
		var h *HostEnt
		var err error
		if b, ok := pton6(k); ok {
			h, err = r.GetHostByAddr(ctx, netip.AddrFrom16(b))
		} else if b, ok := pton4(k); ok {
			h, err = r.GetHostByAddr(ctx, netip.AddrFrom4(b))
		} else if h, err = r.GetHostByName2(ctx, k, unix.AF_INET6); err != nil {
			h, err = r.GetHostByName2(ctx, k, unix.AF_INET)
		}
		if err != nil {
			status = GetentNotFound
			continue
		}
		printHost(w, h)
	}
	return status, nil
}

// getentAhosts prints getaddrinfo's answers with AI_ADDRCONFIG and
// AI_CANONNAME: address, socket type and, on the first line, the canonical
// name.
func (r *Resolver) getentAhosts(ctx context.Context, keys []string, family, flags int, w io.Writer) (int, error) {
	if len(keys) == 0 {
		return r.enumerateHosts(w)
	}
	status := GetentOK
	for _, k := range keys {
		ais, err := r.GetAddrInfo(ctx, k, "", &Hints{Family: family, Flags: AI_ADDRCONFIG | AI_CANONNAME | flags})
		if err != nil {
			status = GetentNotFound
			continue
		}
		for _, ai := range ais {
			text, _ := InetNtop(ai.Addr.Addr().WithZone(""))
			fmt.Fprintf(w, "%-15s %-6s %s\n", text, sockTypeName(ai.SockType), ai.CanonName)
		}
	}
	return status, nil
}

func sockTypeName(t int) string {
	switch t {
	case unix.SOCK_STREAM:
		return "STREAM"
	case unix.SOCK_DGRAM:
		return "DGRAM"
	case unix.SOCK_RAW:
		return "RAW"
	case unix.SOCK_SEQPACKET:
		return "SEQPACKET"
	case unix.SOCK_RDM:
		return "RDM"
	case unix.SOCK_DCCP:
		return "DCCP"
	case unix.SOCK_PACKET:
		return "PACKET"
	}
	return strconv.Itoa(t)
}

func printServ(w io.Writer, s *ServEnt) {
	fmt.Fprintf(w, "%-21s %d/%s", s.Name, s.Port, s.Proto)
	for _, a := range s.Aliases {
		fmt.Fprintf(w, " %s", a)
	}
	fmt.Fprintln(w)
}

// getentServices looks up "name[/proto]" or "port[/proto]" keys.
func getentServices(cfg Config, keys []string, w io.Writer) (int, error) {
	if len(keys) == 0 {
		if it, err := cfg.SetServEnt(); err == nil {
			for s, ok := it.GetServEnt(); ok; s, ok = it.GetServEnt() {
				printServ(w, s)
			}
		}
		return GetentOK, nil
	}
	status := GetentOK
	for _, k := range keys {
		name, proto, _ := strings.Cut(k, "/")
		var s *ServEnt
		var err error
		if port, perr := strconv.ParseInt(name, 10, 64); perr == nil && name[0] >= '0' && name[0] <= '9' && port <= 65535 {
			s, err = cfg.GetServByPort(int(port), proto)
		} else {
			s, err = cfg.GetServByName(name, proto)
		}
		if err != nil {
			status = GetentNotFound
			continue
		}
		printServ(w, s)
	}
	return status, nil
}

func printProto(w io.Writer, p *ProtoEnt) {
	fmt.Fprintf(w, "%-21s %d", p.Name, p.Proto)
	for _, a := range p.Aliases {
		fmt.Fprintf(w, " %s", a)
	}
	fmt.Fprintln(w)
}

// getentProtocols looks a key up by number when it starts with a digit,
// otherwise by name.
func getentProtocols(cfg Config, keys []string, w io.Writer) (int, error) {
	if len(keys) == 0 {
		if it, err := cfg.SetProtoEnt(); err == nil {
			for p, ok := it.GetProtoEnt(); ok; p, ok = it.GetProtoEnt() {
				printProto(w, p)
			}
		}
		return GetentOK, nil
	}
	status := GetentOK
	for _, k := range keys {
		var p *ProtoEnt
		var err error
		if k != "" && k[0] >= '0' && k[0] <= '9' {
			v, _, _ := strtoul(k)
			p, err = cfg.GetProtoByNumber(int(int32(uint32(v))))
		} else {
			p, err = cfg.GetProtoByName(k)
		}
		if err != nil {
			status = GetentNotFound
			continue
		}
		printProto(w, p)
	}
	return status, nil
}

// AddrinfoCommand is the seed's getaddrinfo example program: "usage: %s
// host port"; it resolves host and port for AF_INET and SOCK_STREAM and
// prints each result as address:port. It returns the exit status (255 for
// the example's exit(-1)).
func AddrinfoCommand(ctx context.Context, cfg Config, api sock.API, args []string, stdout, stderr io.Writer) int {
	if len(args) < 2 {
		fmt.Fprintf(stderr, "usage: getaddrinfo host port\n")
		return addrinfoExitFailure
	}
	r := NewResolver(cfg, api)
	ais, err := r.GetAddrInfo(ctx, args[0], args[1], &Hints{Family: unix.AF_INET, SockType: unix.SOCK_STREAM})
	if err != nil {
		fmt.Fprintf(stderr, "getaddrinfo: %v\n", err)
		return addrinfoExitFailure
	}
	for _, ai := range ais {
		fmt.Fprintf(stdout, "%s:%d\n", InetNtoa(ai.Addr.Addr()), ai.Addr.Port())
	}
	return 0
}

// NameinfoCommand is the seed's getnameinfo example program: "usage: %s ip
// port"; the address is read with inet_addr and the port with atoi, and the
// answer is printed as host:service.
func NameinfoCommand(ctx context.Context, cfg Config, api sock.API, args []string, stdout, stderr io.Writer) int {
	if len(args) < 2 {
		fmt.Fprintf(stderr, "usage: getnameinfo ip port\n")
		return addrinfoExitFailure
	}
	v := InetAddr(args[0])
	a := netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	port, _, _ := strtoul(args[1])
	r := NewResolver(cfg, api)
	host, serv, err := r.GetNameInfo(ctx, netip.AddrPortFrom(a, uint16(port)), 0)
	if err != nil {
		fmt.Fprintf(stderr, "getnameinfo: %v\n", err)
		return addrinfoExitFailure
	}
	fmt.Fprintf(stdout, "%s:%s\n", host, serv)
	return 0
}
