package link

import (
	"sync"
	"sync/atomic"
	"time"
)

// Impairment describes what the fault layer does to frames travelling in
// one direction. The zero value passes frames through untouched.
type Impairment struct {
	// Latency delays every frame; Jitter adds a uniform random offset in
	// [-Jitter, +Jitter] (never below zero total delay). Jitter alone can
	// reorder frames, as on a real path with varying delay.
	Latency, Jitter time.Duration
	// RateBitsPerSec, when positive, serializes frames onto a wire of
	// that speed: a frame of n bytes occupies the wire for n*8/rate
	// seconds after the previous one leaves (a token bucket with a
	// one-frame burst). Frames waiting for the wire count toward
	// QueueLimit.
	RateBitsPerSec int64
	// Loss is the probability that a frame is dropped (DropFaultLoss).
	Loss float64
	// Burst, when non-nil, adds Gilbert-Elliott burst loss
	// (DropFaultBurstLoss) on top of Loss.
	Burst *GilbertElliott
	// Duplicate is the probability that a frame is delivered twice.
	Duplicate float64
	// Reorder is the probability that a frame is held back an extra
	// ReorderDelay (default 10ms) so that later frames overtake it.
	Reorder      float64
	ReorderDelay time.Duration
	// Corrupt is the probability that one random bit of the frame is
	// flipped.
	Corrupt float64
	// QueueLimit bounds the frames held for delay or rate limiting;
	// zero means 1000. A frame beyond it is dropped (DropFaultQueueFull).
	QueueLimit int
}

// GilbertElliott is the two-state burst-loss model of Gilbert (1960) and
// Elliott (1963): a Markov chain with a Good and a Bad state, each with
// its own loss probability. It is stepped once per frame before the loss
// draw.
type GilbertElliott struct {
	// P is the probability of moving Good -> Bad, R of Bad -> Good.
	P, R float64
	// LossGood and LossBad are the loss probabilities in each state
	// (1-k and 1-h in the usual notation).
	LossGood, LossBad float64
}

// FaultConfig configures a FaultEndpoint.
type FaultConfig struct {
	// Seed drives every random decision; the same seed and the same frame
	// sequence give the same impairments. Each direction draws from its
	// own PCG stream, so traffic in one direction does not perturb the
	// other.
	Seed uint64
	// Tx impairs frames written through the endpoint, Rx frames the inner
	// link delivers.
	Tx, Rx Impairment
}

// FaultStats counts what the fault layer did in each direction.
type FaultStats struct {
	Tx, Rx FaultDirStats
}

// FaultDirStats counts one direction's impairments. Drops are also in
// Stats().Drops under their reasons.
type FaultDirStats struct {
	Passed, Delayed, Duplicated, Reordered, Corrupted uint64
	Lost, BurstLost, QueueFull, Closed                uint64
}

// FaultEndpoint wraps an Endpoint and impairs both directions. It is
// itself an Endpoint: attach the host to it, not to the inner link.
type FaultEndpoint struct {
	inner  Endpoint
	disp   atomic.Pointer[dispatcherRef]
	tx, rx *faultDir
	stats  counters // fault-caused drops and rejected frames
	done   chan struct{}
	wg     sync.WaitGroup
	once   sync.Once
	closed atomic.Bool
}

// Fault wraps inner with the impairments of cfg, attaches itself to inner
// as its Dispatcher, and starts one release goroutine per direction. Close
// stops them and closes inner.
func Fault(inner Endpoint, cfg FaultConfig) *FaultEndpoint {
	f := &FaultEndpoint{inner: inner, done: make(chan struct{})}
	maxFrame := inner.Headroom() + MaxFrameLen(inner.Kind(), inner.MTU())
	f.tx = newFaultDir(&f.stats, maxFrame, f.emitTx)
	f.rx = newFaultDir(&f.stats, maxFrame, f.emitRx)
	f.SetConfig(cfg)
	f.wg.Add(2)
	go f.tx.run(f.done, &f.wg)
	go f.rx.run(f.done, &f.wg)
	inner.Attach(f)
	return f
}

