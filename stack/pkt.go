package stack

import "sync"

// maxHeadroom is the room reserved in front of a payload for every header
// the stack may prepend: Ethernet with a VLAN tag (18), IPv4 with options
// (60) or IPv6 with extension headers, and TCP with options (60).
const maxHeadroom = 192

// pkt is an outbound packet built back to front in one buffer: the payload
// is copied in once, then each layer prepends its header into the headroom.
type pkt struct {
	b   []byte
	off int // the packet is b[off:end]
	end int
}

// pktPool recycles packet buffers in two size classes, so steady-state
// sending allocates nothing.
type pktPool struct {
	small, large sync.Pool
}

const (
	smallPkt = 2048
	largePkt = 65536 + maxHeadroom
)

// get returns a packet with room for payload bytes after the headroom.
func (pp *pktPool) get(payload int) *pkt {
	pool, size := &pp.small, smallPkt
	if payload+maxHeadroom > smallPkt {
		pool, size = &pp.large, largePkt
	}
	p, _ := pool.Get().(*pkt)
	if p == nil || len(p.b) < payload+maxHeadroom {
		p = &pkt{b: make([]byte, max(size, payload+maxHeadroom))}
	}
	p.off = maxHeadroom
	p.end = maxHeadroom + payload
	return p
}

func (pp *pktPool) put(p *pkt) {
	if len(p.b) > smallPkt {
		pp.large.Put(p)
		return
	}
	pp.small.Put(p)
}

// payload returns the bytes after the headers built so far.
func (p *pkt) data() []byte { return p.b[p.off:p.end] }

// prepend makes room for n header bytes in front and returns them.
func (p *pkt) prepend(n int) []byte {
	p.off -= n
	return p.b[p.off : p.off+n]
}

// len returns the packet's length.
func (p *pkt) len() int { return p.end - p.off }
