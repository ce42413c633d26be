package tcp

import (
	"time"

	"golang.org/x/sys/unix"

	"sockstack/seqnum"
	"sockstack/wire"
)

// disposition is what one step of segment processing decided.
type disposition uint8

const (
	cont disposition = iota // go on to the next step
	drop                    // stop; any reply the step wanted is already marked due
)

// inSeg is a received segment with its fields decoded once.
type inSeg struct {
	seq, ack seqnum.Value
	flags    wire.TCPFlags
	wnd      uint16
	up       uint16 // SEG.UP, the urgent pointer
	payload  []byte
	len      seqnum.Size // RFC 9293 §3.4 SEG.LEN
	opts     wire.TCPOptions
}

func (in *inSeg) has(f wire.TCPFlags) bool { return in.flags&f != 0 }

// Input processes one received segment whose checksum the shell has
// verified (RFC 9293 §3.10.7). Replies it calls for (ACKs, challenge ACKs,
// resets) are sent by the next Output.
func (c *Conn) Input(now time.Time, seg wire.TCP) {
	var in inSeg
	in.seq, in.ack = seqnum.Value(seg.Seq()), seqnum.Value(seg.Ack())
	in.flags, in.wnd, in.payload = seg.Flags(), seg.Window(), seg.Payload()
	in.up = seg.Urgent()
	in.len = segLen(seg)
	// RFC 9293 §3.2: options that do not parse are ignored; those before
	// the bad one still count.
	in.opts, _ = wire.ParseTCPOptions(seg.Options())
	c.stats.segsIn++
	if len(in.payload) > 0 {
		c.stats.dataIn++
	}
	switch {
	case c.state == Closed || c.state == Listen:
		// RFC 9293 §3.10.7.1: the shell answers segments for closed
		// connections with RSTFor; nothing is kept here.
		return
	case c.state == SynSent:
		c.inputSynSent(now, &in)
	default:
		c.inputSynchronized(now, &in)
	}
	c.updateTimers(now)
}

// inputSynchronized runs RFC 9293 §3.10.7.4's steps in order.
func (c *Conn) inputSynchronized(now time.Time, in *inSeg) {
	if c.checkSequence(now, in) == drop {
		return
	}
	c.lastRecv, c.keepSent = c.clock.tick(now), 0
	if c.checkRST(now, in) == drop {
		return
	}
	// RFC 9293 §3.10.7.4 third: security/compartment checks do not apply.
	if c.checkSYN(now, in) == drop {
		return
	}
	if c.checkACK(now, in) == drop {
		return
	}
	c.processURG(in)
	c.processText(now, in)
	c.processFIN(now, in)
}

// checkSequence is RFC 9293 §3.10.7.4 first, preceded by PAWS (RFC 7323
// §5.3) and followed by the TS.Recent update (RFC 7323 §4.3).
func (c *Conn) checkSequence(now time.Time, in *inSeg) disposition {
	if c.opt.ts && in.opts.HasTimestamps && !in.has(wire.TCPFlagRST) {
		// RFC 7323 §5.3 R1: a segment whose TSval is older than TS.Recent
		// is a duplicate: ACK it and drop it. RFC 7323 §5.5: TS.Recent
		// more than 24 days old is invalid.
		stale := now.Sub(c.ts.recentAt) > 24*24*time.Hour
		if !stale && int32(in.opts.TSVal-c.ts.recent) < 0 {
			c.ackNow = true
			return drop
		}
	}
	wnd := seqnum.Size(0)
	if c.rcv.nxt.LessThan(c.rcv.adv) {
		wnd = c.rcv.adv.Sub(c.rcv.nxt)
	}
	if !acceptable(in.seq, in.len, c.rcv.nxt, wnd) {
		// RFC 9293 §3.10.7.4 first: if an incoming segment is not
		// acceptable, an acknowledgment should be sent in reply (unless
		// the RST bit is set) and the segment dropped.
		if !in.has(wire.TCPFlagRST) {
			c.ackNow = true
			if c.state == TimeWait && in.has(wire.TCPFlagFIN) {
				// RFC 9293 §3.10.7.4 eighth, TIME-WAIT: a retransmitted
				// FIN restarts the 2 MSL timeout.
				c.setTimer(timerClose, now.Add(2*MSL))
			}
		}
		return drop
	}
	if c.opt.ts && in.opts.HasTimestamps && in.seq.LessThanEq(c.ts.lastAckSnt) &&
		int32(in.opts.TSVal-c.ts.recent) >= 0 {
		// RFC 7323 §4.3 (2): remember the TSval to echo.
		c.ts.recent, c.ts.recentAt = in.opts.TSVal, now
	}
	return cont
}

// acceptable is RFC 9293 §3.10.7.4's table of the four cases.
func acceptable(seq seqnum.Value, n seqnum.Size, nxt seqnum.Value, wnd seqnum.Size) bool {
	switch {
	case n == 0 && wnd == 0:
		return seq == nxt
	case n == 0:
		return seq.InWindow(nxt, wnd)
	case wnd == 0:
		return false
	default:
		return seq.InWindow(nxt, wnd) || seq.Add(n-1).InWindow(nxt, wnd)
	}
}

