package inetd

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestDaytimeIsCtime(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 11, 22, 22, 30, 0, 0, time.UTC), "Sun Nov 22 22:30:00 2026\r\n"},
		// ctime(3) pads a one-digit day with a space, not a zero.
		{time.Date(2026, 3, 2, 7, 5, 9, 0, time.UTC), "Mon Mar  2 07:05:09 2026\r\n"},
	} {
		if got := string(AppendDaytime(nil, tc.t)); got != tc.want {
			t.Errorf("AppendDaytime(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

func TestChargenLines(t *testing.T) {
	first := string(AppendChargenLine(nil, 0))
	want := ` !"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_` + "`abcdefg\r\n"
	if first != want {
		t.Fatalf("line 0 = %q, want %q", first, want)
	}
	// RFC 864: each line starts one character later; after '~' comes ' '.
	if got := string(AppendChargenLine(nil, 1)); got[:ChargenLineLen-1] != first[1:ChargenLineLen] || got[ChargenLineLen-1] != 'h' {
		t.Errorf("line 1 = %q does not follow line 0", got)
	}
	if got := string(AppendChargenLine(nil, 94)); !strings.HasPrefix(got, "~ !\"") {
		t.Errorf("line 94 = %q, want it to begin with ~ then wrap to space", got)
	}
	if a, b := AppendChargenLine(nil, 95), AppendChargenLine(nil, 0); !bytes.Equal(a, b) {
		t.Errorf("line 95 %q differs from line 0 %q: the period is not 95 lines", a, b)
	}
	p := chargenPattern()
	if len(p) != 2*chargenPeriod {
		t.Fatalf("pattern is %d bytes, want %d", len(p), 2*chargenPeriod)
	}
	for line := 0; line < 2*chargenCount; line++ {
		got := p[line*chargenLine : (line+1)*chargenLine]
		if want := AppendChargenLine(nil, line); !bytes.Equal(got, want) {
			t.Fatalf("pattern line %d = %q, want %q", line, got, want)
		}
	}
}

func TestParseService(t *testing.T) {
	for _, s := range All() {
		got, err := ParseService(s.String())
		if err != nil || got != s {
			t.Errorf("ParseService(%q) = %v, %v", s.String(), got, err)
		}
	}
	if _, err := ParseService("finger"); err == nil {
		t.Error("ParseService(finger) succeeded")
	}
	ports := map[Service]uint16{Echo: 7, Discard: 9, Daytime: 13, Chargen: 19}
	for s, p := range ports {
		if s.Port() != p {
			t.Errorf("%v.Port() = %d, want %d", s, s.Port(), p)
		}
	}
}

func TestLoopsGuard(t *testing.T) {
	for _, p := range []uint16{0, 7, 9, 13, 19} {
		if !loops(p) {
			t.Errorf("loops(%d) = false: a reply to port %d could start a loop", p, p)
		}
	}
	for _, p := range []uint16{1, 53, 1024, 40000} {
		if loops(p) {
			t.Errorf("loops(%d) = true", p)
		}
	}
}
