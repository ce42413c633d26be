package stack

import (
	"encoding/binary"
	"sync"
	"time"

	"sockstack/wire"
)

// Reassembly limits, from Linux's defaults: net.ipv4.ipfrag_time (30 s)
// and net.ipv4.ipfrag_high_thresh (4 MiB). RFC 791 §3.2 suggests a timer
// and leaves the bound to the implementation; RFC 815 describes the hole
// bookkeeping done here with a sorted list of received ranges.
const (
	reasmTimeout = 30 * time.Second
	reasmMemMax  = 4 << 20
)

type reasmKey struct {
	src, dst [4]byte
	id       uint16
	proto    uint8
}

type fragment struct {
	off, end int // byte range of the original payload
	buf      *[]byte
}

type reasmEntry struct {
	frags    []fragment // sorted by off, never overlapping
	header   []byte     // the first fragment's header, once seen
	total    int        // payload length, -1 until the last fragment
	mem      int
	deadline time.Time
}

// reassembler puts IPv4 fragments back together (RFC 791 §3.2).
type reassembler struct {
	mu      sync.Mutex
	n       *netState
	m       map[reasmKey]*reasmEntry
	mem     int
	timer   *time.Timer
	stopped bool
}

func (r *reassembler) init() { r.m = make(map[reasmKey]*reasmEntry) }

func (r *reassembler) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	if r.timer != nil {
		r.timer.Stop()
	}
	for k, e := range r.m {
		r.free(k, e)
	}
}

// add files one fragment. When it completes a datagram, add returns the
// whole datagram and a function that releases its buffer.
func (r *reassembler) add(n *netState, ip wire.IPv4) (wire.IPv4, func()) {
	off := int(ip.FragOffset()) * 8
	data := ip.Payload()
	end := off + len(data)
	more := ip.Flags()&wire.IPv4FlagMF != 0
	// RFC 791 §3.2: every fragment but the last carries a multiple of
	// eight octets; the datagram cannot exceed 65535 octets.
	if (more && len(data)%8 != 0) || end+ip.HeaderLen() > 0xffff || (more && len(data) == 0) {
		n.drops.add(DropIPHeaderError)
		return nil, nil
	}
	key := reasmKey{src: ip.Src().As4(), dst: ip.Dst().As4(), id: ip.ID(), proto: ip.Protocol()}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n = n
	if r.stopped {
		return nil, nil
	}
	e := r.m[key]
	if e == nil {
		if r.mem+len(data) > reasmMemMax {
			n.drops.add(DropReasmMemory)
			return nil, nil
		}
		e = &reasmEntry{total: -1, deadline: time.Now().Add(reasmTimeout)}
		r.m[key] = e
		if len(r.m) == 1 {
			// Every entry lives reasmTimeout, so the sweep that
			// expire schedules for the oldest covers the rest.
			r.arm(e.deadline)
		}
	}
	if !r.insert(key, e, off, end, data) {
		return nil, nil
	}
	if off == 0 {
		e.header = append(e.header[:0], ip[:ip.HeaderLen()]...)
	}
	if !more {
		e.total = end
	}
	if whole := r.complete(key, e); whole != nil {
		buf := whole
		return wire.IPv4((*buf)[:len(e.header)+e.total]), func() { n.bufs.put(buf) }
	}
	return nil, nil
}

// insert adds [off, end) to e. Overlap drops the whole datagram, as Linux
// does for IPv4 (RFC 5722's rule for IPv6); an exact duplicate is ignored.
func (r *reassembler) insert(key reasmKey, e *reasmEntry, off, end int, data []byte) bool {
	i := 0
	for i < len(e.frags) && e.frags[i].off < off {
		i++
	}
	for _, f := range e.frags {
		if f.off == off && f.end == end {
			return false
		}
		if off < f.end && f.off < end {
			r.n.drops.add(DropReasmOverlap)
			r.free(key, e)
			return false
		}
	}
	if e.total >= 0 && end > e.total {
		r.n.drops.add(DropReasmOverlap)
		r.free(key, e)
		return false
	}
	if r.mem+len(data) > reasmMemMax {
		r.n.drops.add(DropReasmMemory)
		r.free(key, e)
		return false
	}
	buf := r.n.bufs.get(len(data))
	copy(*buf, data)
	e.frags = append(e.frags, fragment{})
	copy(e.frags[i+1:], e.frags[i:])
	e.frags[i] = fragment{off: off, end: end, buf: buf}
	e.mem += len(data)
	r.mem += len(data)
	return true
}

// complete assembles e if every byte has arrived, and forgets it.
func (r *reassembler) complete(key reasmKey, e *reasmEntry) *[]byte {
	if e.total < 0 || e.header == nil {
		return nil
	}
	at := 0
	for _, f := range e.frags {
		if f.off != at {
			return nil
		}
		at = f.end
	}
	if at != e.total {
		return nil
	}
	hl := len(e.header)
	out := r.n.bufs.get(hl + e.total)
	b := *out
	copy(b, e.header)
	for _, f := range e.frags {
		copy(b[hl+f.off:], (*f.buf)[:f.end-f.off])
	}
	// The reassembled header: no MF, offset zero, the full length and a
	// fresh checksum.
	binary.BigEndian.PutUint16(b[2:], uint16(hl+e.total))
	b[6] &^= 0x3f
	b[7] = 0
	b[10], b[11] = 0, 0
	binary.BigEndian.PutUint16(b[10:], wire.Checksum(b[:hl], 0))
	r.free(key, e)
	return out
}

func (r *reassembler) free(key reasmKey, e *reasmEntry) {
	for _, f := range e.frags {
		r.n.bufs.put(f.buf)
	}
	r.mem -= e.mem
	e.frags, e.mem = nil, 0
	delete(r.m, key)
}

// arm makes sure the expiry sweep runs by deadline. Call with r.mu held.
func (r *reassembler) arm(deadline time.Time) {
	d := time.Until(deadline)
	if r.timer == nil {
		r.timer = time.AfterFunc(d, r.expire)
		return
	}
	r.timer.Reset(d)
}

// expire drops timed-out datagrams. RFC 1122 §3.3.2: when reassembly
// times out with the first fragment in hand, send Time Exceeded code 1.
func (r *reassembler) expire() {
	r.mu.Lock()
	now := time.Now()
	var report [][]byte
	next := time.Time{}
	for k, e := range r.m {
		if now.Before(e.deadline) {
			if next.IsZero() || e.deadline.Before(next) {
				next = e.deadline
			}
			continue
		}
		r.n.drops.add(DropReasmTimeout)
		if e.header != nil && len(e.frags) > 0 && e.frags[0].off == 0 {
			f := e.frags[0]
			q := append([]byte(nil), e.header...)
			q = append(q, (*f.buf)[:min(8, f.end)]...)
			binary.BigEndian.PutUint16(q[2:], uint16(len(q)))
			report = append(report, q)
		}
		r.free(k, e)
	}
	if !next.IsZero() && !r.stopped {
		r.timer.Reset(time.Until(next))
	}
	n := r.n
	r.mu.Unlock()
	for _, q := range report {
		if ip, err := wire.ParseIPv4(q); err == nil {
			n.sendICMPError(ip, icmpTimeExceeded, 1, 0)
		}
	}
}
