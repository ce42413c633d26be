package resolv

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"

	"sockstack/link"
	"sockstack/stack"
)

// labNetns creates a network namespace for the test and deletes it at
// cleanup. It fails in CI and skips elsewhere without root or ip.
func labNetns(t *testing.T) string {
	t.Helper()
	needTool(t, "ip")
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("this test needs root (network namespaces), and CI must run it")
		}
		t.Skip("needs root for network namespaces")
	}
	name := fmt.Sprintf("sockstack-rs-%d-%s", os.Getpid(), strings.ReplaceAll(t.Name(), "/", "-"))
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
	ip(t, "-n", name, "link", "set", "lo", "up")
	return name
}

func ip(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip %v: %v: %s", args, err, out)
	}
}

// Issue 6: the same DNS lookups as TestDNSAgainstDnsmasq, but going out
// through a sockstack host: the stack owns 10.213.9.2 on a TUN whose Linux
// end, 10.213.9.1, is in a namespace where dnsmasq answers on port 53.
// UDP queries, and the TCP fallback for the truncated answer, run on the
// stack's own UDP and TCP.
func TestDNSThroughStackOnTUN(t *testing.T) {
	ns := labNetns(t)
	tun, err := link.OpenTUNInNetns("/run/netns/"+ns, "tun0", link.DeviceOptions{MTU: 1500})
	if err != nil {
		t.Fatalf("open TUN in %s: %v", ns, err)
	}
	ip(t, "-n", ns, "link", "set", "tun0", "up")
	ip(t, "-n", ns, "addr", "add", "10.213.9.1/24", "dev", "tun0")
	h := stack.New(stack.Options{Name: "dns-client"})
	t.Cleanup(func() { h.Stop() })
	if _, err := h.AddNIC(tun, stack.NICConfig{Name: "tun0", Addrs: []netip.Prefix{netip.MustParsePrefix("10.213.9.2/24")}}); err != nil {
		t.Fatal(err)
	}
	runDnsmasq(t, ns, "10.213.9.1", 53)
	cfg := dnsConfig(t, 53, "search test\noptions timeout:2 attempts:3\n")
	cfg.Nameservers = []netip.AddrPort{netip.MustParseAddrPort("10.213.9.1:53")}
	// getaddrinfo(3) AI_ADDRCONFIG: the host has an IPv4 address and no
	// IPv6 one (it has no route to probe with, so say so directly).
	cfg.AddrConfig = func() (v4, v6 bool) { return true, false }
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("stack drops: %v; link: %+v", h.Drops(), tun.Stats())
		}
	})
	dnsChecks(t, cfg, h)
}
