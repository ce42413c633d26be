package netstack

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"time"
)

// TestWorkloadsOnEveryStack runs each workload for a fixed count on each
// stack and checks the counts add up: every round trip completes, and the
// stream delivers datagrams and accounts for every one it sent.
func TestWorkloadsOnEveryStack(t *testing.T) {
	const n = 2000
	for _, w := range Workloads() {
		for _, s := range Stacks() {
			t.Run(w.Name+"/"+s.Name, func(t *testing.T) {
				r, err := Measure(s, w, Limit{N: n})
				if err != nil {
					t.Fatal(err)
				}
				if r.Elapsed <= 0 || r.Rate() <= 0 {
					t.Errorf("elapsed %v, rate %v; want both > 0", r.Elapsed, r.Rate())
				}
				if w.Name == "UDP64" {
					if r.Packets != n || r.Ops <= 0 || r.Ops+r.Lost != r.Packets {
						t.Errorf("stream: sent %d received %d lost %d; want %d sent, some received, sums equal", r.Packets, r.Ops, r.Lost, n)
					}
					return
				}
				if r.Ops != n || r.Lost != 0 || r.Packets != 2*n {
					t.Errorf("round trips %d lost %d packets %d; want %d, 0, %d", r.Ops, r.Lost, r.Packets, n, 2*n)
				}
			})
		}
	}
}

// TestLimitDuration checks that a duration limit ends a workload close to
// its time.
func TestLimitDuration(t *testing.T) {
	w, _ := workloadNamed("ICMPEcho")
	r, err := Measure(Stacks()[0], w, Limit{D: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if r.Elapsed < 100*time.Millisecond || r.Elapsed > 2*time.Second || r.Ops == 0 {
		t.Errorf("elapsed %v with %d round trips; want about 100ms and some", r.Elapsed, r.Ops)
	}
}

func TestLimitMore(t *testing.T) {
	start := time.Now()
	if (Limit{}).more(0, start) {
		t.Error("empty limit runs")
	}
	if !(Limit{N: 2}).more(1, start) || (Limit{N: 2}).more(2, start) {
		t.Error("count limit of 2 wrong at 1 or 2")
	}
	past := start.Add(-time.Second)
	if (Limit{D: time.Millisecond}).more(64, past) || !(Limit{D: time.Millisecond}).more(63, past) {
		t.Error("duration limit must be checked every 64 operations only")
	}
}

// TestChecksum checks the RFC 1071 §3 worked example: the sum of
// 0001 f203 f4f5 f6f7 is ddf2, so the checksum is its complement 220d.
func TestChecksum(t *testing.T) {
	b := []byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}
	if got := checksum(b); got != 0x220d {
		t.Errorf("checksum = %#04x, want 0x220d", got)
	}
	if got := checksum(append(b, 0x01)); got != 0x210d {
		t.Errorf("odd-length checksum = %#04x, want 0x210d", got)
	}
}

func TestEchoBuildAndMatch(t *testing.T) {
	m := make([]byte, MsgSize)
	buildEcho(m, 7)
	if m[0] != icmpEchoRequest || checksum(m) != 0 || binary.BigEndian.Uint16(m[6:]) != 7 {
		t.Fatalf("request % x: want type 8, valid checksum, seq 7", m[:8])
	}
	ip := make([]byte, 20, 20+len(m))
	ip[0] = 0x45
	reply := append(ip, m...)
	reply[20] = icmpEchoReply
	if !isEchoReply(reply, 7) {
		t.Error("reply to seq 7 not matched")
	}
	for name, p := range map[string][]byte{
		"other seq": reply, "request": append(ip[:20:20], m...), "short": reply[:24], "ipv6": append([]byte{0x60}, reply[1:]...),
	} {
		seq := uint16(7)
		if name == "other seq" {
			seq = 8
		}
		if isEchoReply(p, seq) {
			t.Errorf("%s: matched, want no match", name)
		}
	}
}

func TestWriteTable(t *testing.T) {
	rows := []Row{{
		Workload: Workload{Name: "UDP64", Unit: "pkts/s"},
		Results: [][]Result{
			{{Ops: 300, Packets: 300, Elapsed: time.Second}, {Ops: 100, Packets: 100, Elapsed: time.Second}, {Ops: 200, Packets: 100, Mallocs: 50, Elapsed: time.Second}},
			{{Ops: 100, Packets: 100, Mallocs: 400, Elapsed: time.Second}},
		},
	}}
	var out bytes.Buffer
	if err := WriteTable(&out, rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("table has %d lines, want 2:\n%s", len(lines), out.String())
	}
	want := []string{"UDP64", "pkts/s", "200", "100", "2.00", "0.000", "4.000"}
	if got := strings.Fields(lines[1]); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("row = %q, want %q", got, want)
	}
}
