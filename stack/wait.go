package stack

import (
	"sync"
	"time"
)

// waiter is woken whenever a socket it watches may have changed readiness.
// Waiters are pooled per host, each with a reusable timer, so a blocking
// call allocates nothing in steady state.
type waiter struct {
	ch chan struct{} // buffered, capacity 1: a pending wake-up
	t  *time.Timer
}

// waiterPool recycles waiters.
type waiterPool struct{ p sync.Pool }

func (wp *waiterPool) get() *waiter {
	if w, ok := wp.p.Get().(*waiter); ok {
		return w
	}
	return &waiter{ch: make(chan struct{}, 1)}
}

// put returns w once it is off every wait queue.
func (wp *waiterPool) put(w *waiter) {
	select {
	case <-w.ch:
	default:
	}
	wp.p.Put(w)
}

// waitQueue is the set of waiters watching one socket.
type waitQueue struct {
	mu      sync.Mutex
	waiters []*waiter
}

func (q *waitQueue) add(w *waiter) {
	q.mu.Lock()
	q.waiters = append(q.waiters, w)
	q.mu.Unlock()
}

func (q *waitQueue) remove(w *waiter) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, x := range q.waiters {
		if x == w {
			last := len(q.waiters) - 1
			q.waiters[i] = q.waiters[last]
			q.waiters[last] = nil
			q.waiters = q.waiters[:last]
			return
		}
	}
}

// notify wakes every waiter. It never blocks.
func (q *waitQueue) notify() {
	q.mu.Lock()
	for _, w := range q.waiters {
		select {
		case w.ch <- struct{}{}:
		default:
		}
	}
	q.mu.Unlock()
}

// sleep waits for a wake-up or the deadline (zero means none). It reports
// false when the deadline passed.
func (w *waiter) sleep(deadline time.Time) bool {
	if deadline.IsZero() {
		<-w.ch
		return true
	}
	d := time.Until(deadline)
	if d <= 0 {
		return false
	}
	// Go 1.23 timers: Reset and Stop leave no stale tick in t.C.
	if w.t == nil {
		w.t = time.NewTimer(d)
	} else {
		w.t.Reset(d)
	}
	select {
	case <-w.ch:
		w.t.Stop()
		return true
	case <-w.t.C:
		return false
	}
}
