package tcp

import (
	"time"

	"golang.org/x/sys/unix"

	"sockstack/seqnum"
	"sockstack/wire"
)

// processText is RFC 9293 §3.10.7.4 seventh: in-order data goes to the
// receive buffer, out-of-order data into the window past it (RFC 9293
// §3.10.7.4: "segments with higher beginning sequence numbers ... may be
// held for later processing").
func (c *Conn) processText(now time.Time, in *inSeg) {
	if len(in.payload) == 0 {
		return
	}
	if c.state != Established && c.state != FinWait1 && c.state != FinWait2 {
		// RFC 9293 §3.10.7.4 seventh: after a FIN, text is ignored.
		return
	}
	p, seq := in.payload, in.seq
	if in.has(wire.TCPFlagSYN) {
		seq = seq.Add(1)
	}
	if seq.LessThan(c.rcv.nxt) {
		skip := int(c.rcv.nxt.Sub(seq))
		if skip >= len(p) {
			c.ackNow = true // a duplicate: the peer may have lost our ACK
			return
		}
		p, seq = p[skip:], c.rcv.nxt
	}
	if c.orphan {
		// RFC 2525 §2.17 and Linux: new data for a closed socket draws a
		// reset; nobody will read it.
		c.rstDue = true
		c.terminate(unix.ECONNRESET)
		return
	}
	off := int(seq.Sub(c.rcv.nxt))
	room := c.rcvBuf.free() - off
	if room <= 0 {
		c.ackNow = true
		return
	}
	p = p[:min(len(p), room)]
	c.rcvBuf.writeAt(off, p)
	c.stats.bytesRcvd += uint64(len(p))
	if off > 0 {
		// RFC 5681 §4.2: an out-of-order segment is acknowledged at once
		// (a duplicate ACK, with SACK blocks per RFC 2018 §4).
		if c.ooo == nil {
			c.ooo = new(oooQueue)
		}
		c.ooo.add(seq, seq.Add(seqnum.Size(len(p))))
		c.quickAcks = quickAckSegs
		c.ackNow = true
		return
	}
	// RFC 5681 §4.2: a segment that fills in all or part of a gap is
	// acknowledged at once, so the sender's recovery moves on.
	if c.ooo.len() > 0 {
		c.ackNow = true
	}
	c.advanceRcvNxt(seqnum.Size(len(p)))
	// RFC 9293 §3.8.6.3 and RFC 1122 §4.2.3.2: ACK at least every second
	// full-sized segment; otherwise the delayed-ACK timer runs. "Full
	// sized" is the largest segment the peer has sent (rcvMSS), not the
	// MSS we advertised: a sender limited by its buffer or window may
	// never fill our MSS, and must not wait for the timer (Linux's
	// rcv_mss estimate does the same).
	c.rcvMSS = max(c.rcvMSS, min(len(p), c.rmss))
	if c.quickAcks > 0 {
		// After reordering or loss the sender is recovering, with a
		// small window: it needs every ACK at once (Linux's quickack
		// mode; RFC 5681 §4.2 leaves the delay to the receiver's
		// judgement, "SHOULD" at most every second segment).
		c.quickAcks--
		c.ackNow = true
	}
	c.unacked += len(p)
	c.pushed = c.pushed || in.has(wire.TCPFlagPSH)
	if c.unacked > c.rcvMSS {
		c.ackNow = true
	}
}

// quickAckSegs is how many in-order segments are ACKed at once after an
// out-of-order one (Linux's quickack mode uses up to 16).
const quickAckSegs = 16

// advanceRcvNxt moves RCV.NXT past n in-order bytes and any out-of-order
// ranges they join.
func (c *Conn) advanceRcvNxt(n seqnum.Size) {
	c.rcv.nxt = c.rcv.nxt.Add(n)
	c.rcvBuf.n += int(n)
	if c.ooo.len() == 0 {
		return
	}
	nxt := c.ooo.pop(c.rcv.nxt)
	if nxt != c.rcv.nxt {
		c.rcvBuf.n += int(nxt.Sub(c.rcv.nxt))
		c.rcv.nxt = nxt
		// RFC 5681 §4.2: a segment filling a hole is acknowledged at once.
		c.ackNow = true
	}
}

