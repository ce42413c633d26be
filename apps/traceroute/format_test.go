package traceroute

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"
	"time"

	"sockstack/apps/ping/probe"
)

var (
	a1 = netip.MustParseAddr("10.0.0.1")
	a2 = netip.MustParseAddr("10.0.0.2")
)

func TestHopString(t *testing.T) {
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	for _, c := range []struct {
		hop  Hop
		want string
	}{
		{Hop{1, []Probe{{OK: true, From: a1, RTT: ms(0.123)}, {OK: true, From: a1, RTT: ms(0.098)}, {OK: true, From: a1, RTT: ms(0.101)}}},
			" 1  10.0.0.1  0.123 ms  0.098 ms  0.101 ms"},
		{Hop{2, []Probe{{}, {}, {}}}, " 2  * * *"},
		{Hop{12, []Probe{{OK: true, From: a1, RTT: ms(0.385), Note: "!N"}, {OK: true, From: a1, RTT: ms(0.364), Note: "!N"}, {}}},
			"12  10.0.0.1  0.385 ms !N  0.364 ms !N *"},
		{Hop{3, []Probe{{}, {OK: true, From: a1, RTT: ms(1)}, {OK: true, From: a2, RTT: ms(2)}}},
			" 3  * 10.0.0.1  1.000 ms 10.0.0.2  2.000 ms"},
	} {
		if got := c.hop.String(); got != c.want {
			t.Errorf("got  %q\nwant %q", got, c.want)
		}
	}
	if got := Header("h", a2, 30, 60); got != "traceroute to h (10.0.0.2), 30 hops max, 60 byte packets" {
		t.Error(got)
	}
}

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		m              probe.Message
		note           string
		reached, final bool
	}{
		{probe.Message{Type: 11}, "", false, false},
		{probe.Message{Type: 3, Code: 3}, "", true, true},
		{probe.Message{Type: 3, Code: 1}, "!H", false, true},
		{probe.Message{Type: 3, Code: 0}, "!N", false, true},
		{probe.Message{Type: 3, Code: 2}, "!P", false, true},
		{probe.Message{Type: 3, Code: 4, Word: 1400}, "!F-1400", false, true},
		{probe.Message{Type: 3, Code: 13}, "!X", false, true},
		{probe.Message{Type: 0}, "", true, true},
		{probe.Message{V6: true, Type: 3}, "", false, false},
		{probe.Message{V6: true, Type: 1, Code: 4}, "", true, true},
		{probe.Message{V6: true, Type: 1, Code: 3}, "!H", false, true},
		{probe.Message{V6: true, Type: 2, Word: 1280}, "!F-1280", false, true},
		{probe.Message{V6: true, Type: 129}, "", true, true},
	} {
		var p Probe
		classify(&c.m, &p)
		if p.Note != c.note || p.Reached != c.reached || p.Final != c.final {
			t.Errorf("v6=%v %d/%d: %+v, want %q reached %v final %v", c.m.V6, c.m.Type, c.m.Code, p, c.note, c.reached, c.final)
		}
	}
}

