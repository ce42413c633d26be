package tcp

import (
	"time"

	"sockstack/seqnum"
	"sockstack/wire"
)

// processAck handles an acceptable ACK in a synchronized state: RFC 9293
// §3.10.7.4 fifth for ESTABLISHED, with RTT sampling (RFC 6298, RFC 7323
// §4), congestion control (RFC 5681) and NewReno recovery (RFC 6582).
func (c *Conn) processAck(now time.Time, in *inSeg) {
	if c.opt.sack && in.opts.NumSACKBlocks > 0 {
		if c.sacked == nil {
			c.sacked = new(scoreboard)
		}
		c.sacked.add(&in.opts, c.snd.una, c.snd.max)
	}
	switch {
	case c.snd.una.LessThan(in.ack):
		c.newAck(now, in)
	case in.ack == c.snd.una && c.isDupAck(in):
		c.dupAck()
	}
	// RFC 9293 §3.10.7.4 fifth: if SND.UNA =< SEG.ACK =< SND.NXT, update
	// the window when SND.WL1 < SEG.SEQ, or SND.WL1 = SEG.SEQ and
	// SND.WL2 =< SEG.ACK.
	fresh := c.snd.wl1.LessThan(in.seq) || (c.snd.wl1 == in.seq && c.snd.wl2.LessThanEq(in.ack))
	if c.snd.una.LessThanEq(in.ack) && fresh {
		c.setSendWindow(in)
	}
}

// isDupAck is RFC 5681 §2's definition of a duplicate acknowledgment.
func (c *Conn) isDupAck(in *inSeg) bool {
	w := uint32(in.wnd) << c.snd.wscale
	return c.snd.una != c.snd.max && len(in.payload) == 0 &&
		!in.has(wire.TCPFlagSYN|wire.TCPFlagFIN) &&
		(w == c.snd.wnd || in.opts.NumSACKBlocks > 0)
}

// newAck handles an ACK of new data.
func (c *Conn) newAck(now time.Time, in *inSeg) {
	acked := int(in.ack.Sub(c.snd.una))
	flight := int(c.snd.max.Sub(c.snd.una))
	dataAcked := 0
	if c.sndHead.LessThan(in.ack) {
		dataAcked = int(seqnum.Min(in.ack, c.sndEnd()).Sub(c.sndHead))
		c.sndBuf.discard(dataAcked)
		c.sndBuf.rewind()
		c.sndHead = c.sndHead.Add(seqnum.Size(dataAcked))
	}
	c.snd.una = in.ack
	c.urgentAcked()
	if c.snd.nxt.LessThan(c.snd.una) {
		c.snd.nxt = c.snd.una
	}
	c.stats.bytesAcked += uint64(dataAcked)
	c.sampleRTT(now, in)
	c.checkUndo(in)
	// RFC 6298 §5.3: restart the timer on an ACK of new data; the backoff
	// ends with it.
	c.backoff = 0
	c.firstRexmit = 0
	c.tm.clear(timerRexmit)
	c.sacked.advance(c.snd.una)
	if c.rec.active {
		c.recoveryAck(acked)
	} else if 2*flight >= c.cc.cwnd {
		// RFC 7661 §4.1 (and Linux's tcp_is_cwnd_limited): grow cwnd
		// only while it limits sending, so a receiver- or
		// application-limited flow does not build a window it never
		// used.
		c.cc.onAck(acked, now, c.rtt.srtt)
	}
	c.expandSndBuf()
	c.rec.dupAcks = 0
}

// expandSndBuf grows an autotuned send buffer to twice the congestion
// window, so that a full window can be in flight while the application
// refills the buffer behind it: tcp(7) tcp_wmem ("the send buffer ...
// is dynamically adjusted" between the default and the maximum), bounded
// by Config.SndBufMax. It runs on every ACK of new data, not only when
// cwnd limits sending: a buffer smaller than cwnd is exactly what keeps a
// sender from being cwnd-limited (the initial window of a 64 KiB MSS is
// twice the default 16 KiB buffer).
func (c *Conn) expandSndBuf() {
	// During fast recovery cwnd is inflated by one SMSS per duplicate ACK
	// (RFC 6582 §3.2 step 4) and says nothing about the window to come.
	if c.cfg.SndBufMax <= c.sndBuf.max || c.rec.active {
		return
	}
	c.sndBuf.max = min(max(c.sndBuf.max, 2*c.cc.cwnd), c.cfg.SndBufMax)
}