// rxStreamSalt separates the receive direction's random stream from the
// transmit direction's.
const rxStreamSalt = 0x9e3779b97f4a7c15

// SetConfig replaces the impairments at runtime. Both directions' random
// streams restart from cfg.Seed, and the burst-loss chains restart in the
// Good state; frames already held keep their release times. SetConfig may
// be called from any goroutine, including a Dispatcher's DeliverFrame.
func (f *FaultEndpoint) SetConfig(cfg FaultConfig) {
	f.tx.setConfig(cfg.Tx, cfg.Seed, 0)
	f.rx.setConfig(cfg.Rx, cfg.Seed, rxStreamSalt)
}

// Inner returns the wrapped endpoint.
func (f *FaultEndpoint) Inner() Endpoint { return f.inner }

// MTU implements Endpoint.
func (f *FaultEndpoint) MTU() int { return f.inner.MTU() }

// Kind implements Endpoint.
func (f *FaultEndpoint) Kind() Kind { return f.inner.Kind() }

// HardwareAddr implements Endpoint.
func (f *FaultEndpoint) HardwareAddr() [6]byte { return f.inner.HardwareAddr() }

// Headroom implements Endpoint.
func (f *FaultEndpoint) Headroom() int { return f.inner.Headroom() }

// Attach implements Endpoint.
func (f *FaultEndpoint) Attach(d Dispatcher) {
	if d == nil {
		f.disp.Store(nil)
		return
	}
	f.disp.Store(&dispatcherRef{d})
}

// WritePackets implements Endpoint. Frames are validated against the inner
// link's MTU here, so a too-big frame is reported even when it would have
// been delayed.
func (f *FaultEndpoint) WritePackets(pkts [][]byte) (int, error) {
	if f.closed.Load() {
		return 0, ErrClosed
	}
	h := f.inner.Headroom()
	valid := len(pkts)
	var err error
	for i, p := range pkts {
		if len(p) < h {
			f.stats.drop(DropShortFrame, 1)
			valid, err = i, ErrFrameShort
			break
		}
		if err = checkFrame(&f.stats, f.inner.Kind(), f.inner.MTU(), p[h:]); err != nil {
			valid = i
			break
		}
	}
	f.tx.process(pkts[:valid], h)
	return valid, err
}

// DeliverFrame implements Dispatcher for the inner link.
func (f *FaultEndpoint) DeliverFrame(frame []byte) {
	f.rx.process1(frame)
}

func (f *FaultEndpoint) emitTx(batch [][]byte) {
	f.inner.WritePackets(batch)
}

func (f *FaultEndpoint) emitRx(batch [][]byte) {
	ref := f.disp.Load()
	if ref == nil {
		f.stats.drop(DropDetached, len(batch))
		return
	}
	for _, b := range batch {
		ref.d.DeliverFrame(b)
	}
}

// Stats implements Endpoint: the inner link's counters plus the drops the
// fault layer caused.
func (f *FaultEndpoint) Stats() Stats {
	s := f.inner.Stats()
	own := f.stats.snapshot()
	for i := range s.Drops {
		s.Drops[i] += own.Drops[i]
	}
	return s
}

// FaultStats returns the fault layer's own counters.
func (f *FaultEndpoint) FaultStats() FaultStats {
	return FaultStats{Tx: f.tx.snapshot(), Rx: f.rx.snapshot()}
}

// Close implements Endpoint: it stops the release goroutines (frames
// still held are dropped, DropClosed), then closes the inner link.
func (f *FaultEndpoint) Close() error {
	var err error
	f.once.Do(func() {
		f.closed.Store(true)
		close(f.done)
		f.wg.Wait()
		err = f.inner.Close()
	})
	return err
}
