package link

import (
	"sync"
	"sync/atomic"
)

// PipeOptions configures an in-memory link made by Pipe.
type PipeOptions struct {
	// Kind is KindIP (bare IP packets) or KindEthernet; zero means KindIP.
	Kind Kind
	// MTU is the largest packet without link header; zero means 1500.
	// Any value up to 1<<20 is allowed (65535 and above model GSO-sized
	// in-memory segments).
	MTU int
	// QueueLen bounds the frames in flight per direction (queued or being
	// delivered); zero means 256.
	// A write that finds the queue full drops the frame (DropQueueFull).
	QueueLen int
	// HardwareAddrs are the MACs of ends a and b for KindEthernet; zero
	// values get distinct locally administered addresses 02:00:00:00:00:01
	// and 02:00:00:00:00:02.
	HardwareAddrs [2][6]byte
}

// Default values for PipeOptions and Loopback.
const (
	DefaultMTU         = 1500
	DefaultQueueLen    = 256
	LoopbackMTU        = 65536
	maxPipeMTU         = 1 << 20
	defaultLoopbackLen = 1024
)

// Pipe returns the two ends of an in-memory link. A frame written at one
// end is copied once into a bounded queue and delivered, in order, to the
// other end's Dispatcher by that direction's delivery goroutine, which
// drains the queue in batches. Each end's Close stops its own transmit
// goroutine; close both ends.
func Pipe(opts PipeOptions) (a, b Endpoint) {
	if opts.Kind == 0 {
		opts.Kind = KindIP
	}
	if opts.MTU <= 0 {
		opts.MTU = DefaultMTU
	}
	opts.MTU = min(opts.MTU, maxPipeMTU)
	if opts.QueueLen <= 0 {
		opts.QueueLen = DefaultQueueLen
	}
	ea := newWireEnd(opts.Kind, opts.MTU, opts.QueueLen)
	eb := newWireEnd(opts.Kind, opts.MTU, opts.QueueLen)
	if opts.Kind == KindEthernet {
		ea.mac, eb.mac = opts.HardwareAddrs[0], opts.HardwareAddrs[1]
		if ea.mac == ([6]byte{}) {
			ea.mac = [6]byte{0x02, 0, 0, 0, 0, 1}
		}
		if eb.mac == ([6]byte{}) {
			eb.mac = [6]byte{0x02, 0, 0, 0, 0, 2}
		}
	}
	ea.peer, eb.peer = eb, ea
	ea.start()
	eb.start()
	return ea, eb
}

// Loopback returns a KindIP link that delivers every frame written to it
// back to its own Dispatcher, asynchronously from a delivery goroutine (so
// a sender holding locks is never re-entered). mtu <= 0 means LoopbackMTU,
// Linux's lo default.
func Loopback(mtu int) Endpoint {
	if mtu <= 0 {
		mtu = LoopbackMTU
	}
	e := newWireEnd(KindIP, min(mtu, maxPipeMTU), defaultLoopbackLen)
	e.peer = e
	e.start()
	return e
}

// wireEnd is one end of a pipe (or a loopback, whose peer is itself). It
// owns the queue of frames it transmits and the goroutine that delivers
// them to the peer.
type wireEnd struct {
	kind   Kind
	mtu    int
	mac    [6]byte
	q      *ring
	peer   *wireEnd
	disp   atomic.Pointer[dispatcherRef]
	closed atomic.Bool
	stats  counters
	done   sync.WaitGroup
	once   sync.Once
}

func newWireEnd(k Kind, mtu, qlen int) *wireEnd {
	return &wireEnd{kind: k, mtu: mtu, q: newRing(qlen, MaxFrameLen(k, mtu))}
}

func (e *wireEnd) start() {
	e.done.Add(1)
	go e.deliverLoop()
}

// MTU implements Endpoint.
func (e *wireEnd) MTU() int { return e.mtu }

// Kind implements Endpoint.
func (e *wireEnd) Kind() Kind { return e.kind }

// HardwareAddr implements Endpoint.
func (e *wireEnd) HardwareAddr() [6]byte { return e.mac }

// Headroom implements Endpoint.
func (e *wireEnd) Headroom() int { return 0 }

// Attach implements Endpoint.
func (e *wireEnd) Attach(d Dispatcher) {
	if d == nil {
		e.disp.Store(nil)
		return
	}
	e.disp.Store(&dispatcherRef{d})
}

// Stats implements Endpoint.
func (e *wireEnd) Stats() Stats { return e.stats.snapshot() }

// WritePackets implements Endpoint: it validates every frame, then copies
// the valid prefix into the queue in one critical section.
func (e *wireEnd) WritePackets(pkts [][]byte) (int, error) {
	if e.closed.Load() {
		return 0, ErrClosed
	}
	valid := len(pkts)
	var err error
	for i, p := range pkts {
		if err = checkFrame(&e.stats, e.kind, e.mtu, p); err != nil {
			valid = i
			break
		}
	}
	queued, bytes, closed := e.q.put(pkts[:valid], 0)
	if closed {
		return 0, ErrClosed
	}
	e.stats.tx(queued, bytes)
	if lost := valid - queued; lost > 0 {
		e.stats.drop(DropQueueFull, lost)
	}
	return valid, err
}

// deliverLoop drains the transmit queue in batches into the peer's
// dispatcher.
func (e *wireEnd) deliverLoop() {
	defer e.done.Done()
	for {
		start, count, ok := e.q.take()
		if !ok {
			return
		}
		p := e.peer
		if p.closed.Load() {
			p.stats.drop(DropClosed, count)
			e.q.release(count)
			continue
		}
		ref := p.disp.Load()
		if ref == nil {
			p.stats.drop(DropDetached, count)
			e.q.release(count)
			continue
		}
		bytes := 0
		for i := range count {
			f := e.q.at(start + i)
			bytes += len(f)
			ref.d.DeliverFrame(f)
		}
		p.stats.rx(count, bytes)
		e.q.release(count)
	}
}

// Close implements Endpoint. Frames still queued are dropped (DropClosed).
func (e *wireEnd) Close() error {
	e.once.Do(func() {
		e.closed.Store(true)
		e.disp.Store(nil)
		if lost := e.q.close(); lost > 0 {
			e.stats.drop(DropClosed, lost)
		}
		e.done.Wait()
	})
	return nil
}
