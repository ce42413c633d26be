package netnslab

import (
	"net/netip"
	"testing"
)

// Chain is four namespaces in a line, client — r1 — r2 — server, with
// IPv4 and IPv6 forwarding on the two routers:
//
//	client a0 10.213.1.2   fd7a:213:1::2
//	r1     a1 10.213.1.1   fd7a:213:1::1   b0 10.213.2.1 fd7a:213:2::1
//	r2     b1 10.213.2.2   fd7a:213:2::2   c0 10.213.3.1 fd7a:213:3::1
//	server c1 10.213.3.2   fd7a:213:3::2
//
// Only 10.213.0.0/16 and fd7a:213::/32 are routed; no namespace has a
// default route. ICMP rate limits are off so that back-to-back tests each
// get every error they provoke.
type Chain struct {
	Client, R1, R2, Server string
}

// Addresses of the chain.
var (
	ClientAddr4 = netip.MustParseAddr("10.213.1.2")
	R1Addr4     = netip.MustParseAddr("10.213.1.1") // r1 toward the client
	R2Addr4     = netip.MustParseAddr("10.213.2.2") // r2 toward r1
	ServerAddr4 = netip.MustParseAddr("10.213.3.2")
	ClientAddr6 = netip.MustParseAddr("fd7a:213:1::2")
	R1Addr6     = netip.MustParseAddr("fd7a:213:1::1")
	R2Addr6     = netip.MustParseAddr("fd7a:213:2::2")
	ServerAddr6 = netip.MustParseAddr("fd7a:213:3::2")
)

// NewChain builds the chain; t.Cleanup removes it.
func NewChain(t testing.TB, prefix string) *Chain {
	t.Helper()
	c := &Chain{Client: NewNS(t, prefix), R1: NewNS(t, prefix), R2: NewNS(t, prefix), Server: NewNS(t, prefix)}
	links := []struct{ ns1, if1, ns2, if2 string }{
		{c.Client, "a0", c.R1, "a1"}, {c.R1, "b0", c.R2, "b1"}, {c.R2, "c0", c.Server, "c1"},
	}
	var cmds [][]string
	for _, ns := range []string{c.Client, c.R1, c.R2, c.Server} {
		// No duplicate address detection, for the link-local addresses
		// too: a tentative link-local address delays neighbour
		// discovery, and so a router's first ICMPv6 error, by seconds.
		cmds = append(cmds, []string{"ip", "netns", "exec", ns, "sysctl", "-qw",
			"net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"})
	}
	for _, l := range links {
		cmds = append(cmds, []string{"ip", "link", "add", l.if1, "netns", l.ns1, "type", "veth", "peer", "name", l.if2, "netns", l.ns2})
	}
	addrs := []struct{ ns, dev, a4, a6 string }{
		{c.Client, "a0", "10.213.1.2/24", "fd7a:213:1::2/64"},
		{c.R1, "a1", "10.213.1.1/24", "fd7a:213:1::1/64"}, {c.R1, "b0", "10.213.2.1/24", "fd7a:213:2::1/64"},
		{c.R2, "b1", "10.213.2.2/24", "fd7a:213:2::2/64"}, {c.R2, "c0", "10.213.3.1/24", "fd7a:213:3::1/64"},
		{c.Server, "c1", "10.213.3.2/24", "fd7a:213:3::2/64"},
	}
	for _, a := range addrs {
		cmds = append(cmds,
			[]string{"ip", "-n", a.ns, "addr", "add", a.a4, "dev", a.dev},
			[]string{"ip", "-n", a.ns, "addr", "add", a.a6, "dev", a.dev, "nodad"},
			[]string{"ip", "-n", a.ns, "link", "set", a.dev, "up"})
	}
	routes := []struct{ ns, dst, via string }{
		{c.Client, "10.213.0.0/16", "10.213.1.1"}, {c.Client, "fd7a:213::/32", "fd7a:213:1::1"},
		{c.R1, "10.213.3.0/24", "10.213.2.2"}, {c.R1, "fd7a:213:3::/64", "fd7a:213:2::2"},
		{c.R2, "10.213.1.0/24", "10.213.2.1"}, {c.R2, "fd7a:213:1::/64", "fd7a:213:2::1"},
		{c.Server, "10.213.0.0/16", "10.213.3.1"}, {c.Server, "fd7a:213::/32", "fd7a:213:3::1"},
	}
	for _, r := range routes {
		cmds = append(cmds, []string{"ip", "-n", r.ns, "route", "add", r.dst, "via", r.via})
	}
	for _, ns := range []string{c.Client, c.R1, c.R2, c.Server} {
		cmds = append(cmds, []string{"ip", "netns", "exec", ns, "sysctl", "-qw",
			"net.ipv4.icmp_ratelimit=0", "net.ipv6.icmp.ratelimit=0"})
	}
	for _, ns := range []string{c.R1, c.R2} {
		cmds = append(cmds, []string{"ip", "netns", "exec", ns, "sysctl", "-qw",
			"net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"})
	}
	for _, cmd := range cmds {
		if err := Cmd(cmd...); err != nil {
			t.Fatal(err)
		}
	}
	return c
}
