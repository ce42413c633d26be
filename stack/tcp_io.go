package stack

import (
	"net/netip"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/stack/proto/tcp"
	"sockstack/wire"
)

// tcpBatch is a list of built segments and the IP header they go under,
// collected under a socket's lock and sent after it is released.
type tcpBatch struct {
	o   outMeta // ttl, tos, df, device; addresses per packet
	out []tcpOut
}

type tcpOut struct {
	p        *pkt
	src, dst netip.Addr
}

// batchPool recycles batches so sending allocates nothing.
type batchPool struct{ p sync.Pool }

func (bp *batchPool) get() *tcpBatch {
	if b, ok := bp.p.Get().(*tcpBatch); ok {
		return b
	}
	return &tcpBatch{}
}

func (bp *batchPool) put(b *tcpBatch) {
	clear(b.out)
	b.out = b.out[:0]
	bp.p.Put(b)
}

// meta returns the IP header fields of the socket's segments. Call with
// s.mu held. RFC 1191: TCP sets DF and does path MTU discovery.
func (s *tcpSocket) meta() outMeta {
	d := s.key.remote.Addr()
	return outMeta{
		proto: wire.TCPProtocolNumber,
		ttl:   s.ip.hops(d), tos: s.ip.class(d), device: s.opts.device,
		df: s.ip.pmtudisc != unix.IP_PMTUDISC_DONT, dontroute: s.opts.dontroute,
		options: s.ip.options,
	}
}

// flush collects everything the connection has to send now and re-arms
// the socket's timer. Call with s.mu held; pass the result to sendBatch
// after unlocking.
func (s *tcpSocket) flush(now time.Time) *tcpBatch {
	if s.conn == nil {
		return nil
	}
	n := &s.host.net
	b := n.batches.get()
	b.o = s.meta()
	src, dst := s.key.local.Addr(), s.key.remote.Addr()
	s.conn.Output(now, func(seg tcp.Segment) {
		if p := n.buildTCP(&seg, src, dst); p != nil {
			b.out = append(b.out, tcpOut{p, src, dst})
		}
	})
	s.armTimer(s.conn.Deadline())
	if s.bnd != nil {
		s.bnd.timeWait.Store(s.conn.State() == tcp.TimeWait)
	}
	return b
}

// buildTCP encodes a segment into a packet with headroom for IP and link.
// The checksum is left for sendBatch, which runs after the socket's lock
// is released, so that summing a large segment does not hold up the
// socket's other work (an ACK arriving on another goroutine).
func (n *netState) buildTCP(seg *tcp.Segment, src, dst netip.Addr) *pkt {
	p := n.pkts.get(seg.HeaderLen() + len(seg.Payload))
	if _, err := seg.Encode(p.data()); err != nil {
		n.pkts.put(p)
		return nil
	}
	return p
}

// sendBatch sends a batch's segments over IPv4 and recycles it.
func (n *netState) sendBatch(b *tcpBatch) {
	if b == nil {
		return
	}
	for _, x := range b.out {
		// RFC 9293 §3.1: the checksum covers the pseudo-header, header
		// and data (see buildTCP for why it is computed here).
		t, err := wire.ParseTCP(x.p.data())
		if err != nil {
			n.pkts.put(x.p)
			continue
		}
		t.SetChecksum(x.src, x.dst)
		o := b.o
		o.src, o.dst = x.src, x.dst
		if rt, err := n.routeFor(&o); err == nil {
			n.output(rt, &o, x.p)
		} else {
			n.drops.add(DropIPNoRoute)
		}
		n.pkts.put(x.p)
	}
	n.batches.put(b)
}

// armTimer schedules the socket's timer for deadline (zero: none). Call
// with s.mu held.
//
// A connection's deadline moves later on almost every ACK (the
// retransmission timer restarts, RFC 6298 §5.3); rather than reset the
// runtime timer each time, a timer already armed for an earlier instant is
// left alone: it fires early, finds nothing due, and onTimer re-arms it for
// the deadline then current.
func (s *tcpSocket) armTimer(deadline time.Time) {
	if deadline.IsZero() || s.host.net.stopped.Load() {
		if s.timer != nil {
			s.timer.Stop()
		}
		if s.conn != nil {
			s.conn.SetShellTimer(time.Time{})
		}
		return
	}
	if s.conn != nil {
		if armed := s.conn.ShellTimer(); !armed.IsZero() && !deadline.Before(armed) && s.timer != nil {
			return
		}
		s.conn.SetShellTimer(deadline)
	}
	d := time.Until(deadline)
	if s.timer == nil {
		s.timer = time.AfterFunc(d, s.onTimer)
		return
	}
	s.timer.Reset(d)
}

// onTimer runs the connection's (or listener's) expired timers.
func (s *tcpSocket) onTimer() {
	now := time.Now()
	n := &s.host.net
	s.mu.Lock()
	var b *tcpBatch
	switch {
	case s.conn != nil:
		s.conn.SetShellTimer(time.Time{}) // it fired: flush arms it afresh
		s.conn.Tick(now)
		b = s.flush(now)
	case s.lst != nil:
		b = s.tickListener(now)
	}
	dead := s.reapable()
	s.mu.Unlock()
	n.sendBatch(b)
	s.wq.notify()
	if dead {
		s.reap()
	}
}

// tickListener retransmits SYN-ACKs and expires half-open connections.
// Call with s.mu held.
func (s *tcpSocket) tickListener(now time.Time) *tcpBatch {
	n := &s.host.net
	b := n.batches.get()
	b.o = outMeta{proto: wire.TCPProtocolNumber, ttl: s.ip.hops(s.local.Addr()), tos: s.ip.class(s.local.Addr()), df: true}
	s.lst.Tick(now, func(local, remote netip.AddrPort, seg tcp.Segment) {
		if p := n.buildTCP(&seg, local.Addr(), remote.Addr()); p != nil {
			b.out = append(b.out, tcpOut{p, local.Addr(), remote.Addr()})
		}
	})
	s.armTimer(s.lst.Deadline())
	return b
}

// reapable reports whether a closed, orphaned connection can leave the
// demux and free its port. Call with s.mu held.
func (s *tcpSocket) reapable() bool {
	return s.released && (s.conn == nil || s.conn.State() == tcp.Closed)
}

// reap removes a finished socket from the host's tables.
func (s *tcpSocket) reap() {
	n := &s.host.net
	n.tcp.unregister(s)
	s.mu.Lock()
	b := s.bnd
	s.bnd = nil
	if s.timer != nil {
		s.timer.Stop()
	}
	s.mu.Unlock()
	if b != nil {
		n.tcp.ports.unbind(s.local.Port(), b)
	}
}
