package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"sockstack/apps/inetd"
	"sockstack/netconn"
)

const upUsage = `
Usage:
  sockstack up (--tun NAME | --tap NAME | --iface NAME) [--netns NS]
               --addr CIDR [--addr CIDR ...] [--gw ADDR] [--mtu N]
               [--capture FILE] [--services LIST] [--http DIR [--http-port N]] [-v]

Runs a sockstack host on a Linux device until interrupted (SIGINT or
SIGTERM). The host answers ping (ICMP echo, RFC 792) and ARP, reassembles
fragments, sends port unreachable for closed UDP ports (so traceroute
finds it), and serves the small services of inetd on UDP and TCP (TCP
whenever the stack can make SOCK_STREAM sockets): echo (7, RFC 862),
discard (9, RFC 863), daytime (13, RFC 867) and chargen (19, RFC 864).

It prints what it attached to, for example
  sockstack up: tun0 10.213.1.2/24 mtu 1500, serving echo discard daytime chargen on udp and tcp
and, on exit, the link's counters and the host's drops by reason.

` + attachHelp + `
Other flags:
  --services LIST comma-separated services to serve (default all; "none"
                  serves nothing but ping)
  --http DIR      also serve the files of DIR over HTTP: Go's net/http
                  FileServer on the stack's own TCP (package netconn), on
                  port 80 unless --http-port says otherwise
  -v              log each TCP connection and each service error

Example (as root; the lab of LAB.md, with addresses only inside a
namespace that has no default route):
  ip netns add lab
  sockstack up --netns lab --tun tun0 --addr 10.213.1.2/24 &
  ip -n lab link set lo up
  ip -n lab link set tun0 mtu 1500 up
  ip -n lab addr add 10.213.1.1/24 dev tun0
  ip netns exec lab ping -c 3 10.213.1.2
  ip netns exec lab socat - UDP:10.213.1.2:13        # daytime over UDP
  ip netns exec lab socat -u TCP:10.213.1.2:19 - | head -3   # chargen
  kill -INT %1; ip netns del lab

With --http /srv/files, curl fetches from the stack:
  ip netns exec lab curl -o copy http://10.213.1.2/somefile

The same over veth and AF_PACKET (the stack's end alone in its own
namespace):
  ip netns add peer; ip netns add stk
  ip link add p0 netns peer type veth peer name s0 netns stk
  ip netns exec stk sysctl -qw net.ipv6.conf.s0.disable_ipv6=1
  ip netns exec peer ethtool -K p0 tx off
  ip -n peer addr add 10.213.4.1/24 dev p0
  ip -n peer link set p0 up; ip -n stk link set s0 up
  sockstack up --netns stk --iface s0 --addr 10.213.4.2/24 &
  ip netns exec peer ping -c 3 10.213.4.2
`

// runUp is the up subcommand.
func runUp(ctx context.Context, e env, args []string) error {
	fs := newFlags("up")
	at := attachFlags(fs)
	services := fs.String("services", "echo,discard,daytime,chargen", "comma-separated `LIST` of services, or none")
	verbose := fs.Bool("v", false, "log TCP connections and service errors")
	httpDir := fs.String("http", "", "serve the files of `DIR` over HTTP on the stack")
	httpPort := fs.Int("http-port", 80, "the HTTP server's `PORT`")
	if help, err := parse(fs, upUsage, args, e); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("up: unexpected argument %q", fs.Arg(0))
	}
	if err := at.check("up", true); err != nil {
		return err
	}
	svcs, err := parseServices(*services)
	if err != nil {
		return err
	}
	a, err := at.attach("sockstack")
	if err != nil {
		return fmt.Errorf("up: %w", err)
	}
	srv := &inetd.Server{API: a.host, Services: svcs, RcvBuf: 1 << 20}
	if *verbose {
		srv.Log = prefixed(e.stderr, "up: ")
	}
	line := "sockstack up: " + a.describe(at)
	if len(svcs) > 0 {
		if _, err := srv.Listen(); err != nil {
			return fmt.Errorf("up: %w", errors.Join(err, a.close()))
		}
		nets := "udp"
		if srv.TCP() {
			nets = "udp and tcp"
		}
		line += fmt.Sprintf(", serving %s on %s", joinServices(svcs), nets)
	}
	fmt.Fprintln(e.stdout, line)
	if *httpDir != "" {
		stop, err := serveHTTP(a, at, *httpDir, *httpPort, e)
		if err != nil {
			return fmt.Errorf("up: %w", errors.Join(err, a.close()))
		}
		defer stop()
	}
	if len(svcs) > 0 {
		err = srv.Serve(ctx)
	} else {
		<-ctx.Done()
	}
	err = errors.Join(err, a.close())
	for _, svc := range svcs {
		st := srv.Stats(svc)
		fmt.Fprintf(e.stdout, "sockstack up: %s: %d datagrams, %d replies, %d connections\n",
			svc, st.Datagrams, st.Replies, st.Conns)
	}
	a.report(e.stdout, "sockstack up")
	if err != nil {
		return fmt.Errorf("up: %w", err)
	}
	return nil
}

// parseServices parses --services.
func parseServices(s string) ([]inetd.Service, error) {
	if s == "none" {
		return []inetd.Service{}, nil
	}
	var out []inetd.Service
	for _, name := range strings.Split(s, ",") {
		svc, err := inetd.ParseService(strings.TrimSpace(name))
		if err != nil {
			return nil, usageError{err}
		}
		out = append(out, svc)
	}
	return out, nil
}

func joinServices(svcs []inetd.Service) string {
	names := make([]string, len(svcs))
	for i, s := range svcs {
		names[i] = s.String()
	}
	return strings.Join(names, " ")
}

// serveHTTP serves dir with net/http on the attached host's first address
// (or all of them) and returns a function that stops the server.
func serveHTTP(a *attached, at *attachOpts, dir string, port int, e env) (func(), error) {
	host := "0.0.0.0"
	if len(at.addrs) > 0 {
		host = at.addrs[0].Addr().String()
	}
	ln, err := netconn.Listen(a.host, "tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(dir)), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	fmt.Fprintf(e.stdout, "sockstack up: serving %s at http://%s/\n", dir, ln.Addr())
	return func() { srv.Close() }, nil
}
