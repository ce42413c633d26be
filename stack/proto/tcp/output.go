package tcp

import (
	"time"

	"sockstack/seqnum"
	"sockstack/wire"
)

// Output emits every segment due at now: a reset, the SYN or SYN-ACK,
// retransmissions, new data within the send and congestion windows, the
// FIN, probes, and an ACK or window update. What it sends follows from the
// connection's state, so calling it twice sends nothing new the second
// time. Segments passed to emit alias connection memory valid until the
// next call on c.
func (c *Conn) Output(now time.Time, emit func(Segment)) {
	if c.rstDue {
		// RFC 9293 §3.10.4 ABORT: <SEQ=SND.NXT><CTL=RST>.
		c.rstDue = false
		emit(Segment{SrcPort: c.local.Port(), DstPort: c.remote.Port(), Seq: c.snd.nxt, Flags: wire.TCPFlagRST})
		c.stats.segsOut++
	}
	if c.rstReply {
		c.rstReply = false
		emit(Segment{SrcPort: c.local.Port(), DstPort: c.remote.Port(), Seq: c.rstReplySeq, Flags: wire.TCPFlagRST})
		c.stats.segsOut++
	}
	c.tuneRcvBuf(now)
	switch c.state {
	case Closed, Listen:
		return
	case SynSent:
		if c.snd.nxt == c.snd.iss {
			c.sendSYN(now, emit, wire.TCPFlagSYN)
		}
		c.updateTimers(now)
		return
	case SynReceived:
		if c.snd.nxt == c.snd.iss {
			c.sendSYN(now, emit, wire.TCPFlagSYN|wire.TCPFlagACK)
		}
	default:
		c.sendRexmit(now, emit)
		c.sendData(now, emit)
		c.sendProbe(now, emit)
	}
	if c.ackNow || c.windowUpdateDue() {
		c.emitSeg(now, emit, c.snd.nxt, wire.TCPFlagACK, nil)
	}
	c.updateTimers(now)
}

// sendSYN sends our SYN or SYN-ACK (RFC 9293 §3.10.1, §3.10.7.2).
func (c *Conn) sendSYN(now time.Time, emit func(Segment), flags wire.TCPFlags) {
	s := c.header(c.snd.iss, flags)
	s.Options = c.synOptions(now, flags.Has(wire.TCPFlagACK))
	// RFC 7323 §2.2: the window of a SYN is not scaled.
	s.Window = uint16(min(c.rcvBuf.free(), 0xffff))
	if flags.Has(wire.TCPFlagACK) {
		c.rcv.adv = c.rcv.nxt.Add(seqnum.Size(s.Window))
	}
	if c.snd.max == c.snd.iss {
		c.startTiming(now, c.snd.iss)
	}
	c.snd.nxt = c.snd.iss.Add(1)
	c.snd.max = seqnum.Max(c.snd.max, c.snd.nxt)
	c.ackNow = false
	emit(s)
	c.stats.segsOut++
}

// header returns a segment with the ports, seq, ack and flags set.
func (c *Conn) header(seq seqnum.Value, flags wire.TCPFlags) Segment {
	s := Segment{SrcPort: c.local.Port(), DstPort: c.remote.Port(), Seq: seq, Flags: flags}
	if flags.Has(wire.TCPFlagACK) {
		s.Ack = c.rcv.nxt
	}
	return s
}

// emitSeg sends a non-SYN segment carrying an ACK, our window, timestamps
// and SACK blocks.
func (c *Conn) emitSeg(now time.Time, emit func(Segment), seq seqnum.Value, flags wire.TCPFlags, p []byte) {
	s := c.header(seq, flags|wire.TCPFlagACK)
	if up, ok := c.urgentPointer(seq); ok {
		s.Flags |= wire.TCPFlagURG
		s.Urgent = up
	}
	s.Options = c.segOptions(now)
	s.Window = c.advertise()
	s.Payload = p
	if len(p) > 0 && c.unacked > 0 {
		// Our data carries the ACK the timer was holding: the exchange
		// is interactive (Linux's pingpong mode), see Read.
		c.pingpong = true
	}
	c.ackNow, c.unacked, c.pushed = false, 0, false
	c.tm.clear(timerDelAck)
	c.ts.lastAckSnt = c.rcv.nxt
	emit(s)
	c.stats.segsOut++
}

// advertise returns the Window field to send and records the right edge
// it advertises. RFC 9293 §3.8.6.2.2: the window grows only in steps of
// min(buffer/2, MSS) (receiver silly-window avoidance), and RFC 9293
// §3.8.6 says the right edge should not move left.
func (c *Conn) advertise() uint16 {
	edge := c.rcv.nxt.Add(seqnum.Size(c.rcvBuf.free()))
	if c.rcv.adv.LessThan(c.rcv.nxt) {
		c.rcv.adv = c.rcv.nxt
	}
	step := seqnum.Size(min(c.rcvBuf.max/2, c.rmss))
	if c.rcv.adv.LessThan(edge) && edge.Sub(c.rcv.adv) >= step {
		c.rcv.adv = edge
	}
	w := uint32(c.rcv.adv.Sub(c.rcv.nxt)) >> c.rcv.wscale
	w = min(w, 0xffff)
	// Scaling rounds the window down; the edge already advertised stays
	// acceptable (it never passes RCV.NXT plus the free space).
	c.rcv.adv = seqnum.Max(c.rcv.adv, c.rcv.nxt.Add(seqnum.Size(w<<c.rcv.wscale)))
	if edge.LessThan(c.rcv.adv) {
		c.rcv.adv = edge
	}
	return uint16(w)
}