// sampleRTT takes an RTT measurement from the timed segment (RFC 6298 §3,
// with Karn's algorithm), with or without timestamps. RFC 7323 §4's
// timestamp RTTM is not used: an echo of TS.Recent after lost ACKs or a
// long idle time measures the gap, not the path (RFC 7323 §4.3 (3)), and
// such samples inflate the RTO; Linux likewise prefers its own send times.
func (c *Conn) sampleRTT(now time.Time, in *inSeg) {
	if c.rtt.timing && seqnum.Value(c.rtt.timedSeq).LessThan(in.ack) {
		c.rtt.timing = false
		c.rtt.sample(now.Sub(c.rtt.timedAt))
	}
}

// recoveryAck is RFC 6582 §3.2 step 3 for an ACK during fast recovery.
func (c *Conn) recoveryAck(acked int) {
	if c.rec.recover.LessThanEq(c.snd.una) {
		// Full acknowledgment: RFC 6582 §3.2 step 3 option (1), cwnd =
		// min(ssthresh, max(FlightSize, SMSS) + SMSS).
		flight := int(c.snd.max.Sub(c.snd.una))
		c.cc.cwnd = min(c.cc.ssthresh, max(flight, c.smss)+c.smss)
		c.rec.active = false
		return
	}
	// Partial acknowledgment: retransmit the first unacknowledged segment,
	// deflate cwnd by the amount acknowledged and add back one SMSS. With
	// SACK, only if the scoreboard says it is lost (RFC 6675 §4 IsLost:
	// more than (DupThresh-1)*SMSS bytes SACKed above it): after a
	// reordered segment arrives late, the ACKs of the rest of the window
	// are all partial, and resending each new SND.UNA would resend the
	// whole window.
	if !c.opt.sack || c.sacked.bytesAbove(c.snd.una) > (dupThresh-1)*c.smss {
		c.markRexmit(c.snd.una)
	}
	c.cc.cwnd = max(c.cc.cwnd-acked, 0)
	if acked >= c.smss {
		c.cc.cwnd += c.smss
	}
	c.cc.cwnd = max(c.cc.cwnd, c.smss)
}

// dupAck counts a duplicate ACK: RFC 5681 §3.2 fast retransmit on the
// third, RFC 6582 §3.2 recovery, with SACK telling which holes to fill
// (RFC 2018 §1).
func (c *Conn) dupAck() {
	c.rec.dupAcks++
	if c.rec.active {
		// RFC 6582 §3.2 step 4: inflate cwnd by SMSS per duplicate.
		c.cc.cwnd += c.smss
		if c.opt.sack {
			c.sackRexmit()
		}
		return
	}
	if c.rec.dupAcks < dupThresh {
		return
	}
	// RFC 6582 §3.2 step 2: enter recovery only if the ACK covers more
	// than "recover", so one window's losses cause one reduction.
	if c.rec.valid && c.snd.una.LessThanEq(c.rec.recover) {
		return
	}
	flight := int(c.snd.max.Sub(c.snd.una))
	c.armUndo(c.snd.una)
	c.cc.onLoss(flight)
	c.rec = recovery{active: true, valid: true, recover: c.snd.max, dupAcks: c.rec.dupAcks}
	// RFC 5681 §3.2 (3)-(4): retransmit, cwnd = ssthresh + 3*SMSS.
	c.cc.cwnd = c.cc.ssthresh + 3*c.smss
	c.stats.fastRexmits++
	c.markRexmit(c.snd.una)
}

// sackRexmit picks the next hole to retransmit during recovery: the first
// one above what this pass has already resent that the peer's SACK blocks
// show to be missing (RFC 6675 §5 NextSeg (1), one segment per ACK).
//
// A retransmission can be lost too. Once every hole of a pass has been
// resent, the pass ends at SND.MAX; when the peer then SACKs data sent
// after that point while the holes remain, the resent segments were lost
// (RFC 8985 §6.2, RACK: a segment is lost when one sent after it has been
// delivered), and a new pass starts from SND.UNA instead of waiting for
// the retransmission timer.
func (c *Conn) sackRexmit() {
	highest := c.sacked.highest(c.snd.una)
	if c.rec.passDone && c.rec.passEnd.LessThan(highest) {
		c.rec.high, c.rec.passDone = c.snd.una, false
	}
	from := seqnum.Max(c.rec.high, c.snd.una)
	hole, _ := c.sacked.nextHole(from, c.snd.max)
	if hole.LessThan(highest) {
		c.markRexmit(hole)
	} else if !c.rec.passDone {
		c.rec.passEnd, c.rec.passDone = c.snd.max, true
	}
}

// dupThresh is the number of duplicate ACKs that signal a loss (RFC 5681
// §3.2, RFC 6675 §2 DupThresh).
const dupThresh = 3

// markRexmit asks Output to retransmit the segment at seq.
func (c *Conn) markRexmit(seq seqnum.Value) {
	c.rexmitDue, c.rexmitSeq = true, seq
}
