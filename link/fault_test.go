package link

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// markedFrame is a 64-byte IP-kind frame carrying seq three times, so a
// frame with one flipped bit can still be identified.
func markedFrame(seq uint64) []byte {
	f := make([]byte, 64)
	for i := range 3 {
		binary.BigEndian.PutUint64(f[8*i:], seq)
	}
	for i := 24; i < len(f); i++ {
		f[i] = byte(seq*7) + byte(i)
	}
	return f
}

// identify returns the seq of a received frame and whether it differs
// from the original (corrupted). ok is false if it matches nothing.
func identify(f []byte) (seq uint64, corrupted, ok bool) {
	for i := range 3 {
		s := binary.BigEndian.Uint64(f[8*i:])
		orig := markedFrame(s)
		diff := 0
		for j := range f {
			b := f[j] ^ orig[j]
			for ; b != 0; b &= b - 1 {
				diff++
			}
		}
		if len(f) == len(orig) && diff <= 1 {
			return s, diff == 1, true
		}
	}
	return 0, false, false
}

type arrival struct {
	at    time.Duration
	frame []byte
}

// runImpaired sends n frames, one per millisecond, through a fault layer
// on a pipe inside a synctest bubble, and returns what arrived and when
// (relative to the start), plus the fault counters.
func runImpaired(t *testing.T, cfg FaultConfig, n int) (got []arrival, fs FaultStats, st Stats) {
	synctest.Test(t, func(t *testing.T) {
		a, b := Pipe(PipeOptions{QueueLen: 4 * n})
		fa := Fault(a, cfg)
		var r recorder
		b.Attach(&r)
		start := time.Now()
		for i := range n {
			if _, err := fa.WritePackets([][]byte{markedFrame(uint64(i))}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Millisecond)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		for i, f := range r.snapshot() {
			got = append(got, arrival{r.times[i].Sub(start), f})
		}
		fs, st = fa.FaultStats(), fa.Stats()
		fa.Close()
		b.Close()
	})
	return got, fs, st
}

func TestFault_PatternRepeatsForSameSeed(t *testing.T) {
	const n = 500
	cfg := FaultConfig{Seed: 42, Tx: Impairment{
		Latency: time.Millisecond, Loss: 0.1, Duplicate: 0.05,
		Reorder: 0.1, ReorderDelay: 5 * time.Millisecond, Corrupt: 0.05,
	}}
	got1, fs1, _ := runImpaired(t, cfg, n)
	got2, fs2, _ := runImpaired(t, cfg, n)
	if !slices.EqualFunc(got1, got2, func(x, y arrival) bool { return x.at == y.at && bytes.Equal(x.frame, y.frame) }) {
		t.Fatalf("two runs with seed 42 differ: %d vs %d arrivals", len(got1), len(got2))
	}
	if fs1 != fs2 {
		t.Errorf("fault stats differ: %+v vs %+v", fs1, fs2)
	}
	cfg.Seed = 43
	got3, _, _ := runImpaired(t, cfg, n)
	if slices.EqualFunc(got1, got3, func(x, y arrival) bool { return bytes.Equal(x.frame, y.frame) }) {
		t.Errorf("seeds 42 and 43 gave the same pattern")
	}

	// The observed pattern must agree with the counters, and every
	// impairment must have happened.
	seen := map[uint64]int{}
	corrupted, reordered := 0, 0
	var maxSeq uint64
	for _, a := range got1 {
		seq, corrupt, ok := identify(a.frame)
		if !ok {
			t.Fatalf("unidentifiable frame % x", a.frame)
		}
		seen[seq]++
		if corrupt {
			corrupted++
		}
		if seq < maxSeq {
			reordered++
		}
		maxSeq = max(maxSeq, seq)
	}
	tx := fs1.Tx
	if uint64(len(seen)) != n-tx.Lost || uint64(len(got1)) != n-tx.Lost+tx.Duplicated {
		t.Errorf("unique %d, total %d; stats %+v", len(seen), len(got1), tx)
	}
	if uint64(corrupted) != tx.Corrupted {
		t.Errorf("corrupted frames %d, stats say %d", corrupted, tx.Corrupted)
	}
	if tx.Lost == 0 || tx.Duplicated == 0 || tx.Reordered == 0 || tx.Corrupted == 0 || reordered == 0 {
		t.Errorf("some impairment never happened: %+v, %d arrived out of order", tx, reordered)
	}
	if fs1.Rx != (FaultDirStats{}) {
		t.Errorf("rx direction touched: %+v", fs1.Rx)
	}
}

func TestFault_LatencyExact(t *testing.T) {
	got, fs, _ := runImpaired(t, FaultConfig{Tx: Impairment{Latency: 20 * time.Millisecond}}, 10)
	if len(got) != 10 {
		t.Fatalf("%d arrivals, want 10", len(got))
	}
	for i, a := range got {
		if want := time.Duration(i)*time.Millisecond + 20*time.Millisecond; a.at != want {
			t.Errorf("frame %d arrived at %v, want %v", i, a.at, want)
		}
	}
	if fs.Tx.Delayed != 10 {
		t.Errorf("delayed = %d, want 10", fs.Tx.Delayed)
	}
}

func TestFault_JitterBounded(t *testing.T) {
	got, _, _ := runImpaired(t, FaultConfig{Seed: 7, Tx: Impairment{Latency: 20 * time.Millisecond, Jitter: 5 * time.Millisecond}}, 50)
	if len(got) != 50 {
		t.Fatalf("%d arrivals, want 50", len(got))
	}
	delays := map[time.Duration]bool{}
	for _, a := range got {
		seq, _, _ := identify(a.frame)
		d := a.at - time.Duration(seq)*time.Millisecond
		if d < 15*time.Millisecond || d > 25*time.Millisecond {
			t.Errorf("frame %d delayed %v, want 20ms ± 5ms", seq, d)
		}
		delays[d] = true
	}
	if len(delays) < 10 {
		t.Errorf("only %d distinct delays: jitter not applied", len(delays))
	}
}

func TestFault_RateSpacesFrames(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := Pipe(PipeOptions{})
		// 1 Mbit/s: a 1250-byte frame takes 10ms; queue holds 5.
		fa := Fault(a, FaultConfig{Tx: Impairment{RateBitsPerSec: 1e6, QueueLimit: 5}})
		defer b.Close()
		defer fa.Close()
		var r recorder
		b.Attach(&r)
		start := time.Now()
		var burst [][]byte
		for i := range 8 {
			burst = append(burst, seqFrame(KindIP, uint64(i), 1250))
		}
		fa.WritePackets(burst)
		time.Sleep(time.Second)
		synctest.Wait()
		if len(r.times) != 5 {
			t.Fatalf("%d frames arrived, want 5", len(r.times))
		}
		for i, at := range r.times {
			if want := time.Duration(i+1) * 10 * time.Millisecond; at.Sub(start) != want {
				t.Errorf("frame %d at %v, want %v", i, at.Sub(start), want)
			}
		}
		if got := fa.Stats().Drops[DropFaultQueueFull]; got != 3 {
			t.Errorf("fault-queue-full drops = %d, want 3", got)
		}
		// After the queue drains the wire is idle: the next frame takes
		// exactly one serialization time.
		t0 := time.Now()
		fa.WritePackets(burst[:1])
		time.Sleep(time.Second)
		synctest.Wait()
		if d := r.times[5].Sub(t0); d != 10*time.Millisecond {
			t.Errorf("frame on idle wire took %v, want 10ms", d)
		}
	})
}

