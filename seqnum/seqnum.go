// Package seqnum implements TCP sequence-number arithmetic (RFC 9293 §3.4):
// 32-bit values compared modulo 2**32. Every comparison of sequence numbers
// in sockstack goes through this package.
package seqnum

// Value is a TCP sequence number.
type Value uint32

// Size is a length in sequence space (a window, a byte count).
type Size uint32

// LessThan reports whether v < w in sequence space.
//
// RFC 9293 §3.4: "It is essential to remember that the actual sequence
// number space is finite ... all arithmetic dealing with sequence numbers
// must be performed modulo 2**32"; v < w when w - v, as a signed 32-bit
// difference, is positive.
func (v Value) LessThan(w Value) bool { return int32(v-w) < 0 }

// LessThanEq reports whether v <= w in sequence space.
func (v Value) LessThanEq(w Value) bool { return v == w || v.LessThan(w) }

// GreaterThan reports whether v > w in sequence space.
func (v Value) GreaterThan(w Value) bool { return w.LessThan(v) }

// GreaterThanEq reports whether v >= w in sequence space.
func (v Value) GreaterThanEq(w Value) bool { return w.LessThanEq(v) }

// InRange reports whether a <= v < b.
func (v Value) InRange(a, b Value) bool { return v-a < b-a }

// InWindow reports whether v lies in the window of size bytes starting at
// start: start <= v < start+size (RFC 9293 §3.4). An empty window holds
// nothing.
func (v Value) InWindow(start Value, size Size) bool { return uint32(v-start) < uint32(size) }

// Add returns v advanced by n.
func (v Value) Add(n Size) Value { return v + Value(n) }

// Sub returns the distance from w to v, v - w, as a Size. It is meaningful
// when w <= v.
func (v Value) Sub(w Value) Size { return Size(v - w) }

// Max returns the later of v and w in sequence space.
func Max(v, w Value) Value {
	if v.LessThan(w) {
		return w
	}
	return v
}

// Min returns the earlier of v and w in sequence space.
func Min(v, w Value) Value {
	if v.LessThan(w) {
		return v
	}
	return w
}
