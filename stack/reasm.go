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
	src, dst [16]byte
	id       uint32
	proto    uint8 // IPv4's protocol; IPv6 keys on addresses and ID alone
	v6       bool
}

type fragment struct {
	off, end int // byte range of the original payload
	buf      *[]byte
}

type reasmEntry struct {
	frags    []fragment // sorted by off, never overlapping
	header   []byte     // the first fragment's header, once seen
	v6       bool
	total    int // payload length, -1 until the last fragment
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

// add files one IPv4 fragment. When it completes a datagram, add returns
// the whole datagram and a function that releases its buffer.
func (r *reassembler) add(n *netState, ip wire.IPv4) (wire.IPv4, func()) {
	off := int(ip.FragOffset()) * 8
	data := ip.Payload()
	more := ip.Flags()&wire.IPv4FlagMF != 0
	key := reasmKey{src: ip.Src().As16(), dst: ip.Dst().As16(), id: uint32(ip.ID()), proto: ip.Protocol()}
	whole, done := r.addFragment(n, key, ip[:ip.HeaderLen()], off, data, more)
	return wire.IPv4(whole), done
}

// add6 files one IPv6 fragment (RFC 8200 §4.5) whose Fragment header fh
// follows the fixed header directly; hdr is the fixed header. The whole
// packet it returns has no Fragment header.
func (r *reassembler) add6(n *netState, hdr []byte, fh wire.IPv6FragmentHeader, data []byte) (wire.IPv6, func()) {
	ip := wire.IPv6(hdr)
	key := reasmKey{src: ip.Src().As16(), dst: ip.Dst().As16(), id: fh.Identification(), v6: true}
	// The reassembled header names the fragmented part's first header.
	h := append([]byte(nil), hdr[:wire.IPv6HeaderLen]...)
	h[6] = fh.NextHeader()
	whole, done := r.addFragment(n, key, h, fh.Offset(), data, fh.MoreFragments())
	return wire.IPv6(whole), done
}

// addFragment is the family-independent part of reassembly.
func (r *reassembler) addFragment(n *netState, key reasmKey, hdr []byte, off int, data []byte, more bool) ([]byte, func()) {
	end := off + len(data)
	// RFC 791 §3.2 / RFC 8200 §4.5: every fragment but the last carries a
	// multiple of eight octets; the datagram cannot exceed 65535 octets.
	if (more && len(data)%8 != 0) || end+len(hdr) > 0xffff+wire.IPv6HeaderLen || (more && len(data) == 0) {
		n.drops.add(DropIPHeaderError)
		return nil, nil
	}
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
		e = &reasmEntry{total: -1, deadline: time.Now().Add(reasmTimeout), v6: key.v6}
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
		e.header = append(e.header[:0], hdr...)
	}
	if !more {
		e.total = end
	}
	if whole := r.complete(key, e); whole != nil {
		buf := whole
		return (*buf)[:len(e.header)+e.total], func() { n.bufs.put(buf) }
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
	if e.v6 {
		// RFC 8200 §4.5: the payload length covers the reassembled
		// payload; the Fragment header is gone.
		binary.BigEndian.PutUint16(b[4:], uint16(e.total))
	} else {
		// The reassembled IPv4 header: no MF, offset zero, the full
		// length and a fresh checksum.
		binary.BigEndian.PutUint16(b[2:], uint16(hl+e.total))
		b[6] &^= 0x3f
		b[7] = 0
		b[10], b[11] = 0, 0
		binary.BigEndian.PutUint16(b[10:], wire.Checksum(b[:hl], 0))
	}
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
		if !e.v6 && e.header != nil && len(e.frags) > 0 && e.frags[0].off == 0 {
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
