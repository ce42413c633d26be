package netstack

import (
	"testing"
)

// BenchmarkUDP64 is UDP64 on each stack: b.N datagrams of 64 bytes from A
// to B, sender and receiver on separate goroutines.
func BenchmarkUDP64(b *testing.B) { benchWorkload(b, "UDP64") }

// BenchmarkUDPPingPong64 is UDPPingPong64: b.N request/response round
// trips of 64-byte datagrams.
func BenchmarkUDPPingPong64(b *testing.B) { benchWorkload(b, "UDPPingPong64") }

// BenchmarkICMPEcho is ICMPEcho: b.N echo round trips from a raw ICMP
// socket on A to B's stack.
func BenchmarkICMPEcho(b *testing.B) { benchWorkload(b, "ICMPEcho") }

// benchWorkload runs the named workload as one sub-benchmark per stack,
// reporting the rate (pkts/s, and rt/s for round trips), allocs/pkt and
// lost/op besides the usual ns/op and -benchmem figures.
func benchWorkload(b *testing.B, name string) {
	w, ok := workloadNamed(name)
	if !ok {
		b.Fatalf("no workload %q", name)
	}
	for _, s := range Stacks() {
		b.Run(s.Name, func(b *testing.B) {
			n, err := s.New()
			if err != nil {
				b.Fatal(err)
			}
			defer n.Close()
			r, err := w.Setup(n)
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			b.ReportAllocs()
			b.ResetTimer()
			res, err := r.Run(Limit{N: int64(b.N)})
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			pkts := res.Rate()
			if res.Packets == 2*res.Ops && res.Ops > 0 {
				b.ReportMetric(res.Rate(), "rt/s")
				pkts *= 2
			}
			b.ReportMetric(pkts, "pkts/s")
			b.ReportMetric(res.AllocsPerPkt(), "allocs/pkt")
			b.ReportMetric(float64(res.Lost)/float64(b.N), "lost/op")
		})
	}
}

// workloadNamed finds a workload of Workloads by name.
func workloadNamed(name string) (Workload, bool) {
	for _, w := range Workloads() {
		if w.Name == name {
			return w, true
		}
	}
	return Workload{}, false
}
