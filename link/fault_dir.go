package link

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// faultDir impairs one direction. mu guards the random stream, the delay
// heap and the buffer pool, and is held while frames are emitted, so one
// direction's frames leave one at a time and in release order. Lock order:
// rx.mu before tx.mu (a Dispatcher may transmit from DeliverFrame).
type faultDir struct {
	mu       sync.Mutex
	imp      Impairment
	cfg      atomic.Pointer[dirConfig] // pending config, picked up by process
	src      rand.PCG
	rng      *rand.Rand
	geBad    bool      // Gilbert-Elliott chain in the Bad state
	wireFree time.Time // when the rate-limited wire is next idle
	heap     heldHeap
	seq      uint64
	pool     [][]byte
	batch    [][]byte // frames to emit now
	scratch  [][]byte // pool buffers to return after emitting
	maxFrame int
	closed   bool
	wake     chan struct{}
	emit     func([][]byte)
	drops    *counters
	st       dirCounters
}

type dirConfig struct {
	imp  Impairment
	seed uint64
	salt uint64
}

type dirCounters struct {
	passed, delayed, duplicated, reordered, corrupted atomic.Uint64
	lost, burstLost, queueFull, closed                atomic.Uint64
}

func newFaultDir(drops *counters, maxFrame int, emit func([][]byte)) *faultDir {
	d := &faultDir{drops: drops, maxFrame: maxFrame, emit: emit, wake: make(chan struct{}, 1)}
	d.rng = rand.New(&d.src)
	return d
}

func (d *faultDir) setConfig(imp Impairment, seed, salt uint64) {
	if imp.QueueLimit <= 0 {
		imp.QueueLimit = 1000
	}
	if imp.ReorderDelay <= 0 {
		imp.ReorderDelay = 10 * time.Millisecond
	}
	d.cfg.Store(&dirConfig{imp: imp, seed: seed, salt: salt})
}

// applyConfig installs a pending configuration. Called with mu held.
func (d *faultDir) applyConfig() {
	c := d.cfg.Swap(nil)
	if c == nil {
		return
	}
	d.imp = c.imp
	d.src.Seed(c.seed, c.seed^c.salt)
	d.geBad = false
}

func (d *faultDir) snapshot() FaultDirStats {
	s := &d.st
	return FaultDirStats{
		Passed: s.passed.Load(), Delayed: s.delayed.Load(), Duplicated: s.duplicated.Load(),
		Reordered: s.reordered.Load(), Corrupted: s.corrupted.Load(), Lost: s.lost.Load(),
		BurstLost: s.burstLost.Load(), QueueFull: s.queueFull.Load(), Closed: s.closed.Load(),
	}
}

// process1 impairs one frame without allocating a one-element slice.
func (d *faultDir) process1(frame []byte) {
	d.mu.Lock()
	d.processLocked(frame, 0, time.Now())
	d.flushLocked()
	d.mu.Unlock()
}

// process impairs a batch of frames, each starting with skip bytes of
// headroom, and emits those due now in one batch.
func (d *faultDir) process(frames [][]byte, skip int) {
	if len(frames) == 0 {
		return
	}
	d.mu.Lock()
	now := time.Now()
	for _, f := range frames {
		d.processLocked(f, skip, now)
	}
	d.flushLocked()
	d.mu.Unlock()
}

// processLocked decides the fate of one frame: lost, or one or two copies,
// each possibly corrupted and delayed. The order of random draws is fixed
// for a given configuration, which makes runs repeatable.
func (d *faultDir) processLocked(f []byte, skip int, now time.Time) {
	d.applyConfig()
	if d.closed {
		d.drops.drop(DropClosed, 1)
		d.st.closed.Add(1)
		return
	}
	imp := &d.imp
	if ge := imp.Burst; ge != nil {
		if d.geBad {
			d.geBad = d.rng.Float64() >= ge.R
		} else {
			d.geBad = d.rng.Float64() < ge.P
		}
		loss := ge.LossGood
		if d.geBad {
			loss = ge.LossBad
		}
		if d.rng.Float64() < loss {
			d.drops.drop(DropFaultBurstLoss, 1)
			d.st.burstLost.Add(1)
			return
		}
	}
	if imp.Loss > 0 && d.rng.Float64() < imp.Loss {
		d.drops.drop(DropFaultLoss, 1)
		d.st.lost.Add(1)
		return
	}
	copies := 1
	if imp.Duplicate > 0 && d.rng.Float64() < imp.Duplicate {
		copies = 2
		d.st.duplicated.Add(1)
	}
	for range copies {
		d.oneCopy(f, skip, now)
	}
}

