package tcp

import (
	"time"

	"sockstack/seqnum"
)

// undo is what a fast retransmission needs to take back its congestion
// response when the retransmission turns out to have been spurious: the
// segment was only reordered, not lost. It is allocated on a connection's
// first fast retransmit and reused.
type undo struct {
	prior   congestion   // the congestion state before the response
	seq     seqnum.Value // the first segment resent
	tsVal   uint32       // the TSval the resend carried
	pending bool         // seq resent once, its ACK not yet seen
	sent    bool         // tsVal is set
}

// armUndo records the congestion state before a fast retransmit of seq
// (RFC 4015 §3.1: keep what the response changes). Only with timestamps,
// which tell a late original from the retransmission.
func (c *Conn) armUndo(seq seqnum.Value) {
	if !c.opt.ts {
		return
	}
	if c.undo == nil {
		c.undo = new(undo)
	}
	*c.undo = undo{prior: c.cc, seq: seq, pending: true}
}

// noteUndoResend records the TSval of the resend of the armed segment;
// a second resend of it makes the test ambiguous, so it disarms.
func (c *Conn) noteUndoResend(now time.Time, seq seqnum.Value) {
	u := c.undo
	if u == nil || !u.pending || seq != u.seq {
		return
	}
	if u.sent {
		u.pending = false
		return
	}
	u.tsVal, u.sent = c.tsNow(now), true
}

// checkUndo is RFC 3522's Eifel detection on an ACK of new data: if the
// first ACK to cover the resent segment echoes a timestamp older than the
// resend's, the original arrived and the retransmission was spurious, so
// RFC 4015 §3.2's response restores the congestion state it replaced and
// recovery ends (Linux's undo does the same with timestamps or DSACK).
func (c *Conn) checkUndo(in *inSeg) {
	u := c.undo
	if u == nil || !u.pending || !u.sent || !u.seq.LessThan(in.ack) {
		return
	}
	u.pending = false
	if !in.opts.HasTimestamps || !seqnum.Value(in.opts.TSEcr).LessThan(seqnum.Value(u.tsVal)) {
		return
	}
	c.cc = u.prior
	c.rec.active = false
	c.stats.undos++
}
