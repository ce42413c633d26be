package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"sync"
	"time"

	"sockstack/apps/echo"
	"sockstack/kernel"
	"sockstack/sock"
)

const demoUsage = `
Usage:
  sockstack demo
  sockstack demo -provider kernel [-n CLIENTS] [-6]

Without flags, builds three sockstack hosts in this process, A — R — B, no
privileges needed: A 10.1.0.2/24 and B 10.2.0.2/24 route through R (10.1.0.1
and 10.2.0.1, forwarding), over in-memory Ethernet links that delay each
frame 2 ms each way. On A it then runs ping -c 3 to B, traceroute to B (the
hop R at 10.1.0.1, then 10.2.0.2) and a UDP echo exchange with the echo
service B serves among inetd's small services, printing what each prints.

With -provider kernel, the earlier demo over the host's loopback: the echo
server of seed 003 on an ephemeral port (127.0.0.1, or ::1 with -6), one
client that sends a few lines and checks each echo, then half-closes
(shutdown(2) SHUT_WR) and reads the server's EOF; then CLIENTS clients at
once, each served by its own goroutine where the seed forks; last, a UDP
echo server returns a datagram (recvfrom(2), sendto(2)).

See seed 003, ping(8), traceroute(8), RFC 862, accept(2), shutdown(2).
`

// runDemo is the demo subcommand.
func runDemo(ctx context.Context, e env, args []string) error {
	fs := newFlags("demo")
	n := fs.Int("n", 3, "with -provider kernel: number of `CLIENTS` that run at once (1-100)")
	v6 := fs.Bool("6", false, "with -provider kernel: use ::1 instead of 127.0.0.1")
	providerName := fs.String("provider", "stack", "`NAME`: stack (three sockstack hosts in one process) or kernel (echo over loopback)")
	if help, err := parse(fs, demoUsage, args, e); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("demo: unexpected argument %q", fs.Arg(0))
	}
	if *n < 1 || *n > 100 {
		return usagef("demo: -n %d out of range 1-100", *n)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	switch *providerName {
	case "stack":
		return runNetDemo(ctx, e.stdout)
	case "kernel":
	default:
		return usagef("demo: unknown provider %q (available: stack, kernel)", *providerName)
	}
	api := kernel.New()
	ip := netip.MustParseAddr("127.0.0.1")
	if *v6 {
		ip = netip.IPv6Loopback()
	}
	out := &lockedWriter{w: e.stdout}
	fmt.Fprintf(out, "demo: echo over the kernel provider on %v\n", ip)
	if err := demoTCP(ctx, api, ip, *n, out); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := demoUDP(ctx, api, ip, out); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintln(out, "demo: every echo matched")
	return nil
}

// serveInBackground listens and serves s until the returned stop is called;
// stop returns Serve's result.
func serveInBackground(ctx context.Context, s *echo.Server, out io.Writer, name string) (netip.AddrPort, func() error, error) {
	addr, err := s.Listen()
	if err != nil {
		return addr, nil, err
	}
	fmt.Fprintf(out, "%s: listening on %v\n", name, addr)
	sctx, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- s.Serve(sctx) }()
	stop := func() error {
		cancel()
		err := <-served
		fmt.Fprintf(out, "%s: stopped\n", name)
		return err
	}
	return addr, stop, nil
}

// demoTCP runs the TCP part of the demo.
func demoTCP(ctx context.Context, api sock.API, ip netip.Addr, n int, out io.Writer) error {
	s := &echo.Server{API: api, Addr: netip.AddrPortFrom(ip, 0), Log: prefixed(out, "server: ")}
	addr, stop, err := serveInBackground(ctx, s, out, "server")
	if err != nil {
		return err
	}
	c := &echo.Client{API: api, Addr: addr}
	err = demoHalfClose(ctx, c, out)
	if err == nil {
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { errs[i] = demoClient(ctx, c, i+2, out) })
		}
		wg.Wait()
		err = errors.Join(errs...)
	}
	return errors.Join(err, stop())
}

// demoHalfClose sends lines, checks their echoes, then half-closes and
// waits for the server's EOF.
func demoHalfClose(ctx context.Context, c *echo.Client, out io.Writer) error {
	conn, err := c.Dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	fmt.Fprintf(out, "client 1: connected from %v\n", conn.LocalAddr())
	if err := conn.Check(ctx, []string{"hello\n", "sockets\n", "world\n"}, out, "client 1"); err != nil {
		return err
	}
	if err := conn.CloseWrite(); err != nil {
		return err
	}
	fmt.Fprintln(out, "client 1: shutdown(SHUT_WR)")
	if n, err := conn.Read(ctx, make([]byte, 64)); !errors.Is(err, io.EOF) {
		return fmt.Errorf("client 1: after shutdown read %d bytes, %v; want EOF", n, err)
	}
	fmt.Fprintln(out, "client 1: received EOF")
	return nil
}

// demoClient is one of the concurrent clients.
func demoClient(ctx context.Context, c *echo.Client, id int, out io.Writer) error {
	conn, err := c.Dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	name := fmt.Sprintf("client %d", id)
	lines := []string{fmt.Sprintf("line 1 from %s\n", name), fmt.Sprintf("line 2 from %s\n", name)}
	return conn.Check(ctx, lines, out, name)
}

// demoUDP runs the UDP part of the demo.
func demoUDP(ctx context.Context, api sock.API, ip netip.Addr, out io.Writer) error {
	s := &echo.Server{API: api, Network: "udp", Addr: netip.AddrPortFrom(ip, 0), Log: prefixed(out, "udp server: ")}
	addr, stop, err := serveInBackground(ctx, s, out, "udp server")
	if err != nil {
		return err
	}
	c := &echo.Client{API: api, Network: "udp", Addr: addr}
	conn, err := c.Dial(ctx)
	if err == nil {
		err = conn.Check(ctx, []string{"a datagram"}, out, "udp client")
		conn.Close()
	}
	return errors.Join(err, stop())
}

// lockedWriter serialises writes from the demo's goroutines, so that every
// transcript line is written whole.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// prefixWriter writes prefix before each write, which is one whole line
// for the echo server's log.
type prefixWriter struct {
	w      io.Writer
	prefix string
}

func prefixed(w io.Writer, prefix string) io.Writer { return prefixWriter{w, prefix} }

func (p prefixWriter) Write(b []byte) (int, error) {
	if _, err := p.w.Write(append([]byte(p.prefix), b...)); err != nil {
		return 0, err
	}
	return len(b), nil
}
