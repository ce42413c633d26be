package traceroute

import (
	"bytes"
	"context"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"sockstack/apps/ping/netnslab"
	"sockstack/kernel"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("CI requires root for raw sockets")
		}
		t.Skip("raw sockets need root")
	}
}

func TestMainLoopback(t *testing.T) {
	requireRoot(t)
	for _, args := range [][]string{{"-n", "127.0.0.1"}, {"-I", "-n", "127.0.0.1"}, {"::1"}, {"-I", "::1"}} {
		var out, errb bytes.Buffer
		code, err := Main(testCtx(t), kernel.New(), args, &out, &errb)
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		dst, size := "127.0.0.1", "60"
		if strings.Contains(args[len(args)-1], ":") {
			dst, size = "::1", "80"
		}
		want := "traceroute to " + dst + " (" + dst + "), 30 hops max, " + size + " byte packets"
		if err != nil || code != 0 || len(lines) != 2 || lines[0] != want || !strings.HasPrefix(lines[1], " 1  "+dst+"  ") ||
			strings.Count(lines[1], " ms") != 3 {
			t.Errorf("%q: exit %d %v\n%s%s", args, code, err, out.String(), errb.String())
		}
	}
}

func TestTraceAcrossRouters(t *testing.T) {
	requireRoot(t)
	netnslab.Require(t)
	ch := netnslab.NewChain(t, nsPrefix)
	for _, c := range []struct {
		name           string
		icmp           bool
		r1, r2, server netip.Addr
	}{
		{"udp4", false, netnslab.R1Addr4, netnslab.R2Addr4, netnslab.ServerAddr4},
		{"icmp4", true, netnslab.R1Addr4, netnslab.R2Addr4, netnslab.ServerAddr4},
		{"udp6", false, netnslab.R1Addr6, netnslab.R2Addr6, netnslab.ServerAddr6},
		{"icmp6", true, netnslab.R1Addr6, netnslab.R2Addr6, netnslab.ServerAddr6},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			tr := &Tracer{API: kernel.New(), Out: &out, Config: Config{Dst: c.server, ICMP: c.icmp, Wait: 2 * time.Second}}
			var res Result
			err := netnslab.Do(ch.Client, func() (err error) {
				res, err = tr.Run(testCtx(t))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Reached || len(res.Hops) != 3 {
				t.Fatalf("reached %v after %d hops:\n%s", res.Reached, len(res.Hops), out.String())
			}
			for i, want := range []netip.Addr{c.r1, c.r2, c.server} {
				h := res.Hops[i]
				if h.TTL != i+1 || len(h.Probes) != 3 {
					t.Fatalf("hop %d: %+v", i+1, h)
				}
				for _, p := range h.Probes {
					if !p.OK || p.From != want || p.Note != "" || p.RTT <= 0 || p.Reached != (i == 2) {
						t.Errorf("hop %d probe %+v, want an answer from %v\n%s", i+1, p, want, out.String())
					}
				}
			}
			lines := strings.Split(out.String(), "\n")
			if len(lines) != 5 || !strings.HasPrefix(lines[3], " 3  "+c.server.String()+"  ") {
				t.Errorf("output:\n%s", out.String())
			}
		})
	}
	t.Run("first ttl and unanswered", func(t *testing.T) {
		// Starting at TTL 2 skips r1; an address nobody owns on the
		// last link gets no answer within the wait.
		var out bytes.Buffer
		tr := &Tracer{API: kernel.New(), Out: &out, Config: Config{Dst: netip.MustParseAddr("10.213.3.99"),
			FirstTTL: 2, MaxTTL: 3, Queries: 1, Wait: 300 * time.Millisecond}}
		var res Result
		err := netnslab.Do(ch.Client, func() (err error) {
			res, err = tr.Run(testCtx(t))
			return err
		})
		if err != nil || res.Reached || len(res.Hops) != 2 || res.Hops[0].Probes[0].From != netnslab.R2Addr4 ||
			!strings.Contains(out.String(), "\n 3  *\n") {
			t.Errorf("err %v reached %v\n%s", err, res.Reached, out.String())
		}
	})
}
