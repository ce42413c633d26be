package tcp

import (
	"bytes"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"sockstack/wire"
)

// pkt is a segment in flight between the two ends of a harness.
type pkt struct {
	at   time.Time
	id   uint64
	toB  bool
	buf  []byte
	size int
}

// pipe connects a client Conn (a) to a Listener and the server Conn (b) it
// accepts, delivering segments after delay, dropping a fraction loss and
// delaying a fraction reorder by up to 3 ms more, driven by a seeded PRNG.
// Time is simulated: it jumps to the next delivery or deadline.
type pipe struct {
	t       testing.TB
	now     time.Time
	a, b    *Conn
	l       *Listener
	q       []pkt // binary heap by (at, id)
	nextID  uint64
	rng     *rand.Rand
	loss    float64
	reorder float64
	delay   time.Duration
	free    [][]byte
	sent    int
	dropN   int // drop the next dropN segments sent
	emitA   func(Segment)
	emitB   func(Segment)
}

func newPipe(t testing.TB, cfgA, cfgB Config, seed uint64) *pipe {
	p := &pipe{t: t, now: t0, rng: rand.New(rand.NewPCG(seed, seed^0x5eed)), delay: 5 * time.Millisecond}
	p.emitA = func(s Segment) { p.send(true, s) }
	p.emitB = func(s Segment) { p.send(false, s) }
	p.a = Dial(cfgA, cliAddr, srvAddr, p.now)
	p.l = NewListener(cfgB, srvAddr, 16)
	return p
}

func (p *pipe) send(toB bool, s Segment) {
	p.sent++
	if p.dropN > 0 {
		p.dropN--
		return
	}
	if p.loss > 0 && p.rng.Float64() < p.loss {
		return
	}
	var buf []byte
	if k := len(p.free); k > 0 {
		buf, p.free = p.free[k-1], p.free[:k-1]
	} else {
		buf = make([]byte, 2048)
	}
	n, err := s.Encode(buf)
	if err != nil {
		p.t.Fatalf("encode: %v", err)
	}
	at := p.now.Add(p.delay)
	if p.reorder > 0 && p.rng.Float64() < p.reorder {
		at = at.Add(time.Duration(p.rng.IntN(3000)) * time.Microsecond)
	}
	p.nextID++
	p.push(pkt{at: at, id: p.nextID, toB: toB, buf: buf, size: n})
}

func (p *pipe) less(i, j int) bool {
	if !p.q[i].at.Equal(p.q[j].at) {
		return p.q[i].at.Before(p.q[j].at)
	}
	return p.q[i].id < p.q[j].id
}

func (p *pipe) push(x pkt) {
	p.q = append(p.q, x)
	for i := len(p.q) - 1; i > 0; {
		up := (i - 1) / 2
		if !p.less(i, up) {
			break
		}
		p.q[i], p.q[up] = p.q[up], p.q[i]
		i = up
	}
}

func (p *pipe) pop() pkt {
	x := p.q[0]
	last := len(p.q) - 1
	p.q[0] = p.q[last]
	p.q = p.q[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(p.q) && p.less(l, m) {
			m = l
		}
		if r < len(p.q) && p.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		p.q[i], p.q[m] = p.q[m], p.q[i]
		i = m
	}
	return x
}

// next returns the time of the next event, or false if there is none.
func (p *pipe) next() (time.Time, bool) {
	var at time.Time
	consider := func(d time.Time) {
		if !d.IsZero() && (at.IsZero() || d.Before(at)) {
			at = d
		}
	}
	if len(p.q) > 0 {
		consider(p.q[0].at)
	}
	consider(p.a.Deadline())
	if p.b != nil {
		consider(p.b.Deadline())
	}
	consider(p.l.Deadline())
	return at, !at.IsZero()
}

// step runs the next event and reports whether there was one.
func (p *pipe) step() bool {
	at, ok := p.next()
	if !ok {
		return false
	}
	if at.After(p.now) {
		p.now = at
	}
	for len(p.q) > 0 && !p.q[0].at.After(p.now) {
		x := p.pop()
		p.deliver(x)
		p.free = append(p.free, x.buf)
	}
	p.tick(p.a, p.emitA)
	if p.b != nil {
		p.tick(p.b, p.emitB)
	}
	if d := p.l.Deadline(); !d.IsZero() && !d.After(p.now) {
		p.l.Tick(p.now, func(_, _ netip.AddrPort, s Segment) { p.send(false, s) })
	}
	return true
}

func (p *pipe) tick(c *Conn, emit func(Segment)) {
	if d := c.Deadline(); !d.IsZero() && !d.After(p.now) {
		c.Tick(p.now)
		c.Output(p.now, emit)
	}
}

func (p *pipe) deliver(x pkt) {
	seg, err := wire.ParseTCP(x.buf[:x.size])
	if err != nil {
		p.t.Fatalf("parse: %v", err)
	}
	if !x.toB {
		p.a.Input(p.now, seg)
		p.a.Output(p.now, p.emitA)
		return
	}
	if p.b != nil {
		p.b.Input(p.now, seg)
		p.b.Output(p.now, p.emitB)
		return
	}
	reply, c := p.l.Input(p.now, srvAddr, cliAddr, seg, true)
	if reply != nil {
		p.send(false, *reply)
	}
	if c != nil {
		p.b = c
		c.Output(p.now, p.emitB)
	}
}

// connect runs the handshake to completion on both sides.
func (p *pipe) connect() {
	p.a.Output(p.now, p.emitA)
	for i := 0; i < 10000 && (p.b == nil || p.a.State() != Established || p.b.State() != Established); i++ {
		if !p.step() {
			break
		}
	}
	if p.b == nil || p.a.State() != Established || p.b.State() != Established {
		p.t.Fatalf("handshake: client %v server %v", p.a.State(), p.b)
	}
}

// transfer writes src into from and reads it all out of to, checking the
// bytes, within a simulated-time limit.
func (p *pipe) transfer(from, to *Conn, emit func(Segment), src []byte, rbuf []byte, limit time.Duration) {
	start := p.now
	w, r := 0, 0
	for r < len(src) {
		if w < len(src) {
			n, _ := from.Write(src[w:])
			if n > 0 {
				w += n
				from.Output(p.now, emit)
			}
		}
		for {
			n, err := to.Read(rbuf, false)
			if n == 0 || err != nil {
				break
			}
			if !bytes.Equal(rbuf[:n], src[r:r+n]) {
				p.t.Fatalf("byte mismatch at offset %d", r)
			}
			r += n
			to.Output(p.now, p.emitFor(to))
		}
		if r == len(src) {
			break
		}
		if !p.step() || p.now.Sub(start) > limit {
			p.t.Fatalf("transfer stalled at %d/%d written %d (sim %v): from %v to %v", r, len(src), w, p.now.Sub(start), from.State(), to.State())
		}
	}
}

func (p *pipe) emitFor(c *Conn) func(Segment) {
	if c == p.a {
		return p.emitA
	}
	return p.emitB
}
