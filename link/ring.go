package link

import "sync"

// ring is a bounded single-consumer frame queue with pre-allocated
// buffers. Producers copy frames into spare buffers under mu (that copy is
// the "wire") and queue them in slots; the consumer takes every filled slot
// as one batch, processes it without the lock, then gives the buffers
// back. Buffers keep their capacity, so after warm-up nothing allocates,
// and the spares are a stack: the buffer freed last is filled next, so a
// short queue cycles through a few cache-warm buffers instead of walking
// the whole ring's memory (with 64 KiB frames, 16 MiB).
type ring struct {
	mu      sync.Mutex
	cond    sync.Cond
	slots   [][]byte // queued frames, FIFO from head
	spare   [][]byte // free buffers, LIFO
	head    int      // first filled slot
	n       int      // filled slots
	busy    int      // slots of the batch the consumer is processing
	waiting bool     // consumer sleeps in cond.Wait
	closed  bool
}

// slotPrealloc bounds the capacity each slot gets up front; slots for
// larger frames grow on first use and keep their size.
const slotPrealloc = 2048

func newRing(depth, maxFrame int) *ring {
	r := &ring{slots: make([][]byte, depth), spare: make([][]byte, depth)}
	r.cond.L = &r.mu
	size := min(maxFrame, slotPrealloc)
	backing := make([]byte, depth*size)
	for i := range r.spare {
		r.spare[i] = backing[i*size : i*size : (i+1)*size]
	}
	return r
}

// put copies frames (each after skip bytes of headroom) into free slots.
// It returns how many were queued; the rest found the ring full (or closed).
func (r *ring) put(frames [][]byte, skip int) (queued, bytes int, closed bool) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return 0, 0, true
	}
	for _, f := range frames {
		if r.n == len(r.slots) {
			break
		}
		i := (r.head + r.n) % len(r.slots)
		b := r.spare[len(r.spare)-1]
		r.spare = r.spare[:len(r.spare)-1]
		r.slots[i] = append(b[:0], f[skip:]...)
		r.n++
		queued++
		bytes += len(f) - skip
	}
	if queued > 0 && r.waiting {
		r.waiting = false
		r.cond.Signal()
	}
	r.mu.Unlock()
	return queued, bytes, false
}

// take waits for filled slots and returns the first index and count of the
// batch, or ok=false once the ring is closed. The caller reads the slots
// with at(start+i) and then calls release(count).
func (r *ring) take() (start, count int, ok bool) {
	r.mu.Lock()
	for r.n == 0 && !r.closed {
		r.waiting = true
		r.cond.Wait()
	}
	start, count, ok = r.head, r.n, !r.closed
	r.busy = count
	r.mu.Unlock()
	return start, count, ok
}

// at returns slot i modulo the ring size.
func (r *ring) at(i int) []byte { return r.slots[i%len(r.slots)] }

// release frees the count slots of the batch returned by take.
func (r *ring) release(count int) {
	r.mu.Lock()
	for i := range count {
		j := (r.head + i) % len(r.slots)
		r.spare = append(r.spare, r.slots[j])
		r.slots[j] = nil
	}
	r.head = (r.head + count) % len(r.slots)
	r.n -= count
	r.busy = 0
	r.mu.Unlock()
}

// close wakes the consumer and refuses further frames. It returns how many
// frames were still queued and not being processed (they are lost).
func (r *ring) close() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return 0
	}
	r.closed = true
	r.cond.Broadcast()
	return r.n - r.busy
}
