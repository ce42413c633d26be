package main

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"sockstack/resolv"
)

const lookupUsage = `
Usage:
  sockstack lookup [flags] DATABASE [KEY...]
  sockstack lookup [flags] addrinfo HOST SERVICE
  sockstack lookup [flags] nameinfo ADDRESS PORT

The name services of the seeds (003 "Address Lookup", 000 §5) over a
sockets provider. For the databases hosts, ahosts, ahostsv4, ahostsv6,
services and protocols it prints exactly what glibc's getent(1) prints for
the same query on the same files — the same lines, in the same order, with
the same exit status (0 found, 1 unknown database, 2 a key not found).
addrinfo and nameinfo work like the seed's getaddrinfo and getnameinfo
example programs. Names not in the hosts file go to DNS (resolv.conf's
nameservers, or --nameserver), over the kernel by default or over a
sockstack host attached with --tun, --tap or --iface.

` + attachHelp + `
Examples:
  sockstack lookup hosts localhost
  sockstack lookup ahostsv4 localhost
  sockstack lookup services 80/tcp
  sockstack lookup --hosts ./hosts --nameserver 127.0.0.1:5353 ahosts example.test
  sockstack lookup addrinfo localhost http
`

// addrPorts is a repeatable flag of nameserver addresses, port 53 unless
// given.
type addrPorts []netip.AddrPort

func (a *addrPorts) String() string {
	s := make([]string, len(*a))
	for i, ap := range *a {
		s[i] = ap.String()
	}
	return strings.Join(s, ",")
}

func (a *addrPorts) Set(v string) error {
	if ap, err := netip.ParseAddrPort(v); err == nil {
		*a = append(*a, ap)
		return nil
	}
	ip, err := netip.ParseAddr(v)
	if err != nil {
		return fmt.Errorf("nameserver %q: want ADDR or ADDR:PORT", v)
	}
	*a = append(*a, netip.AddrPortFrom(ip, 53))
	return nil
}

// runLookup is the lookup subcommand.
func runLookup(ctx context.Context, e env, args []string) error {
	fs := newFlags("lookup")
	var cfg resolv.Config
	fs.StringVar(&cfg.HostsPath, "hosts", "", "hosts database `FILE` (default /etc/hosts)")
	fs.StringVar(&cfg.ServicesPath, "services", "", "services database `FILE` (default /etc/services)")
	fs.StringVar(&cfg.ProtocolsPath, "protocols", "", "protocols database `FILE` (default /etc/protocols)")
	fs.StringVar(&cfg.ResolvConfPath, "resolv-conf", "", "resolver configuration `FILE` (default /etc/resolv.conf)")
	fs.StringVar(&cfg.HostConfPath, "host-conf", "", "host.conf `FILE` (default /etc/host.conf)")
	fs.StringVar(&cfg.NsswitchPath, "nsswitch", "", "nsswitch.conf `FILE` (default /etc/nsswitch.conf)")
	var ns addrPorts
	fs.Var(&ns, "nameserver", "DNS server `ADDR[:PORT]` to ask instead of resolv.conf's (repeatable)")
	at := attachFlags(fs)
	providerFlag(fs)
	help, err := parse(fs, lookupUsage, args, e)
	if help || err != nil {
		return err
	}
	cfg.Nameservers = ns
	if at.set() {
		// getaddrinfo(3) AI_ADDRCONFIG counts the families the attached
		// host has addresses of.
		var v4, v6 bool
		for _, p := range at.addrs {
			v4, v6 = v4 || p.Addr().Is4(), v6 || p.Addr().Is6()
		}
		cfg.AddrConfig = func() (bool, bool) { return v4, v6 }
	}
	if fs.NArg() < 1 {
		printUsage(e.stderr, fs, lookupUsage)
		return usagef("lookup: no database")
	}
	api, a, err := provider("lookup", fs, at)
	if err != nil {
		return err
	}
	if a != nil {
		defer a.close()
	}
	db, keys := fs.Arg(0), fs.Args()[1:]
	var code int
	switch db {
	case "addrinfo":
		code = resolv.AddrinfoCommand(ctx, cfg, api, keys, e.stdout, e.stderr)
	case "nameinfo":
		code = resolv.NameinfoCommand(ctx, cfg, api, keys, e.stdout, e.stderr)
	default:
		code, err = resolv.Getent(ctx, cfg, api, db, keys, e.stdout)
		if err != nil {
			// getent(1) prints its own complaint, e.g. "Unknown database".
			fmt.Fprintln(e.stderr, err)
		}
	}
	if code == 0 {
		return nil
	}
	return statusError{code: code, err: errors.Join()}
}
