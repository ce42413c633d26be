package stack

import (
	"net/netip"
	"sync"
	"time"
)

// dgram is one queued datagram: its bytes (a pooled buffer), source and
// arrival time.
type dgram struct {
	buf   *[]byte // pooled storage; data is (*buf)[:n]
	n     int
	from  netip.AddrPort
	stamp time.Time
}

// truesizeOverhead approximates the per-datagram bookkeeping that Linux
// charges to the receive buffer (the sk_buff), so that SO_RCVBUF bounds a
// flood of tiny datagrams too.
const truesizeOverhead = 256

// dgramQueue is a bounded FIFO of datagrams. The caller holds the socket's
// lock.
type dgramQueue struct {
	items []dgram
	head  int
	bytes int // charged bytes, compared with SO_RCVBUF
}

func (q *dgramQueue) len() int { return len(q.items) - q.head }

// push appends d unless that would exceed limit; it reports whether it did.
// socket(7)/udp(7): a datagram that does not fit the receive buffer is
// dropped.
func (q *dgramQueue) push(d dgram, limit int) bool {
	cost := d.n + truesizeOverhead
	if q.bytes > 0 && q.bytes+cost > limit {
		return false
	}
	if q.head > 0 && q.head == len(q.items) {
		q.items = q.items[:0]
		q.head = 0
	}
	q.items = append(q.items, d)
	q.bytes += cost
	return true
}

func (q *dgramQueue) peek() *dgram {
	if q.len() == 0 {
		return nil
	}
	return &q.items[q.head]
}

func (q *dgramQueue) pop() dgram {
	d := q.items[q.head]
	q.items[q.head] = dgram{}
	q.head++
	q.bytes -= d.n + truesizeOverhead
	if q.head == len(q.items) {
		q.items = q.items[:0]
		q.head = 0
	}
	return d
}

// bufPool recycles receive buffers by size class.
type bufPool struct {
	small, large sync.Pool
}

func (bp *bufPool) get(n int) *[]byte {
	pool, size := &bp.small, smallPkt
	if n > smallPkt {
		pool, size = &bp.large, largePkt
	}
	b, _ := pool.Get().(*[]byte)
	if b == nil || cap(*b) < n {
		s := make([]byte, max(size, n))
		b = &s
	}
	*b = (*b)[:cap(*b)]
	return b
}

func (bp *bufPool) put(b *[]byte) {
	if cap(*b) > smallPkt {
		bp.large.Put(b)
		return
	}
	bp.small.Put(b)
}
