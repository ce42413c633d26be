package interop

import (
	"bytes"
	"context"
	"net/netip"
	"regexp"
	"testing"
	"time"

	"sockstack/apps/ping"
	"sockstack/apps/traceroute"
	"sockstack/link"
)

// stackPing runs apps/ping on the stack host against Linux: every
// request must be answered.
func stackPing(t *testing.T, host *stackHost, dst netip.Addr) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out bytes.Buffer
	code, err := ping.Main(ctx, host.h, []string{"-c", "5", "-i", "0.2", "-s", "1400", dst.String()}, &out, &out)
	if err != nil || code != 0 {
		t.Fatalf("ping: status %d, %v\n%s", code, err, out.String())
	}
	s, err := parsePing(out.String())
	if err != nil || s.sent != 5 || s.received != 5 {
		t.Errorf("stack ping %v: %+v, %v, want 5 of 5:\n%s", dst, s, err, out.String())
	}
	t.Logf("stack ping: %s", lastLines(out.String(), 2))
}

// TestTraceAcrossLinuxRouters traces from a sockstack host on a TUN in
// router r1 through router r2 to a Linux host:
//
//	stack 10.213.5.2 —tun0— 10.213.5.1 r1 10.213.6.1 —veth— 10.213.6.2 r2 10.213.7.1 —veth— 10.213.7.2 dst
func TestTraceAcrossLinuxRouters(t *testing.T) {
	needLab(t)
	r1, r2, dst := netns(t), netns(t), netns(t)
	sh(t, "ip", "link", "add", "a1", "netns", r1, "type", "veth", "peer", "name", "b2", "netns", r2)
	sh(t, "ip", "link", "add", "c2", "netns", r2, "type", "veth", "peer", "name", "d0", "netns", dst)
	for _, c := range [][]string{
		{r1, "ip", "addr", "add", "10.213.6.1/24", "dev", "a1"},
		{r1, "ip", "link", "set", "a1", "up"},
		{r1, "ip", "route", "add", "10.213.7.0/24", "via", "10.213.6.2"},
		{r1, "sysctl", "-qw", "net.ipv4.ip_forward=1"},
		{r2, "ip", "addr", "add", "10.213.6.2/24", "dev", "b2"},
		{r2, "ip", "addr", "add", "10.213.7.1/24", "dev", "c2"},
		{r2, "ip", "link", "set", "b2", "up"},
		{r2, "ip", "link", "set", "c2", "up"},
		{r2, "ip", "route", "add", "10.213.5.0/24", "via", "10.213.6.1"},
		{r2, "sysctl", "-qw", "net.ipv4.ip_forward=1"},
		{dst, "ip", "addr", "add", "10.213.7.2/24", "dev", "d0"},
		{dst, "ip", "link", "set", "d0", "up"},
		{dst, "ip", "route", "add", "10.213.5.0/24", "via", "10.213.7.1"},
	} {
		in(t, c[0], c[1:]...)
	}
	ep, err := link.OpenTUNInNetns(r1, "tun0", link.DeviceOptions{MTU: 1500})
	if err != nil {
		t.Fatal(err)
	}
	host := startStack(t, ep, "tun0", netip.MustParsePrefix("10.213.5.2/24"),
		map[netip.Prefix]netip.Addr{netip.MustParsePrefix("10.213.0.0/16"): netip.MustParseAddr("10.213.5.1")})
	in(t, r1, "ip", "link", "set", "tun0", "up")
	in(t, r1, "ip", "addr", "add", "10.213.5.1/24", "dev", "tun0")
	cap := startCapture(t, r1, "tun0")
	t.Run("ping dst", func(t *testing.T) { stackPing(t, host, netip.MustParseAddr("10.213.7.2")) })
	hops := regexp.MustCompile(`(?s)\n 1  10\.213\.5\.1  .*\n 2  10\.213\.6\.2  .*\n 3  10\.213\.7\.2  `)
	for _, mode := range [][]string{{"-n"}, {"-n", "-I"}} {
		t.Run("traceroute "+mode[len(mode)-1], func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var out bytes.Buffer
			args := append(mode, "-q", "2", "-w", "2", "10.213.7.2")
			code, err := traceroute.Main(ctx, host.h, args, &out, &out)
			if err != nil || code != 0 || !hops.MatchString(out.String()) {
				t.Errorf("traceroute %q: status %d, %v; want hops 10.213.5.1, 10.213.6.2, 10.213.7.2:\n%s", args, code, err, out.String())
			}
			t.Logf("traceroute %q:\n%s", args, out.String())
		})
	}
	cap.stop(t)
	// Linux counts a forwarded packet whose TTL runs out under
	// IpInHdrErrors: each router saw exactly the 2+2 probes that expired
	// there, and nothing else went wrong.
	checkNstat(t, r1, map[string]int{"IpInHdrErrors": 4})
	checkNstat(t, r2, map[string]int{"IpInHdrErrors": 4})
	checkNstat(t, dst, nil)
}
