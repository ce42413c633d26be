package ping

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"

	"sockstack/apps/ping/probe"
)

// newRun is a run with nothing sent yet, as Run would make it.
func newRun(out *bytes.Buffer, dst string) *run {
	c := Config{Dst: netip.MustParseAddr(dst), ID: 0x1111}.withDefaults()
	return &run{p: &Pinger{Out: out}, c: &c, echo: probe.NewEcho(false, c.ID, c.Size)}
}

// reply4 is an echo reply as the raw socket delivers it.
func reply4(t *testing.T, typ byte, id, seq uint16, from string, sent time.Time) *probe.Message {
	t.Helper()
	e := probe.NewEcho(false, id, 56).Packet(seq, sent)
	e[0] = typ
	e[2], e[3] = 0, 0
	pkt := make([]byte, 20+len(e))
	pkt[0], pkt[8], pkt[9] = 0x45, 64, 1
	a := netip.MustParseAddr(from).As4()
	copy(pkt[12:], a[:])
	copy(pkt[20:], e)
	pkt[2], pkt[3] = byte(len(pkt)>>8), byte(len(pkt))
	fixICMPChecksum(pkt[20:])
	var m probe.Message
	if err := probe.DecodeIPv4(pkt, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

func fixICMPChecksum(b []byte) {
	b[2], b[3] = 0, 0
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	for s>>16 != 0 {
		s = s>>16 + s&0xffff
	}
	b[2], b[3] = byte(^s>>8), byte(^s)
}

func TestHandleFilters(t *testing.T) {
	var out bytes.Buffer
	r := newRun(&out, "10.0.0.2")
	now := time.Now()
	r.st.Transmitted = 2
	// Our own request looped back, another process's reply, a reply from
	// the wrong host, a reply to a request never sent: all ignored.
	r.handle(reply4(t, 8, 0x1111, 1, "10.0.0.2", now), now)
	r.handle(reply4(t, 0, 0x2222, 1, "10.0.0.2", now), now)
	r.handle(reply4(t, 0, 0x1111, 1, "10.0.0.9", now), now)
	r.handle(reply4(t, 0, 0x1111, 5, "10.0.0.2", now), now)
	if r.st.Received != 0 || out.Len() != 0 {
		t.Fatalf("ignored messages counted: %+v %q", r.st, out.String())
	}
	sent := now.Add(-1500 * time.Microsecond)
	r.handle(reply4(t, 0, 0x1111, 1, "10.0.0.2", sent), now)
	r.handle(reply4(t, 0, 0x1111, 1, "10.0.0.2", sent), now)
	if r.st.Received != 1 || r.st.Duplicates != 1 || r.st.Timed != 1 || r.st.Min != 1500 {
		t.Fatalf("stats %+v", r.st)
	}
	want := "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=1.50 ms\n" +
		"64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=1.50 ms (DUP!)\n"
	if out.String() != want {
		t.Fatalf("got %q\nwant %q", out.String(), want)
	}
}

func TestHandleErrorQuotingOurRequest(t *testing.T) {
	var out bytes.Buffer
	r := newRun(&out, "10.213.3.2")
	r.st.Transmitted = 1
	req := probe.NewEcho(false, 0x1111, 56).Packet(1, time.Now())
	inner := make([]byte, 28)
	inner[0], inner[9] = 0x45, 1
	dst := netip.MustParseAddr("10.213.3.2").As4()
	copy(inner[16:], dst[:])
	copy(inner[20:], req[:8])
	icmp := append([]byte{11, 0, 0, 0, 0, 0, 0, 0}, inner...)
	fixICMPChecksum(icmp)
	pkt := append([]byte{0x45, 0, 0, byte(20 + len(icmp)), 0, 0, 0, 0, 64, 1, 0, 0, 10, 213, 1, 1, 10, 213, 1, 2}, icmp...)
	var m probe.Message
	if err := probe.DecodeIPv4(pkt, &m); err != nil {
		t.Fatal(err)
	}
	r.handle(&m, time.Now())
	if r.st.Errors != 1 || out.String() != "From 10.213.1.1 icmp_seq=1 Time to live exceeded\n" {
		t.Fatalf("errors %d, out %q", r.st.Errors, out.String())
	}
	// Quiet suppresses the line but still counts.
	r.c.Quiet = true
	r.handle(&m, time.Now())
	if r.st.Errors != 2 || strings.Count(out.String(), "\n") != 1 {
		t.Fatalf("quiet: errors %d out %q", r.st.Errors, out.String())
	}
}

func TestParseArgs(t *testing.T) {
	var errb bytes.Buffer
	o, err := parse([]string{"-c", "3", "-i", "0.2", "127.0.0.1", "-q", "-s", "100", "-M", "do", "-t", "5", "-W", "1.5", "-w", "4"}, &errb)
	if err != nil {
		t.Fatal(err)
	}
	if o.count != 3 || o.interval != 0.2 || o.host != "127.0.0.1" || !o.quiet || o.size != 100 || o.pmtu != "do" ||
		o.ttl != 5 || o.linger != 1.5 || o.deadline != 4 {
		t.Fatalf("%+v", o)
	}
	for _, bad := range [][]string{{}, {"-c", "-1", "h"}, {"-M", "maybe", "h"}, {"-s", "70000", "h"}, {"a", "b"}, {"-4", "-6", "h"}, {"-x", "h"}} {
		if _, err := parse(bad, &errb); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestResolve(t *testing.T) {
	if a, err := Resolve("localhost", false, false); err != nil || a != netip.MustParseAddr("127.0.0.1") {
		t.Error(a, err)
	}
	if a, err := Resolve("localhost", false, true); err != nil || a != netip.IPv6Loopback() {
		t.Error(a, err)
	}
	if _, err := Resolve("example.com", false, false); err == nil || !strings.Contains(err.Error(), "Name or service not known") {
		t.Error(err)
	}
	if _, err := Resolve("::1", true, false); err == nil {
		t.Error("-4 with an IPv6 address accepted")
	}
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
