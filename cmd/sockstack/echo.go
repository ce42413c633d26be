package main

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"sockstack/apps/echo"
	"sockstack/sock"
)

const echoUsage = `
Usage:
  sockstack echo -l [-p PORT] [-s ADDR] [-u] [-4|-6] [-v] [-provider NAME]
  sockstack echo [-u] [-4|-6] [-q SECS] [-v] [-provider NAME] HOST PORT

The TCP echo server and client of seed 003 ("Example: TCP Echo Server"),
used in the manner of nc(1).

With -l, echo serves on ADDR:PORT (default 0.0.0.0, or :: with -6, and port
0): every byte a TCP client sends is written back until the client shuts
down its sending side; with -u every UDP datagram is sent back to its
source. Each client is served by its own goroutine where the seed forks.
Like nc, the server is silent unless -v; but when PORT is 0 it prints the
bound address ("listening on ADDR:PORT") to stderr so a client can find it.
SIGINT or SIGTERM stops it cleanly with status 0.

Without -l, echo connects to HOST PORT (an IP address or "localhost"), copies
standard input to the server and what comes back to standard output. At EOF
on standard input it always shuts down its sending side, like nc -N
(shutdown(2) SHUT_WR), and keeps printing until the server closes, so
nothing echoed is lost. -q SECS is nc -q: after EOF on standard input, quit
after SECS seconds even if the server has not closed (a UDP server never
closes, so use -q with -u). If the server closes first, echo exits at once.

See seed 003, nc(1), socket(2), bind(2), listen(2), accept(2), connect(2),
shutdown(2), recvfrom(2) and sendto(2).
`

// echoOpts holds the parsed flags of the echo subcommand.
type echoOpts struct {
	listen, udp, v4, v6, verbose bool
	port                         int
	source, providerName         string
	quit                         float64
}

func runEcho(ctx context.Context, e env, args []string) error {
	fs := newFlags("echo")
	var o echoOpts
	fs.BoolVar(&o.listen, "l", false, "listen: run the echo server")
	fs.IntVar(&o.port, "p", 0, "`PORT` to listen on with -l; 0 picks a free port")
	fs.StringVar(&o.source, "s", "", "`ADDR` to listen on with -l (default 0.0.0.0, or :: with -6)")
	fs.BoolVar(&o.udp, "u", false, "UDP instead of TCP")
	fs.BoolVar(&o.v4, "4", false, "IPv4 only")
	fs.BoolVar(&o.v6, "6", false, "IPv6 only")
	fs.BoolVar(&o.verbose, "v", false, "report the listening address and each connection on stderr")
	fs.Float64Var(&o.quit, "q", -1, "client: after EOF on stdin, quit after `SECS` seconds; negative waits for the server to close")
	providerName := providerFlag(fs)
	if help, err := parse(fs, echoUsage, args, e); help || err != nil {
		return err
	}
	o.providerName = *providerName
	if o.v4 && o.v6 {
		return usagef("echo: -4 and -6 exclude each other")
	}
	api, _, err := provider("echo", fs, nil)
	if err != nil {
		return err
	}
	if o.listen {
		return echoServe(ctx, e, api, o, fs.Args())
	}
	return echoDial(ctx, e, api, o, fs.Args())
}

// network returns the echo Network for -u.
func (o echoOpts) network() string {
	if o.udp {
		return "udp"
	}
	return "tcp"
}

// echoServe runs the server of sockstack echo -l.
func echoServe(ctx context.Context, e env, api sock.API, o echoOpts, args []string) error {
	if len(args) > 1 || (len(args) == 1 && o.port != 0) {
		return usagef("echo: -l takes at most one PORT (or -p PORT)")
	}
	port := o.port
	if len(args) == 1 {
		p, err := parsePort(args[0], true)
		if err != nil {
			return err
		}
		port = int(p)
	}
	if port < 0 || port > 65535 {
		return usagef("echo: port %d out of range 0-65535", port)
	}
	ip, err := listenAddr(o)
	if err != nil {
		return err
	}
	s := &echo.Server{API: api, Network: o.network(), Addr: netip.AddrPortFrom(ip, uint16(port))}
	if o.verbose {
		s.Log = e.stderr
	}
	// Errors of package echo already begin with "echo: ".
	bound, err := s.Listen()
	if err != nil {
		return err
	}
	if o.verbose || port == 0 {
		fmt.Fprintf(e.stderr, "listening on %v\n", bound)
	}
	return s.Serve(ctx)
}

// listenAddr returns the -s address, or the unspecified address of -4/-6.
func listenAddr(o echoOpts) (netip.Addr, error) {
	if o.source == "" {
		if o.v6 {
			return netip.IPv6Unspecified(), nil
		}
		return netip.IPv4Unspecified(), nil
	}
	return parseHost(o.source, o)
}

// echoDial runs the client of sockstack echo HOST PORT.
func echoDial(ctx context.Context, e env, api sock.API, o echoOpts, args []string) error {
	if len(args) != 2 {
		return usagef("echo: want HOST PORT, or -l to listen (see sockstack echo -h)")
	}
	if o.source != "" || o.port != 0 {
		return usagef("echo: -s and -p apply to -l only")
	}
	ip, err := parseHost(args[0], o)
	if err != nil {
		return err
	}
	port, err := parsePort(args[1], false)
	if err != nil {
		return err
	}
	c := &echo.Client{API: api, Network: o.network(), Addr: netip.AddrPortFrom(ip, port)}
	conn, err := c.Dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if o.verbose {
		fmt.Fprintf(e.stderr, "connected to %v from %v\n", conn.RemoteAddr(), conn.LocalAddr())
	}
	quit := time.Duration(-1)
	if o.quit >= 0 {
		quit = time.Duration(o.quit * float64(time.Second))
	}
	err = conn.Pipe(ctx, e.stdin, e.stdout, quit)
	if errors.Is(err, context.Canceled) {
		return errors.New("echo: interrupted")
	}
	return err
}

// parseHost parses an IP address ("[::1]" too) or "localhost", which is
// 127.0.0.1, or ::1 with -6. Host names wait for the resolver.
func parseHost(host string, o echoOpts) (netip.Addr, error) {
	if host == "localhost" {
		if o.v6 {
			return netip.IPv6Loopback(), nil
		}
		return netip.MustParseAddr("127.0.0.1"), nil
	}
	ip, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	if err != nil {
		return netip.Addr{}, usagef("echo: %q is not an IP address (host names other than localhost are not resolved yet)", host)
	}
	if o.v4 && !ip.Is4() {
		return netip.Addr{}, usagef("echo: -4 with IPv6 address %v", ip)
	}
	if o.v6 && ip.Is4() {
		return netip.Addr{}, usagef("echo: -6 with IPv4 address %v", ip)
	}
	return ip, nil
}

// parsePort parses a decimal port; zero is allowed only to listen.
func parsePort(s string, zeroOK bool) (uint16, error) {
	p, err := strconv.ParseUint(s, 10, 16)
	if err != nil || (p == 0 && !zeroOK) {
		return 0, usagef("echo: bad port %q (want a number 1-65535)", s)
	}
	return uint16(p), nil
}