func TestFault_DropReasons(t *testing.T) {
	cases := []struct {
		name   string
		imp    Impairment
		reason DropReason
	}{
		{"loss", Impairment{Loss: 1}, DropFaultLoss},
		{"burst", Impairment{Burst: &GilbertElliott{P: 1, R: 0, LossBad: 1}}, DropFaultBurstLoss},
		{"queue", Impairment{Latency: time.Second, QueueLimit: 2}, DropFaultQueueFull},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				a, b := Pipe(PipeOptions{})
				defer b.Close()
				var r recorder
				b.Attach(&r)
				fa := Fault(a, FaultConfig{Tx: tc.imp})
				for i := range 10 {
					fa.WritePackets([][]byte{seqFrame(KindIP, uint64(i), 100)})
				}
				synctest.Wait()
				want := uint64(10)
				if tc.reason == DropFaultQueueFull {
					want = 8
				}
				if got := fa.Stats().Drops[tc.reason]; got != want {
					t.Errorf("%v drops = %d, want %d (%v)", tc.reason, got, want, fa.Stats())
				}
				fa.Close()
				if tc.reason == DropFaultQueueFull {
					// The two held frames die with the endpoint.
					if got := fa.Stats().Drops[DropClosed]; got != 2 {
						t.Errorf("closed drops = %d, want 2", got)
					}
				}
				if r.count() != 0 {
					t.Errorf("%d frames delivered, want 0", r.count())
				}
			})
		})
	}
}

