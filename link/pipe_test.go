package link

import (
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestPipe_DeliversInOrderBothDirections(t *testing.T) {
	for _, k := range []Kind{KindIP, KindEthernet} {
		t.Run(k.String(), func(t *testing.T) {
			const n = 600
			a, b := Pipe(PipeOptions{Kind: k, MTU: 9000, QueueLen: 2 * n})
			defer a.Close()
			defer b.Close()
			var ra, rb recorder
			a.Attach(&ra)
			b.Attach(&rb)
			var wantAB, wantBA [][]byte
			for i := range n {
				wantAB = append(wantAB, seqFrame(k, uint64(i), 22+i*13%8990))
				wantBA = append(wantBA, seqFrame(k, uint64(1e6+i), 22+i*7%1490))
			}
			var wg sync.WaitGroup
			send := func(e Endpoint, frames [][]byte) {
				defer wg.Done()
				for i := 0; i < len(frames); {
					j := min(len(frames), i+1+i%7) // batches of 1..7
					if m, err := e.WritePackets(frames[i:j]); err != nil || m != j-i {
						t.Errorf("WritePackets = %d, %v; want %d, nil", m, err, j-i)
						return
					}
					i = j
				}
			}
			wg.Add(2)
			go send(a, wantAB)
			go send(b, wantBA)
			wg.Wait()
			if err := checkInOrder(rb.waitFrames(t, n, 5*time.Second), wantAB); err != nil {
				t.Errorf("a->b: %v", err)
			}
			if err := checkInOrder(ra.waitFrames(t, n, 5*time.Second), wantBA); err != nil {
				t.Errorf("b->a: %v", err)
			}
			sa, sb := a.Stats(), b.Stats()
			if sa.TxPackets != n || sb.RxPackets != n || sb.TxPackets != n || sa.RxPackets != n {
				t.Errorf("stats a=%v b=%v, want %d each way", sa, sb, n)
			}
			if sa.TotalDrops()+sb.TotalDrops() != 0 {
				t.Errorf("unexpected drops: a=%v b=%v", sa, sb)
			}
		})
	}
}

// blocker holds the delivery goroutine inside DeliverFrame until released.
type blocker struct {
	entered chan struct{}
	release chan struct{}
	once    sync.Once
	counter
}

func (bl *blocker) DeliverFrame(f []byte) {
	bl.once.Do(func() {
		close(bl.entered)
		<-bl.release
	})
	bl.counter.DeliverFrame(f)
}

func TestPipe_QueueFullDropsCounted(t *testing.T) {
	const qlen = 8
	a, b := Pipe(PipeOptions{QueueLen: qlen})
	defer a.Close()
	defer b.Close()
	bl := &blocker{entered: make(chan struct{}), release: make(chan struct{})}
	b.Attach(bl)
	if _, err := a.WritePackets([][]byte{seqFrame(KindIP, 0, 40)}); err != nil {
		t.Fatal(err)
	}
	<-bl.entered // the delivery goroutine holds frame 0, which still occupies its slot
	var burst [][]byte
	for i := range qlen + 5 {
		burst = append(burst, seqFrame(KindIP, uint64(i+1), 40))
	}
	n, err := a.WritePackets(burst)
	if err != nil || n != len(burst) {
		t.Fatalf("WritePackets = %d, %v; want %d, nil", n, err, len(burst))
	}
	// qlen-1 slots are free, so qlen-1 frames are queued and 6 dropped.
	if got := a.Stats().Drops[DropQueueFull]; got != 6 {
		t.Errorf("queue-full drops = %d, want 6 (stats %v)", got, a.Stats())
	}
	close(bl.release)
	deadline := time.Now().Add(5 * time.Second)
	for bl.get() < qlen && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := bl.get(); got != qlen {
		t.Errorf("delivered %d, want %d", got, qlen)
	}
	if s := b.Stats(); s.RxPackets != qlen {
		t.Errorf("b rx = %d, want %d", s.RxPackets, qlen)
	}
}

func TestPipe_RejectsBadFrames(t *testing.T) {
	a, b := Pipe(PipeOptions{Kind: KindEthernet, MTU: 1500})
	defer a.Close()
	defer b.Close()
	var rb recorder
	b.Attach(&rb)
	good := seqFrame(KindEthernet, 1, 1514)
	n, err := a.WritePackets([][]byte{good, make([]byte, 1515), good})
	if n != 1 || !errors.Is(err, ErrFrameTooBig) {
		t.Errorf("too big: WritePackets = %d, %v; want 1, ErrFrameTooBig", n, err)
	}
	n, err = a.WritePackets([][]byte{make([]byte, 13)})
	if n != 0 || !errors.Is(err, ErrFrameShort) {
		t.Errorf("short: WritePackets = %d, %v; want 0, ErrFrameShort", n, err)
	}
	rb.waitFrames(t, 1, 5*time.Second)
	s := a.Stats()
	if s.Drops[DropTooBig] != 1 || s.Drops[DropShortFrame] != 1 || s.TxPackets != 1 {
		t.Errorf("stats %v, want tx 1, too-big 1, short-frame 1", s)
	}
}

func TestPipe_DetachedDropsCounted(t *testing.T) {
	a, b := Pipe(PipeOptions{})
	defer a.Close()
	defer b.Close()
	if _, err := a.WritePackets([][]byte{seqFrame(KindIP, 1, 40), seqFrame(KindIP, 2, 40)}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for b.Stats().Drops[DropDetached] != 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if s := b.Stats(); s.Drops[DropDetached] != 2 || s.RxPackets != 0 {
		t.Errorf("b stats %v, want detached=2 rx=0", s)
	}
}

func TestPipe_CloseStopsGoroutines(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	a, b := Pipe(PipeOptions{})
	var rb recorder
	b.Attach(&rb)
	if _, err := a.WritePackets([][]byte{seqFrame(KindIP, 1, 40)}); err != nil {
		t.Fatal(err)
	}
	rb.waitFrames(t, 1, 5*time.Second)
	a.Close()
	b.Close()
	a.Close() // idempotent
	if _, err := a.WritePackets([][]byte{seqFrame(KindIP, 2, 40)}); !errors.Is(err, ErrClosed) {
		t.Errorf("write after close: %v, want ErrClosed", err)
	}
	goleak.VerifyNone(t, ignore)
}

func TestPipe_WritePacketsDoesNotAllocate(t *testing.T) {
	a, b := Pipe(PipeOptions{Kind: KindEthernet, QueueLen: 64})
	defer a.Close()
	defer b.Close()
	var c counter
	b.Attach(&c)
	batch := [][]byte{seqFrame(KindEthernet, 1, 60), seqFrame(KindEthernet, 2, 1514), seqFrame(KindEthernet, 3, 200)}
	for range 200 { // warm every slot up to full size
		a.WritePackets(batch)
		runtime.Gosched()
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := a.WritePackets(batch); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("WritePackets allocates %v per run, want 0", allocs)
	}
}

func TestLoopback_DeliversToSelf(t *testing.T) {
	lo := Loopback(0)
	defer lo.Close()
	if lo.MTU() != LoopbackMTU || lo.Kind() != KindIP || lo.HardwareAddr() != ([6]byte{}) {
		t.Errorf("loopback MTU %d kind %v mac %x", lo.MTU(), lo.Kind(), lo.HardwareAddr())
	}
	var r recorder
	lo.Attach(&r)
	want := [][]byte{seqFrame(KindIP, 1, 40), seqFrame(KindIP, 2, 65536), seqFrame(KindIP, 3, 8)}
	want[2] = want[2][:1]
	if n, err := lo.WritePackets(want); n != 3 || err != nil {
		t.Fatalf("WritePackets = %d, %v", n, err)
	}
	if err := checkInOrder(r.waitFrames(t, 3, 5*time.Second), want); err != nil {
		t.Error(err)
	}
	if s := lo.Stats(); s.TxPackets != 3 || s.RxPackets != 3 {
		t.Errorf("stats %v, want tx 3 rx 3", s)
	}
}

// reflector writes every frame it receives back into its own endpoint,
// from inside DeliverFrame: the loopback must not deadlock.
type reflector struct {
	ep   Endpoint
	left int
	recorder
}

func (r *reflector) DeliverFrame(f []byte) {
	r.recorder.DeliverFrame(f)
	if r.left > 0 {
		r.left--
		r.ep.WritePackets([][]byte{f})
	}
}

func TestLoopback_WriteFromDeliveryDoesNotDeadlock(t *testing.T) {
	lo := Loopback(1500)
	defer lo.Close()
	r := &reflector{ep: lo, left: 10}
	lo.Attach(r)
	lo.WritePackets([][]byte{seqFrame(KindIP, 9, 64)})
	r.waitFrames(t, 11, 5*time.Second)
}

func benchmarkPipe(b *testing.B, size int) {
	a, z := Pipe(PipeOptions{Kind: KindEthernet, MTU: 1500, QueueLen: 1024})
	defer a.Close()
	defer z.Close()
	var c counter
	z.Attach(&c)
	const batch = 32
	pkts := make([][]byte, batch)
	for i := range pkts {
		pkts[i] = seqFrame(KindEthernet, uint64(i), size)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	// Flow control, so the figure is the pipe's throughput, not its drop
	// rate: keep at most half the queue in flight.
	for sent := 0; sent < b.N; sent += batch {
		for sent-int(z.Stats().RxPackets) > 512 {
			runtime.Gosched()
		}
		a.WritePackets(pkts[:min(batch, b.N-sent)])
	}
	for int(z.Stats().RxPackets) < b.N && time.Since(start) < 10*time.Second {
		runtime.Gosched()
	}
	el := time.Since(start).Seconds()
	b.ReportMetric(float64(z.Stats().RxPackets)/el, "pkts/s")
	b.ReportMetric(float64(a.Stats().Drops[DropQueueFull])/float64(b.N), "drops/op")
}

func BenchmarkPipe(b *testing.B) {
	b.Run("64B", func(b *testing.B) { benchmarkPipe(b, 64) })
	b.Run("1500B", func(b *testing.B) { benchmarkPipe(b, 1514) })
}
