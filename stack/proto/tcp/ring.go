package tcp

// ring is a byte ring buffer that grows by doubling up to max bytes. It
// backs the send buffer (bytes from SND.UNA on) and the receive buffer
// (readable bytes, then the out-of-order region of the window).
type ring struct {
	buf  []byte
	max  int // capacity limit (SO_SNDBUF or SO_RCVBUF)
	head int // index of the first byte
	n    int // bytes held from head
}

// free returns how many more bytes the ring may hold.
func (r *ring) free() int { return r.max - r.n }

// grow makes the backing array at least need bytes long, need <= max. The
// whole array is kept (the receive side stores bytes past n).
func (r *ring) grow(need int) {
	if need <= len(r.buf) {
		return
	}
	size := max(len(r.buf)*2, 4096, need)
	size = min(size, r.max)
	nb := make([]byte, size)
	if len(r.buf) > 0 {
		k := copy(nb, r.buf[r.head:])
		copy(nb[k:], r.buf[:r.head])
	}
	r.buf, r.head = nb, 0
}

// writeAt copies p to offset off past the held bytes (off 0 appends)
// without changing n. off+len(p) must fit in free().
func (r *ring) writeAt(off int, p []byte) {
	r.grow(r.n + off + len(p))
	pos := (r.head + r.n + off) % len(r.buf)
	k := copy(r.buf[pos:], p)
	copy(r.buf, p[k:])
}

// write appends as much of p as fits and returns how much did.
func (r *ring) write(p []byte) int {
	p = p[:min(len(p), r.free())]
	if len(p) == 0 {
		return 0
	}
	r.writeAt(0, p)
	r.n += len(p)
	return len(p)
}

// read copies up to len(p) held bytes from offset off into p.
func (r *ring) read(off int, p []byte) int {
	if off >= r.n {
		return 0
	}
	p = p[:min(len(p), r.n-off)]
	pos := (r.head + off) % len(r.buf)
	k := copy(p, r.buf[pos:])
	copy(p[k:], r.buf)
	return len(p)
}

// slice returns n held bytes from offset off: a slice of the ring when they
// are contiguous, else a copy into scratch.
func (r *ring) slice(off, n int, scratch []byte) []byte {
	if n <= 0 {
		return nil
	}
	pos := (r.head + off) % len(r.buf)
	if pos+n <= len(r.buf) {
		return r.buf[pos : pos+n]
	}
	return scratch[:r.read(off, scratch[:n])]
}

// discard drops the first k held bytes.
func (r *ring) discard(k int) {
	k = min(k, r.n)
	if k == 0 {
		return
	}
	r.head = (r.head + k) % len(r.buf)
	r.n -= k
}

// rewind moves an empty ring's start back to the front of its array, so
// that a connection whose reader or acknowledgments keep up reuses the
// same few cache-warm kilobytes instead of walking a multi-megabyte
// buffer. The caller makes sure nothing is stored past n.
func (r *ring) rewind() {
	if r.n == 0 {
		r.head = 0
	}
}