func TestFault_RxDirectionAndSetConfig(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := Pipe(PipeOptions{})
		defer a.Close()
		fb := Fault(b, FaultConfig{Rx: Impairment{Loss: 1}})
		defer fb.Close()
		var r recorder
		fb.Attach(&r)
		a.WritePackets([][]byte{seqFrame(KindIP, 1, 100)})
		synctest.Wait()
		if r.count() != 0 || fb.FaultStats().Rx.Lost != 1 {
			t.Fatalf("rx loss: delivered %d, stats %+v", r.count(), fb.FaultStats().Rx)
		}
		fb.SetConfig(FaultConfig{Rx: Impairment{Latency: 30 * time.Millisecond}})
		start := time.Now()
		a.WritePackets([][]byte{seqFrame(KindIP, 2, 100)})
		time.Sleep(time.Second)
		synctest.Wait()
		if r.count() != 1 || r.times[0].Sub(start) != 30*time.Millisecond {
			t.Fatalf("after SetConfig: %d frames, times %v", r.count(), r.times)
		}
	})
}

func TestFault_CorruptLeavesCallerBytes(t *testing.T) {
	a, b := Pipe(PipeOptions{})
	fa := Fault(a, FaultConfig{Seed: 1, Tx: Impairment{Corrupt: 1}})
	defer fa.Close()
	defer b.Close()
	var r recorder
	b.Attach(&r)
	f := markedFrame(5)
	orig := bytes.Clone(f)
	fa.WritePackets([][]byte{f})
	got := r.waitFrames(t, 1, 5*time.Second)
	if !bytes.Equal(f, orig) {
		t.Errorf("caller's frame modified")
	}
	if seq, corrupt, ok := identify(got[0]); !ok || !corrupt || seq != 5 {
		t.Errorf("delivered frame: seq %d corrupt %v ok %v, want one flipped bit", seq, corrupt, ok)
	}
}

func TestFault_ConcurrentSetConfig(t *testing.T) {
	a, b := Pipe(PipeOptions{QueueLen: 1024})
	fa := Fault(a, FaultConfig{})
	defer fa.Close()
	defer b.Close()
	var c counter
	b.Attach(&c)
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 200 {
			fa.SetConfig(FaultConfig{Seed: uint64(i), Tx: Impairment{Loss: 0.5, Latency: time.Duration(i%3) * time.Microsecond}})
		}
	})
	for i := range 500 {
		fa.WritePackets([][]byte{seqFrame(KindIP, uint64(i), 64)})
	}
	wg.Wait()
	s := fa.FaultStats().Tx
	if s.Lost+s.Passed+s.Delayed != 500 {
		t.Errorf("frames unaccounted for: %+v", s)
	}
}

func TestFault_PassThroughDoesNotAllocate(t *testing.T) {
	a, b := Pipe(PipeOptions{QueueLen: 64})
	fa := Fault(a, FaultConfig{Seed: 3, Tx: Impairment{Corrupt: 0.5, Duplicate: 0.2, Loss: 0.1}})
	defer fa.Close()
	defer b.Close()
	var c counter
	b.Attach(&c)
	batch := [][]byte{markedFrame(1), markedFrame(2)}
	for range 100 {
		fa.WritePackets(batch)
	}
	if allocs := testing.AllocsPerRun(500, func() { fa.WritePackets(batch) }); allocs != 0 {
		t.Errorf("WritePackets allocates %v per run, want 0", allocs)
	}
}

func ExampleFault() {
	a, b := Pipe(PipeOptions{})
	fa := Fault(a, FaultConfig{Seed: 1, Tx: Impairment{Loss: 1}})
	defer b.Close()
	defer fa.Close()
	fa.WritePackets([][]byte{make([]byte, 20)})
	fmt.Println(fa.Stats().Drops[DropFaultLoss], DropFaultLoss)
	// Output: 1 fault-loss
}
