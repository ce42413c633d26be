package netstack

import (
	"testing"
)

// TestTCPWorkloadsOnEveryStack runs each TCP workload briefly on each
// stack and checks it moved what it says: every byte of the bulk stream,
// every round trip, every connection, and a heap figure that is positive
// and below a megabyte per endpoint.
func TestTCPWorkloadsOnEveryStack(t *testing.T) {
	for _, s := range TCPStacks() {
		for _, mtu := range []int{1500, 65535} {
			n, err := s.New(mtu)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Bulk(n, Limit{N: 64})
			if err != nil {
				t.Errorf("%s mtu %d: bulk: %v", s.Name, mtu, err)
			} else if b.Bytes != 64*BulkChunk || b.Gbps() <= 0 {
				t.Errorf("%s mtu %d: bulk moved %d bytes at %.2f Gbit/s; want %d", s.Name, mtu, b.Bytes, b.Gbps(), 64*BulkChunk)
			}
			n.Close()
		}
		n, err := s.New(1500)
		if err != nil {
			t.Fatal(err)
		}
		rr, err := RR(n, Limit{N: 500})
		if err != nil || rr.Ops != 500 || rr.P50 <= 0 || rr.P99 < rr.P50 {
			t.Errorf("%s: rr %+v, %v; want 500 round trips, 0 < p50 <= p99", s.Name, rr, err)
		}
		if c, _, err := ConnRate(n, Limit{N: 200}); err != nil || c != 200 {
			t.Errorf("%s: %d connections, %v; want 200", s.Name, c, err)
		}
		h, err := IdleHeap(n, 300)
		if err != nil || h <= 0 || h > 1<<20 {
			t.Errorf("%s: idle heap %.0f bytes per endpoint, %v", s.Name, h, err)
		}
		t.Logf("%s: rr p50 %v p99 %v, idle heap %.0f B/endpoint", s.Name, rr.P50, rr.P99, h)
		n.Close()
	}
}
