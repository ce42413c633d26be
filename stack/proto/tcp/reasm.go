package tcp

import "sockstack/seqnum"

// maxOOO bounds the out-of-order ranges a connection tracks. The bytes
// themselves live in the receive ring, so memory is bounded by SO_RCVBUF
// whatever the count; a segment that would need another range is dropped,
// never one that advances RCV.NXT, so a full queue cannot stall the stream.
const maxOOO = 16

// span is the sequence range [start, end).
type span struct{ start, end seqnum.Value }

// oooQueue lists the out-of-order ranges held past RCV.NXT, sorted and
// disjoint (not even adjacent).
type oooQueue struct {
	s      [maxOOO]span
	n      int
	recent seqnum.Value // start of the most recently received segment (RFC 2018 §4)
}

// add records [start, end), merging with neighbours, and reports whether it
// fit.
func (q *oooQueue) add(start, end seqnum.Value) bool {
	i := 0
	for i < q.n && q.s[i].end.LessThan(start) {
		i++
	}
	j := i
	for j < q.n && q.s[j].start.LessThanEq(end) {
		start = seqnum.Min(start, q.s[j].start)
		end = seqnum.Max(end, q.s[j].end)
		j++
	}
	if i == j && q.n == maxOOO {
		return false
	}
	// Replace s[i:j] with the merged span.
	removed := j - i
	if removed == 0 {
		copy(q.s[i+1:q.n+1], q.s[i:q.n])
		q.n++
	} else if removed > 1 {
		copy(q.s[i+1:], q.s[j:q.n])
		q.n -= removed - 1
	}
	q.s[i] = span{start, end}
	q.recent = start
	return true
}

// len returns the number of ranges held; a nil queue holds none. A
// connection allocates its queues on first use, as most never see a
// segment out of order (this keeps an idle connection small).
func (q *oooQueue) len() int {
	if q == nil {
		return 0
	}
	return q.n
}

// pop removes the ranges that start at or before nxt and returns the new
// RCV.NXT they let it advance to.
func (q *oooQueue) pop(nxt seqnum.Value) seqnum.Value {
	if q == nil {
		return nxt
	}
	k := 0
	for k < q.n && q.s[k].start.LessThanEq(nxt) {
		nxt = seqnum.Max(nxt, q.s[k].end)
		k++
	}
	copy(q.s[:], q.s[k:q.n])
	q.n -= k
	return nxt
}

// sackBlocks fills b with up to len(b) blocks, the one holding the most
// recently received segment first (RFC 2018 §4), and returns the count.
func (q *oooQueue) sackBlocks(b []span) int {
	if q == nil || q.n == 0 || len(b) == 0 {
		return 0
	}
	first := 0
	for i := range q.n {
		if q.recent.InRange(q.s[i].start, q.s[i].end) {
			first = i
		}
	}
	b[0] = q.s[first]
	k := 1
	for i := q.n - 1; i >= 0 && k < len(b); i-- {
		if i != first {
			b[k] = q.s[i]
			k++
		}
	}
	return k
}