// checkRST is RFC 9293 §3.10.7.4 second as RFC 5961 §3.2 amends it: only
// a RST at exactly RCV.NXT resets; one elsewhere in the window draws a
// challenge ACK.
func (c *Conn) checkRST(now time.Time, in *inSeg) disposition {
	if !in.has(wire.TCPFlagRST) {
		return cont
	}
	if in.seq != c.rcv.nxt {
		c.challengeACK(now) // RFC 5961 §3.2
		return drop
	}
	switch c.state {
	case SynReceived:
		// RFC 9293 §3.10.7.4: from an active OPEN (simultaneous open),
		// the connection was refused.
		c.terminate(unix.ECONNREFUSED)
	case CloseWait:
		// RFC 9293 §3.10.7.4 says "connection reset"; Linux (tcp_reset)
		// reports EPIPE once the peer's FIN was already seen, and Linux is
		// the reference.
		c.terminate(unix.EPIPE)
	case Established, FinWait1, FinWait2:
		// RFC 9293 §3.10.7.4: users get "connection reset".
		c.terminate(unix.ECONNRESET)
	default:
		// RFC 9293 §3.10.7.4: CLOSING, LAST-ACK, TIME-WAIT: enter CLOSED.
		c.terminate(nil)
	}
	return drop
}

// checkSYN is RFC 9293 §3.10.7.4 fourth with RFC 5961 §4.2: a SYN in a
// synchronized state draws a challenge ACK and is dropped.
func (c *Conn) checkSYN(now time.Time, in *inSeg) disposition {
	if !in.has(wire.TCPFlagSYN) {
		return cont
	}
	c.challengeACK(now)
	return drop
}

// challengeLimit is how many challenge ACKs a connection sends per second
// (RFC 5961 §7: the rate SHOULD be limited).
const challengeLimit = 10

// challengeACK marks a challenge ACK due unless this second's allowance
// is spent (RFC 5961 §7).
func (c *Conn) challengeACK(now time.Time) {
	if now.Sub(c.clock.time(c.challengeAt)) >= time.Second {
		c.challengeAt, c.challenges = c.clock.tick(now), 0
	}
	if c.challenges < challengeLimit {
		c.challenges++
		c.ackNow = true
	}
}

// checkACK is RFC 9293 §3.10.7.4 fifth with RFC 5961 §5.2's range.
func (c *Conn) checkACK(now time.Time, in *inSeg) disposition {
	if !in.has(wire.TCPFlagACK) {
		// RFC 9293 §3.10.7.4 fifth: if the ACK bit is off, drop the
		// segment and return.
		return drop
	}
	if c.snd.max.LessThan(in.ack) {
		// RFC 9293 §3.10.7.4: an ACK for something not yet sent: send an
		// ACK, drop the segment.
		c.ackNow = true
		return drop
	}
	low := c.snd.una - seqnum.Value(c.snd.maxWnd)
	if in.ack.LessThan(low) {
		// RFC 5961 §5.2: an ACK older than SND.UNA - MAX.SND.WND gets a
		// challenge ACK.
		c.challengeACK(now)
		return drop
	}
	if c.state == SynReceived {
		if !c.snd.una.LessThan(in.ack) {
			// RFC 9293 §3.10.7.4: in SYN-RECEIVED an unacceptable ACK
			// draws <SEQ=SEG.ACK><CTL=RST>.
			c.resetReply(in.ack)
			return drop
		}
		// RFC 9293 §3.10.7.4: enter ESTABLISHED, set SND.WND, SND.WL1,
		// SND.WL2 and continue processing.
		c.state = Established
		if c.finQd {
			c.state = FinWait1 // the user closed during the handshake
		}
		c.setSendWindow(in)
	}
	c.processAck(now, in)
	return c.ackStateChanges(now)
}

// ackStateChanges applies the per-state rules of RFC 9293 §3.10.7.4 fifth
// once our FIN may have been acknowledged.
func (c *Conn) ackStateChanges(now time.Time) disposition {
	finAcked := c.finQd && c.state.finSent() && c.finSeq().LessThan(c.snd.una)
	if !finAcked {
		return cont
	}
	switch c.state {
	case FinWait1:
		// RFC 9293 §3.10.7.4: if our FIN is now acknowledged, enter
		// FIN-WAIT-2. Linux's shutdown bookkeeping stays as it was.
		c.state = FinWait2
	case Closing:
		// RFC 9293 §3.10.7.4: CLOSING: enter TIME-WAIT.
		c.enterTimeWait(now)
	case LastAck:
		// RFC 9293 §3.10.7.4: LAST-ACK: delete the TCB, enter CLOSED.
		c.terminate(nil)
		return drop
	}
	return cont
}

// setSendWindow records the peer's window and SND.WL1/SND.WL2.
func (c *Conn) setSendWindow(in *inSeg) {
	w := uint32(in.wnd)
	if !in.has(wire.TCPFlagSYN) {
		// RFC 7323 §2.3: the Window field of a SYN is never scaled.
		w <<= c.snd.wscale
	}
	if c.snd.wnd == 0 && w > 0 {
		c.backoff = 0 // the persist backoff ends when the window opens
	}
	c.snd.wnd, c.snd.wl1, c.snd.wl2 = w, in.seq, in.ack
	c.snd.maxWnd = max(c.snd.maxWnd, w)
}

// resetReply marks a <SEQ=seq><CTL=RST> reply due.
func (c *Conn) resetReply(seq seqnum.Value) {
	c.rstReply, c.rstReplySeq = true, seq
}

// enterTimeWait starts TIME-WAIT's 2*MSL (RFC 9293 §3.10.7.4), all other
// timers off.
func (c *Conn) enterTimeWait(now time.Time) {
	c.state = TimeWait
	c.tm = timers{}
	c.setTimer(timerClose, now.Add(2*MSL))
}