// quoting builds an ICMPv4 error from `from` quoting a datagram to dst with
// protocol proto and transport header l4, decoded.
func quoting(t *testing.T, typ, code byte, from string, dst netip.Addr, proto byte, l4 []byte) *probe.Message {
	t.Helper()
	inner := make([]byte, 20+len(l4))
	inner[0], inner[9] = 0x45, proto
	d := dst.As4()
	copy(inner[16:], d[:])
	copy(inner[20:], l4)
	icmp := append([]byte{typ, code, 0, 0, 0, 0, 0, 0}, inner...)
	var s uint32
	for i := 0; i+1 < len(icmp); i += 2 {
		s += uint32(binary.BigEndian.Uint16(icmp[i:]))
	}
	for s>>16 != 0 {
		s = s>>16 + s&0xffff
	}
	binary.BigEndian.PutUint16(icmp[2:], ^uint16(s))
	f := netip.MustParseAddr(from).As4()
	pkt := append([]byte{0x45, 0, 0, byte(20 + len(icmp)), 0, 0, 0, 0, 64, 1, 0, 0, f[0], f[1], f[2], f[3], 10, 0, 0, 9}, icmp...)
	var m probe.Message
	if err := probe.DecodeIPv4(pkt, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

func TestMatches(t *testing.T) {
	udp := &tracing{c: Config{Dst: a2}.withDefaults(), lport: 40000}
	ports := func(s, d uint16) []byte {
		b := make([]byte, 8)
		binary.BigEndian.PutUint16(b, s)
		binary.BigEndian.PutUint16(b[2:], d)
		return b
	}
	if !udp.matches(quoting(t, 11, 0, "10.0.0.1", a2, 17, ports(40000, 33435)), 33435) {
		t.Error("our UDP probe's Time Exceeded not matched")
	}
	for name, m := range map[string]*probe.Message{
		"other probe":       quoting(t, 11, 0, "10.0.0.1", a2, 17, ports(40000, 33436)),
		"other socket":      quoting(t, 11, 0, "10.0.0.1", a2, 17, ports(40001, 33435)),
		"other destination": quoting(t, 11, 0, "10.0.0.1", a1, 17, ports(40000, 33435)),
		"not udp":           quoting(t, 11, 0, "10.0.0.1", a2, 6, ports(40000, 33435)),
	} {
		if udp.matches(m, 33435) {
			t.Errorf("%s matched", name)
		}
	}
	ic := &tracing{c: Config{Dst: a2, ICMP: true, ID: 0x5151}.withDefaults()}
	echo := probe.NewEcho(false, 0x5151, 32).Packet(4, time.Now())
	if !ic.matches(quoting(t, 11, 0, "10.0.0.1", a2, 1, echo[:8]), 4) {
		t.Error("our echo probe's Time Exceeded not matched")
	}
	if ic.matches(quoting(t, 11, 0, "10.0.0.1", a2, 1, echo[:8]), 5) {
		t.Error("another sequence number matched")
	}
	other := probe.NewEcho(false, 0x5152, 32).Packet(4, time.Now())
	if ic.matches(quoting(t, 11, 0, "10.0.0.1", a2, 1, other[:8]), 4) {
		t.Error("another identifier matched")
	}
}

func TestParseArgs(t *testing.T) {
	var errb bytes.Buffer
	o, err := parse([]string{"-I", "-m", "5", "10.0.0.2", "-q", "1", "-w", "0.5", "-f", "2", "-p", "7", "100"}, &errb)
	if err != nil {
		t.Fatal(err)
	}
	if !o.icmp || o.max != 5 || o.queries != 1 || o.wait != 0.5 || o.first != 2 || o.port != 7 || o.packetLen != 100 || o.host != "10.0.0.2" {
		t.Fatalf("%+v", o)
	}
	for _, bad := range [][]string{{}, {"-m", "0", "h"}, {"-f", "9", "-m", "3", "h"}, {"-q", "11", "h"}, {"-w", "0", "h"}, {"h", "x"}, {"a", "60", "b"}, {"-Z", "h"}} {
		if _, err := parse(bad, &errb); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestHelpDocumentsEveryFlag(t *testing.T) {
	var out, errb bytes.Buffer
	code, _ := Main(t.Context(), nil, []string{"-h"}, &out, &errb)
	if code != 2 {
		t.Errorf("exit %d", code)
	}
	for _, f := range []string{"-4", "-6", "-f <first>", "-I", "-m <max>", "-n", "-p <port>", "-q <nqueries>", "-w <wait>"} {
		if !strings.Contains(errb.String(), "  "+f+" ") {
			t.Errorf("usage lacks %s:\n%s", f, errb.String())
		}
	}
}