// windowUpdateDue reports whether reading opened the window enough to tell
// the peer (RFC 1122 §4.2.3.3): by at least the receiver SWS step (RFC 9293
// §3.8.6.2.2), and, as Linux does, to at least twice a window that had
// fallen to half the buffer or less.
func (c *Conn) windowUpdateDue() bool {
	if c.state.finReceived() || c.state < Established {
		return false
	}
	edge := c.rcv.nxt.Add(seqnum.Size(min(c.rcvBuf.free(), 0xffff<<c.rcv.wscale)))
	if !c.rcv.adv.LessThan(edge) {
		return false
	}
	grow := int(edge.Sub(c.rcv.adv))
	cur := int(seqnum.Max(c.rcv.adv, c.rcv.nxt).Sub(c.rcv.nxt))
	return grow >= min(c.rcvBuf.max/2, c.rmss) && 2*cur <= c.rcvBuf.max && cur+grow >= 2*cur
}

// startTiming times the segment at seq for an RTT sample (RFC 6298 §3:
// one sample per RTT).
func (c *Conn) startTiming(now time.Time, seq seqnum.Value) {
	if c.rtt.timing {
		return
	}
	c.rtt.timing, c.rtt.timedSeq, c.rtt.timedAt = true, uint32(seq), now
}

// payloadRoom is the data one segment carries: the send MSS less the SACK
// blocks riding along (RFC 2018 §4; timestamps are already out of smss).
func (c *Conn) payloadRoom() int {
	if c.opt.sack && c.ooo.len() > 0 {
		room := 4
		if c.opt.ts {
			room = 3
		}
		return max(c.smss-4-8*min(c.ooo.len(), room), 1)
	}
	return c.smss
}

// sendRexmit retransmits one segment at rexmitSeq (fast retransmit, RFC
// 5681 §3.2; partial ACK, RFC 6582 §3.2; a SACK hole, RFC 2018).
func (c *Conn) sendRexmit(now time.Time, emit func(Segment)) {
	if !c.rexmitDue {
		return
	}
	c.rexmitDue = false
	seq := c.rexmitSeq
	if seq.LessThan(c.snd.una) || !seq.LessThan(c.snd.max) {
		return
	}
	_, holeEnd := c.sacked.nextHole(seq, c.snd.max)
	end := seqnum.Min(holeEnd, c.sndEnd())
	n := 0
	if seq.LessThan(end) {
		n = min(int(end.Sub(seq)), c.payloadRoom())
	}
	flags := wire.TCPFlags(0)
	if c.finQd && seq.Add(seqnum.Size(n)) == c.finSeq() && c.finSeq().LessThan(c.snd.max) {
		flags = wire.TCPFlagFIN // the FIN was sent after these bytes: resend it too
	}
	if n == 0 && flags == 0 {
		return
	}
	p := c.sndBuf.slice(int(seq.Sub(c.sndHead)), n, c.scratchBuf())
	if seq == c.snd.nxt {
		// After a timeout's go-back, sending continues after this segment.
		c.snd.nxt = seq.Add(seqnum.Size(n))
		if flags.Has(wire.TCPFlagFIN) {
			c.snd.nxt = c.snd.nxt.Add(1)
		}
	}
	c.rec.high = seqnum.Max(c.rec.high, seq.Add(seqnum.Size(max(n, 1))))
	c.noteUndoResend(now, seq)
	c.noteRexmit()
	c.stats.retrans++
	c.stats.bytesRexmit += uint64(n)
	c.emitSeg(now, emit, seq, flags, p)
}

func (c *Conn) scratchBuf() []byte {
	if len(c.scratch) < c.smss {
		c.scratch = make([]byte, max(c.smss, c.cfg.MSS))
	}
	return c.scratch
}

// sendProbe sends a zero-window probe or keepalive: Linux's form, an old
// sequence number (SND.UNA-1) with no data, which any live peer must
// acknowledge (RFC 9293 §3.8.6.1, RFC 1122 §4.2.3.6).
func (c *Conn) sendProbe(now time.Time, emit func(Segment)) {
	if c.probeDue || c.keepDue {
		c.probeDue, c.keepDue = false, false
		c.sendUrgentProbe(now, emit)
		c.emitSeg(now, emit, c.snd.una-1, wire.TCPFlagACK, nil)
	}
}

// noteRexmit records a retransmission for Karn's rule: no sample from the
// timed segment (RFC 6298 §3).
func (c *Conn) noteRexmit() { c.rtt.invalidateSample() }
