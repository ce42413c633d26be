package ping

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"

	"sockstack/apps/ping/probe"
)

func statsOf(us ...int64) *Stats {
	s := &Stats{Transmitted: len(us), Received: len(us)}
	for _, u := range us {
		s.AddRTT(time.Duration(u) * time.Microsecond)
	}
	return s
}

// The figures are real iputils 20221126 output on this machine.
func TestStatsMatchIputils(t *testing.T) {
	for _, c := range []struct {
		rtts []int64
		want string
	}{
		{[]int64{120, 43, 44}, "rtt min/avg/max/mdev = 0.043/0.069/0.120/0.036 ms"},
		{[]int64{49, 44}, "rtt min/avg/max/mdev = 0.044/0.046/0.049/0.002 ms"},
		{[]int64{43, 27}, "rtt min/avg/max/mdev = 0.027/0.035/0.043/0.008 ms"},
		{[]int64{179, 60}, "rtt min/avg/max/mdev = 0.060/0.119/0.179/0.059 ms"},
		{[]int64{76}, "rtt min/avg/max/mdev = 0.076/0.076/0.076/0.000 ms"},
	} {
		var b bytes.Buffer
		if err := statsOf(c.rtts...).WriteSummary(&b, "x"); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), c.want+"\n") {
			t.Errorf("%v: got\n%s\nwant line %q", c.rtts, b.String(), c.want)
		}
	}
}

func TestIsqrt(t *testing.T) {
	for v := int64(0); v < 5000; v++ {
		r := isqrt(v)
		if r*r > v || (r+1)*(r+1) <= v {
			t.Fatalf("isqrt(%d) = %d", v, r)
		}
	}
	if isqrt(1<<62) != 1<<31 || isqrt(1<<63-1) != 3037000499 {
		t.Fatal("large isqrt")
	}
}

func TestSummaryFormats(t *testing.T) {
	for _, c := range []struct {
		st   Stats
		want string
	}{
		{Stats{Transmitted: 2, Errors: 2, Elapsed: 204 * time.Millisecond},
			"\n--- h ping statistics ---\n2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 204ms\n\n"},
		{Stats{Transmitted: 3, Errors: 3, Pipe: 3, Elapsed: 408 * time.Millisecond},
			"\n--- h ping statistics ---\n3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 408ms\npipe 3\n"},
		{Stats{Transmitted: 3, Received: 2, Duplicates: 1, Elapsed: 2003 * time.Millisecond},
			"\n--- h ping statistics ---\n3 packets transmitted, 2 received, +1 duplicates, 33.3333% packet loss, time 2003ms\n\n"},
	} {
		var b bytes.Buffer
		if err := c.st.WriteSummary(&b, "h"); err != nil {
			t.Fatal(err)
		}
		if b.String() != c.want {
			t.Errorf("got %q\nwant %q", b.String(), c.want)
		}
	}
}

func TestFormatRTT(t *testing.T) {
	for us, want := range map[int64]string{
		45: "0.045", 999: "0.999", 1234: "1.23", 9994: "9.99", 9995: "10.0", 12345: "12.3",
		99949: "99.9", 99950: "100", 123456: "123", 0: "0.000",
	} {
		if got := FormatRTT(time.Duration(us) * time.Microsecond); got != want {
			t.Errorf("FormatRTT(%dus) = %q, want %q", us, got, want)
		}
	}
}

func TestErrorText(t *testing.T) {
	for _, c := range []struct {
		m    probe.Message
		want string
	}{
		{probe.Message{Type: 11}, "Time to live exceeded"},
		{probe.Message{Type: 3, Code: 1}, "Destination Host Unreachable"},
		{probe.Message{Type: 3, Code: 0}, "Destination Net Unreachable"},
		{probe.Message{Type: 3, Code: 4, Word: 1400}, "Frag needed and DF set (mtu = 1400)"},
		{probe.Message{Type: 3, Code: 99}, "Dest Unreachable, Bad Code: 99"},
		{probe.Message{V6: true, Type: 3}, "Time exceeded: Hop limit"},
		{probe.Message{V6: true, Type: 1, Code: 3}, "Destination unreachable: Address unreachable"},
		{probe.Message{V6: true, Type: 2, Word: 1280}, "Packet too big: mtu=1280"},
	} {
		if got := ErrorText(&c.m); got != c.want {
			t.Errorf("%d/%d: %q, want %q", c.m.Type, c.m.Code, got, c.want)
		}
	}
}

func TestHeader(t *testing.T) {
	c := Config{Dst: netip.MustParseAddr("10.0.0.2")}
	if got := c.Header(); got != "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data." {
		t.Error(got)
	}
	c = Config{Dst: netip.MustParseAddr("127.0.0.1"), Name: "localhost", Size: 8}
	if got := c.Header(); got != "PING localhost (127.0.0.1) 8(36) bytes of data." {
		t.Error(got)
	}
	c = Config{Dst: netip.IPv6Loopback()}
	if got := c.Header(); got != "PING ::1(::1) 56 data bytes" {
		t.Error(got)
	}
}

func TestExitStatus(t *testing.T) {
	if ExitStatus(&Stats{Transmitted: 3}, 3, false) != 1 {
		t.Error("no reply must exit 1")
	}
	if ExitStatus(&Stats{Transmitted: 3, Received: 1}, 3, false) != 0 {
		t.Error("some reply without -w must exit 0")
	}
	if ExitStatus(&Stats{Transmitted: 3, Received: 1}, 3, true) != 1 {
		t.Error("fewer than count with -w must exit 1")
	}
}