// processFIN is RFC 9293 §3.10.7.4 eighth.
func (c *Conn) processFIN(now time.Time, in *inSeg) {
	if in.has(wire.TCPFlagFIN) {
		fin := in.seq.Add(in.len - 1)
		switch {
		case c.rcv.nxt.LessThan(fin):
			// Out of order: remember it for when the data before it
			// arrives.
			c.oooFin, c.oooFinSq = true, fin
			c.ackNow = true
		case fin == c.rcv.nxt:
			c.takeFIN(now)
		default:
			c.ackNow = true // a retransmitted FIN
		}
		return
	}
	if c.oooFin && c.oooFinSq == c.rcv.nxt {
		c.takeFIN(now)
	}
}

// takeFIN processes the peer's FIN at RCV.NXT.
func (c *Conn) takeFIN(now time.Time) {
	if c.state.finReceived() {
		if c.state == TimeWait {
			c.setTimer(timerClose, now.Add(2*MSL))
		}
		c.ackNow = true
		return
	}
	// RFC 9293 §3.10.7.4 eighth: advance RCV.NXT over the FIN, send an
	// acknowledgment, signal "connection closing" to the user.
	c.oooFin = false
	c.rcv.nxt = c.rcv.nxt.Add(1)
	c.ackNow = true
	c.rcvShut = true
	switch c.state {
	case SynReceived, Established:
		c.state = CloseWait
	case FinWait1:
		// Our FIN is not yet acknowledged (checkACK would have moved us
		// to FIN-WAIT-2): simultaneous close.
		c.state = Closing
	case FinWait2:
		c.enterTimeWait(now)
	}
}

// inputSynSent is RFC 9293 §3.10.7.3, SYN-SENT.
func (c *Conn) inputSynSent(now time.Time, in *inSeg) {
	hasACK := in.has(wire.TCPFlagACK)
	if hasACK && (in.ack.LessThanEq(c.snd.iss) || c.snd.max.LessThan(in.ack)) {
		// RFC 9293 §3.10.7.3 first: an unacceptable ACK draws
		// <SEQ=SEG.ACK><CTL=RST> unless the segment is a reset.
		if !in.has(wire.TCPFlagRST) {
			c.resetReply(in.ack)
		}
		return
	}
	if in.has(wire.TCPFlagRST) {
		// RFC 9293 §3.10.7.3 second (RFC 5961 §3.2): a RST whose ACK is
		// acceptable means the connection was refused; without ACK drop.
		if hasACK {
			c.terminate(unix.ECONNREFUSED)
		}
		return
	}
	if !in.has(wire.TCPFlagSYN) {
		return // RFC 9293 §3.10.7.3 fifth: neither SYN nor RST: drop
	}
	// RFC 9293 §3.10.7.3 fourth: RCV.NXT = SEG.SEQ+1, IRS = SEG.SEQ.
	c.rcv.irs = in.seq
	c.rcv.nxt = in.seq.Add(1)
	c.rcv.adv = c.rcv.nxt
	c.applyPeerSYN(now, &in.opts, hasACK)
	c.lastRecv = c.clock.tick(now)
	if !hasACK {
		// RFC 9293 §3.10.7.3: simultaneous open: enter SYN-RECEIVED and
		// send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
		c.state = SynReceived
		c.snd.nxt = c.snd.iss
		c.setSendWindow(in)
		return
	}
	c.sampleRTT(now, in)
	c.snd.una = in.ack
	c.backoff = 0
	c.tm.clear(timerRexmit)
	// RFC 9293 §3.10.7.3: our SYN is acknowledged: enter ESTABLISHED,
	// send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>; data or controls in the
	// segment are processed from the sixth step on.
	c.state = Established
	c.setSendWindow(in)
	c.ackNow = true
	c.processURG(in)
	c.processText(now, in)
	c.processFIN(now, in)
}
