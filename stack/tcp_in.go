package stack

import (
	"net/netip"
	"time"

	"sockstack/stack/proto/tcp"
	"sockstack/wire"
)

// inputTCP delivers a segment to its connection or listener, or answers a
// reset (RFC 9293 §3.10.7.1: a segment for a CLOSED socket draws a RST
// unless it is one).
func (n *netState) inputTCP(c *nic, pi packetInfo, l4 []byte) {
	seg, err := wire.ParseTCP(l4)
	if err != nil {
		n.drops.add(DropTCPHeaderError)
		return
	}
	src, dst := pi.src, pi.dst
	// RFC 1122 §4.2.3.10: TCP ignores segments to broadcast or multicast
	// addresses.
	if dst.IsMulticast() || n.isBroadcast(dst) {
		n.drops.add(DropTCPBroadcast)
		return
	}
	if !seg.VerifyChecksum(src, dst) {
		n.drops.add(DropTCPChecksum)
		return
	}
	local := netip.AddrPortFrom(dst, seg.DstPort())
	remote := netip.AddrPortFrom(src, seg.SrcPort())
	now := time.Now()
	if s := n.tcp.lookup(local, remote); s != nil {
		if !s.reusedBy(seg) {
			s.input(now, seg)
			return
		}
		// RFC 6191: a new SYN took over a connection in TIME-WAIT; the
		// old one is gone and the SYN goes to the listener.
		s.reap()
	}
	if l, ok := n.tcp.ports.listener(local).(*tcpSocket); ok {
		l.listenInput(now, local, remote, seg)
		return
	}
	n.drops.add(DropTCPNoSocket)
	if rst, ok := tcp.RSTFor(seg); ok {
		n.sendSegment(&rst, dst, src)
	}
}

func (t *tcpState) lookup(local, remote netip.AddrPort) *tcpSocket {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.conns[tcpKey{local, remote}]
}

// sendSegment sends one segment outside any connection (a RST).
func (n *netState) sendSegment(seg *tcp.Segment, src, dst netip.Addr) {
	p := n.buildTCP(seg, src, dst)
	if p == nil {
		return
	}
	b := n.batches.get()
	b.o = outMeta{proto: wire.TCPProtocolNumber, ttl: defaultTTL, df: true}
	b.out = append(b.out, tcpOut{p, src, dst})
	n.sendBatch(b)
}

// reusedBy reports whether seg, a SYN, ends the socket's TIME-WAIT
// connection so that a new one can start (RFC 6191).
func (s *tcpSocket) reusedBy(seg wire.TCP) bool {
	if !seg.Flags().Has(wire.TCPFlagSYN) || seg.Flags().Has(wire.TCPFlagACK) {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil || s.conn.State() != tcp.TimeWait || !s.conn.ReuseTimeWait(seg) {
		return false
	}
	s.released = true // the socket (closed, orphaned) is finished
	return true
}

// input runs a segment through the connection (RFC 9293 §3.10.7) and
// sends what it answers.
func (s *tcpSocket) input(now time.Time, seg wire.TCP) {
	s.mu.Lock()
	if s.conn == nil {
		s.mu.Unlock()
		return
	}
	s.conn.Input(now, seg)
	b := s.flush(now)
	dead := s.reapable()
	s.mu.Unlock()
	s.host.net.sendBatch(b)
	s.wq.notify()
	if dead {
		s.reap()
	}
}

// listenInput hands a segment to the listener; a completed handshake
// becomes a socket on the accept queue. listen(2)/tcp(7): when the accept
// queue is full, the completing ACK is dropped and the client retries.
func (s *tcpSocket) listenInput(now time.Time, local, remote netip.AddrPort, seg wire.TCP) {
	n := &s.host.net
	s.mu.Lock()
	if s.lst == nil {
		s.mu.Unlock()
		return
	}
	canAccept := len(s.acceptQ) <= int(s.backlog)
	reply, conn := s.lst.Input(now, local, remote, seg, canAccept)
	var b *tcpBatch
	if reply != nil {
		if p := n.buildTCP(reply, local.Addr(), remote.Addr()); p != nil {
			b = n.batches.get()
			b.o = outMeta{proto: wire.TCPProtocolNumber, ttl: s.ip.hops(remote.Addr()), tos: s.ip.class(remote.Addr()), df: true}
			b.out = append(b.out, tcpOut{p, local.Addr(), remote.Addr()})
		}
	}
	var child *tcpSocket
	var cb *tcpBatch
	if conn != nil {
		child = s.host.newTCP(s.domain)
		child.opts, child.ip, child.cfg = s.opts, s.ip, s.cfg
		child.local = local
		child.conn = conn
		conn.Config().OOBInline = s.opts.oobinline // socket(7): inherited
		child.reported = true
		if n.tcp.register(child, tcpKey{local, remote}) {
			child.bnd = &binding{addr: local.Addr(), owner: child, reuseaddr: s.opts.reuseaddr}
			n.tcp.ports.inherit(local.Port(), child.bnd)
			child.mu.Lock()
			cb = child.flush(now)
			child.mu.Unlock()
			s.acceptQ = append(s.acceptQ, child)
		} else {
			conn.Abort()
			child = nil
		}
	}
	s.armTimer(s.lst.Deadline())
	s.mu.Unlock()
	n.sendBatch(b)
	n.sendBatch(cb)
	if child != nil {
		s.wq.notify()
	}
}