// oneCopy schedules one copy of frame f.
func (d *faultDir) oneCopy(f []byte, skip int, now time.Time) {
	imp := &d.imp
	flip := -1
	if imp.Corrupt > 0 && d.rng.Float64() < imp.Corrupt && len(f) > skip {
		flip = skip*8 + d.rng.IntN((len(f)-skip)*8)
		d.st.corrupted.Add(1)
	}
	delay := imp.Latency
	if imp.Jitter > 0 {
		delay += time.Duration(d.rng.Int64N(2*int64(imp.Jitter)+1)) - imp.Jitter
	}
	if imp.Reorder > 0 && d.rng.Float64() < imp.Reorder {
		delay += imp.ReorderDelay
		d.st.reordered.Add(1)
	}
	delay = max(delay, 0)
	release, wireFree := now.Add(delay), d.wireFree
	if imp.RateBitsPerSec > 0 {
		start := now
		if wireFree.After(start) {
			start = wireFree
		}
		wireFree = start.Add(serialization(len(f)-skip, imp.RateBitsPerSec))
		release = wireFree.Add(delay)
	}
	if !release.After(now) {
		d.wireFree = wireFree
		d.st.passed.Add(1)
		if flip < 0 {
			d.batch = append(d.batch, f)
			return
		}
		buf := d.copyFrame(f, flip)
		d.scratch = append(d.scratch, buf)
		d.batch = append(d.batch, buf)
		return
	}
	if len(d.heap) >= imp.QueueLimit {
		d.drops.drop(DropFaultQueueFull, 1)
		d.st.queueFull.Add(1)
		return
	}
	d.wireFree = wireFree // a dropped frame never occupied the wire
	d.st.delayed.Add(1)
	d.seq++
	top := d.heap.push(held{at: release, seq: d.seq, buf: d.copyFrame(f, flip)})
	if top {
		select {
		case d.wake <- struct{}{}:
		default:
		}
	}
}

// serialization is the time n bytes occupy a wire of the given bit rate.
func serialization(n int, bitsPerSec int64) time.Duration {
	return time.Duration(int64(n) * 8 * int64(time.Second) / bitsPerSec)
}

// copyFrame copies f into a pool buffer, flipping bit flip (if >= 0).
func (d *faultDir) copyFrame(f []byte, flip int) []byte {
	var buf []byte
	if n := len(d.pool); n > 0 {
		buf, d.pool = d.pool[n-1], d.pool[:n-1]
	}
	if cap(buf) < len(f) {
		buf = make([]byte, 0, max(len(f), min(d.maxFrame, slotPrealloc)))
	}
	buf = append(buf[:0], f...)
	if flip >= 0 {
		buf[flip/8] ^= 1 << (flip % 8)
	}
	return buf
}

// flushLocked emits the batch due now and recycles scratch buffers.
func (d *faultDir) flushLocked() {
	if len(d.batch) > 0 {
		d.emit(d.batch)
		clear(d.batch)
		d.batch = d.batch[:0]
	}
	for _, b := range d.scratch {
		d.pool = append(d.pool, b)
	}
	clear(d.scratch)
	d.scratch = d.scratch[:0]
}

// run releases held frames when they fall due, until done is closed.
func (d *faultDir) run(done <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		d.mu.Lock()
		now := time.Now()
		for len(d.heap) > 0 && !d.heap[0].at.After(now) {
			h := d.heap.pop()
			d.batch = append(d.batch, h.buf)
			d.scratch = append(d.scratch, h.buf)
		}
		d.flushLocked()
		wait := time.Duration(-1)
		if len(d.heap) > 0 {
			wait = d.heap[0].at.Sub(now)
		}
		d.mu.Unlock()
		if wait >= 0 {
			timer.Reset(wait)
		} else {
			timer.Stop()
		}
		select {
		case <-timer.C:
		case <-d.wake:
		case <-done:
			d.shutdown()
			return
		}
	}
}

// shutdown drops the held frames and refuses new ones.
func (d *faultDir) shutdown() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	if n := len(d.heap); n > 0 {
		d.drops.drop(DropClosed, n)
		d.st.closed.Add(uint64(n))
		clear(d.heap)
		d.heap = d.heap[:0]
	}
}

// held is a delayed frame.
type held struct {
	at  time.Time
	seq uint64 // ties keep arrival order
	buf []byte
}

// heldHeap is a binary min-heap ordered by (at, seq), written out so that
// pushing does not box values in interfaces.
type heldHeap []held

func (h heldHeap) less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}

// push adds x and reports whether it became the earliest element.
func (h *heldHeap) push(x held) bool {
	*h = append(*h, x)
	s := *h
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !s.less(i, p) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
	return i == 0
}

func (h *heldHeap) pop() held {
	s := *h
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	s[n] = held{}
	s = s[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && s.less(l, m) {
			m = l
		}
		if r < n && s.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}
