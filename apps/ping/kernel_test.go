package ping

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"sockstack/apps/ping/netnslab"
	"sockstack/kernel"
)

// requireRoot fails in CI and skips elsewhere when raw sockets are not
// allowed.
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("CI requires root for raw sockets")
		}
		t.Skip("raw sockets need root")
	}
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var (
	replyLine = regexp.MustCompile(`^64 bytes from 127\.0\.0\.1: icmp_seq=([123]) ttl=64 time=\d+\.\d{1,3} ms$`)
	statsLine = regexp.MustCompile(`^3 packets transmitted, 3 received, 0% packet loss, time (\d+)ms$`)
	rttLine   = regexp.MustCompile(`^rtt min/avg/max/mdev = \d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3} ms$`)
)

func TestMainLoopback(t *testing.T) {
	requireRoot(t)
	var out, errb bytes.Buffer
	code, err := Main(testCtx(t), kernel.New(), []string{"-c", "3", "-i", "0.2", "127.0.0.1"}, &out, &errb)
	if err != nil || code != 0 {
		t.Fatalf("exit %d, %v; stderr %q", code, err, errb.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 8 {
		t.Fatalf("%d lines:\n%s", len(lines), out.String())
	}
	if lines[0] != "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data." {
		t.Errorf("header %q", lines[0])
	}
	for i, l := range lines[1:4] {
		m := replyLine.FindStringSubmatch(l)
		if m == nil || m[1] != string(rune('1'+i)) {
			t.Errorf("reply line %q", l)
		}
	}
	if lines[4] != "" || lines[5] != "--- 127.0.0.1 ping statistics ---" {
		t.Errorf("summary head %q %q", lines[4], lines[5])
	}
	if m := statsLine.FindStringSubmatch(lines[6]); m == nil || m[1] < "390" || len(m[1]) != 3 {
		t.Errorf("stats line %q (time should be about 400ms)", lines[6])
	}
	if !rttLine.MatchString(lines[7]) {
		t.Errorf("rtt line %q", lines[7])
	}
}

func TestPingerLoopbackStats(t *testing.T) {
	requireRoot(t)
	for _, dst := range []string{"127.0.0.1", "::1"} {
		t.Run(dst, func(t *testing.T) {
			var replies []Reply
			p := &Pinger{API: kernel.New(), OnReply: func(r Reply) { replies = append(replies, r) },
				Config: Config{Dst: mustAddr(dst), Count: 3, Interval: 100 * time.Millisecond, TTL: 17}}
			st, err := p.Run(testCtx(t))
			if err != nil {
				t.Fatal(err)
			}
			if st.Transmitted != 3 || st.Received != 3 || st.Errors != 0 || st.Timed != 3 || st.Duplicates != 0 {
				t.Fatalf("stats %+v", st)
			}
			for i, r := range replies {
				// The reply carries the replier's TTL, not ours.
				if int(r.Seq) != i+1 || r.TTL != 64 || !r.Timed || r.RTT <= 0 || r.RTT > time.Second || r.Bytes != 64 {
					t.Errorf("reply %d: %+v", i, r)
				}
			}
			if st.Min > st.Avg() || st.Avg() > st.Max || st.Elapsed < 200*time.Millisecond {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestMainUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"-c", "x", "127.0.0.1"}, {"no.such.name"}, {"-M", "sometimes", "127.0.0.1"}} {
		var out, errb bytes.Buffer
		code, err := Main(testCtx(t), kernel.New(), args, &out, &errb)
		if code != 2 || err == nil || errb.Len() == 0 {
			t.Errorf("%q: exit %d err %v stderr %q", args, code, err, errb.String())
		}
	}
}

func TestPingAcrossRouters(t *testing.T) {
	requireRoot(t)
	netnslab.Require(t)
	ch := netnslab.NewChain(t, nsPrefix)
	t.Run("reply", func(t *testing.T) {
		for _, dst := range []string{netnslab.ServerAddr4.String(), netnslab.ServerAddr6.String()} {
			var out, errb bytes.Buffer
			var code int
			err := netnslab.Do(ch.Client, func() (err error) {
				code, err = Main(testCtx(t), kernel.New(), []string{"-c", "2", "-i", "0.1", dst}, &out, &errb)
				return err
			})
			// Two routers: the reply arrives with TTL 64-2.
			if err != nil || code != 0 || !strings.Contains(out.String(), "64 bytes from "+dst+": icmp_seq=2 ttl=62 time=") ||
				!strings.Contains(out.String(), "2 packets transmitted, 2 received, 0% packet loss") {
				t.Errorf("%s: exit %d %v\n%s%s", dst, code, err, out.String(), errb.String())
			}
		}
	})
	t.Run("ttl exceeded", func(t *testing.T) {
		for _, c := range []struct{ dst, from, text string }{
			{netnslab.ServerAddr4.String(), netnslab.R1Addr4.String(), "Time to live exceeded"},
			{netnslab.ServerAddr6.String(), netnslab.R1Addr6.String(), "Time exceeded: Hop limit"},
		} {
			var out, errb bytes.Buffer
			var code int
			err := netnslab.Do(ch.Client, func() (err error) {
				code, err = Main(testCtx(t), kernel.New(), []string{"-c", "2", "-i", "0.1", "-t", "1", "-W", "2", c.dst}, &out, &errb)
				return err
			})
			want := "From " + c.from + " icmp_seq=2 " + c.text + "\n"
			if err != nil || code != 1 || !strings.Contains(out.String(), want) ||
				!strings.Contains(out.String(), "2 packets transmitted, 0 received, +2 errors, 100% packet loss") {
				t.Errorf("exit %d %v, want line %q in\n%s%s", code, err, want, out.String(), errb.String())
			}
		}
	})
	t.Run("no answer", func(t *testing.T) {
		if err := netnslab.Cmd("ip", "netns", "exec", ch.Server, "sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=1"); err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		var code int
		start := time.Now()
		err := netnslab.Do(ch.Client, func() (err error) {
			code, err = Main(testCtx(t), kernel.New(), []string{"-c", "2", "-i", "0.1", "-W", "0.5", netnslab.ServerAddr4.String()}, &out, &errb)
			return err
		})
		if err != nil || code != 1 ||
			!regexp.MustCompile(`\n2 packets transmitted, 0 received, 100% packet loss, time \d+ms\n\n$`).MatchString(out.String()) {
			t.Errorf("exit %d %v\n%s%s", code, err, out.String(), errb.String())
		}
		// -W 0.5 after the last request at 0.1 s.
		if d := time.Since(start); d < 550*time.Millisecond || d > 5*time.Second {
			t.Errorf("took %v, want about 0.6s", d)
		}
	})
}

func TestRunEndsWithContext(t *testing.T) {
	requireRoot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
	defer cancel()
	p := &Pinger{API: kernel.New(), Config: Config{Dst: mustAddr("127.0.0.1"), Interval: 50 * time.Millisecond}}
	st, err := p.Run(ctx)
	// The request sent as the context ends may go unanswered.
	if err != nil || st.Transmitted < 2 || st.Received < st.Transmitted-1 {
		t.Fatalf("stats %+v err %v", st, err)
	}
}

func TestHelpDocumentsEveryFlag(t *testing.T) {
	var out, errb bytes.Buffer
	code, _ := Main(context.Background(), kernel.New(), []string{"-h"}, &out, &errb)
	if code != 2 {
		t.Errorf("exit %d", code)
	}
	for _, f := range []string{"-4", "-6", "-c <count>", "-i <interval>", "-M <pmtud>", "-n", "-q", "-s <size>", "-t <ttl>", "-W <timeout>", "-w <deadline>"} {
		if !strings.Contains(errb.String(), "  "+f+" ") {
			t.Errorf("usage lacks %s:\n%s", f, errb.String())
		}
	}
}
