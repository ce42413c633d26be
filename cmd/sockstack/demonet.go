package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"time"

	"sockstack/apps/echo"
	"sockstack/apps/inetd"
	"sockstack/apps/ping"
	"sockstack/apps/traceroute"
	"sockstack/link"
	"sockstack/netconn"
	"sockstack/stack"
	"sockstack/vnet"
)

// demoHeader explains the virtual network the demo builds.
const demoHeader = `demo: three sockstack hosts in this process, no privileges needed:

    A 10.1.0.2/24 --- 10.1.0.1/24 R 10.2.0.1/24 --- 10.2.0.2/24 B

  A and B are hosts with a default route through R, a router that forwards
  between its two interfaces. Each link is an in-memory Ethernet segment
  (ARP resolves the neighbours) that delays every frame by %v each way, so
  a round trip between A and B takes about %v. Below, A pings B, traces the
  route to B (R answers the TTL-1 probe with time exceeded, B the next with
  port unreachable), exchanges UDP datagrams and a TCP stream with the echo
  service (RFC 862) that B runs among inetd's small services, and fetches a
  page from a net/http server on B over TCP (package netconn); all of it is
  the programs of apps/ and Go's net/http running over sock.API on the
  stack.

`

// demoLatency is each link's one-way delay.
const demoLatency = 2 * time.Millisecond

// demoNet holds the demo's network.
type demoNet struct {
	n       *vnet.Network
	a, r, b *stack.Host
}

// buildDemoNet builds A — R — B.
func buildDemoNet() (*demoNet, error) {
	d := &demoNet{n: vnet.New()}
	d.a, d.r, d.b = d.n.AddHost("A", false), d.n.AddHost("R", true), d.n.AddHost("B", false)
	fault := func(seed uint64) vnet.LinkConfig {
		imp := link.Impairment{Latency: demoLatency}
		return vnet.LinkConfig{Fault: &link.FaultConfig{Seed: seed, Tx: imp, Rx: imp}}
	}
	p := netip.MustParsePrefix
	aDev, _, err := d.n.Connect("A", p("10.1.0.2/24"), "R", p("10.1.0.1/24"), fault(1))
	if err != nil {
		return nil, errors.Join(err, d.n.Close())
	}
	_, bDev, err := d.n.Connect("R", p("10.2.0.1/24"), "B", p("10.2.0.2/24"), fault(2))
	if err != nil {
		return nil, errors.Join(err, d.n.Close())
	}
	def := p("0.0.0.0/0")
	err = errors.Join(d.a.AddRoute(def, netip.MustParseAddr("10.1.0.1"), aDev),
		d.b.AddRoute(def, netip.MustParseAddr("10.2.0.1"), bDev))
	if err != nil {
		return nil, errors.Join(err, d.n.Close())
	}
	return d, nil
}

// runNetDemo is the demo on the virtual network.
func runNetDemo(ctx context.Context, out io.Writer) error {
	fmt.Fprintf(out, demoHeader, demoLatency, 4*demoLatency)
	d, err := buildDemoNet()
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer d.n.Close()
	srv := &inetd.Server{API: d.b, Addr: netip.MustParseAddr("10.2.0.2")}
	if _, err := srv.Listen(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	sctx, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(sctx) }()
	err = demoPrograms(ctx, d, out)
	cancel()
	err = errors.Join(err, <-served)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	// R's ttl-expired drops are traceroute's TTL-1 probes, which R
	// answered with time exceeded.
	fmt.Fprintf(out, "\ndemo: drops on R by reason: %s\n", formatDrops(d.r.Drops()))
	return nil
}

// demoPrograms runs ping, traceroute and the UDP echo on A.
func demoPrograms(ctx context.Context, d *demoNet, out io.Writer) error {
	run := func(title string, main mainFunc, args ...string) error {
		fmt.Fprintf(out, "A$ %s\n", title)
		code, err := main(ctx, d.a, args, out, out)
		fmt.Fprintln(out)
		if err == nil && code != 0 {
			err = fmt.Errorf("%s: exit status %d", title, code)
		}
		return err
	}
	if err := run("ping -c 3 10.2.0.2", ping.Main, "-c", "3", "-i", "0.2", "10.2.0.2"); err != nil {
		return err
	}
	if err := run("traceroute -n 10.2.0.2", traceroute.Main, "-n", "-w", "1", "10.2.0.2"); err != nil {
		return err
	}
	fmt.Fprintln(out, "A$ udp echo to 10.2.0.2 port 7")
	c := &echo.Client{API: d.a, Network: "udp", Addr: netip.MustParseAddrPort("10.2.0.2:7")}
	conn, err := c.Dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.Check(ctx, []string{"hello from A", "through R", "to B"}, out, "A"); err != nil {
		return err
	}
	fmt.Fprintln(out, "\nA$ tcp echo to 10.2.0.2 port 7")
	tc := &echo.Client{API: d.a, Network: "tcp", Addr: netip.MustParseAddrPort("10.2.0.2:7")}
	tconn, err := tc.Dial(ctx)
	if err != nil {
		return err
	}
	defer tconn.Close()
	if err := tconn.Check(ctx, []string{"a TCP stream", "over the stack's TCP"}, out, "A"); err != nil {
		return err
	}
	return demoHTTP(ctx, d, out)
}

// demoHTTP serves a page from B with net/http over a netconn listener and
// fetches it from A with net/http's client over netconn's Dialer.
func demoHTTP(ctx context.Context, d *demoNet, out io.Writer) error {
	ln, err := netconn.Listen(d.b, "tcp", "10.2.0.2:80")
	if err != nil {
		return err
	}
	page := bytes.Repeat([]byte("sockstack serves this page over its own TCP.\n"), 2000)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(page)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	dialer := &netconn.Dialer{API: d.a, Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: dialer.DialContext}
	defer tr.CloseIdleConnections()
	fmt.Fprintln(out, "\nA$ curl http://10.2.0.2/  (Go's net/http client over sockstack)")
	req, err := http.NewRequestWithContext(ctx, "GET", "http://10.2.0.2/", nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Transport: tr, Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	fmt.Fprintf(out, "A: %s %s, %d bytes, sha256 %x\n", resp.Proto, resp.Status, len(body), sum[:8])
	if !bytes.Equal(body, page) {
		return errors.New("http: the page arrived changed")
	}
	return nil
}
