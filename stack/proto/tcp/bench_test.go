package tcp

import (
	"testing"
	"time"
)

// BenchmarkBulk moves data one way through the loopback harness (no loss):
// each op is 1 MiB written, acknowledged and read.
func BenchmarkBulk(b *testing.B) {
	for _, cc := range []string{"cubic", "reno"} {
		b.Run(cc, func(b *testing.B) {
			ca, cb := fullCfg(cliISS), fullCfg(srvISS)
			ca.CC, cb.CC = cc, cc
			p := newPipe(b, ca, cb, 1)
			p.connect()
			src := pattern(1<<20, 3)
			rbuf := make([]byte, 64<<10)
			p.transfer(p.a, p.b, p.emitA, src, rbuf, time.Minute) // warm up buffers
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				p.transfer(p.a, p.b, p.emitA, src, rbuf, time.Minute)
			}
		})
	}
}

func TestBulk_NoAllocationsInSteadyState(t *testing.T) {
	p := newPipe(t, fullCfg(cliISS), fullCfg(srvISS), 1)
	p.connect()
	src := pattern(256<<10, 3)
	rbuf := make([]byte, 64<<10)
	p.transfer(p.a, p.b, p.emitA, src, rbuf, time.Minute)
	p.loss, p.reorder = 0.01, 0.01 // recovery and SACK paths too
	p.transfer(p.a, p.b, p.emitA, src, rbuf, time.Minute)
	allocs := testing.AllocsPerRun(5, func() {
		p.transfer(p.a, p.b, p.emitA, src, rbuf, time.Minute)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per 256 KiB transfer, want 0", allocs)
	}
}
