package tcp

import (
	"time"

	"sockstack/seqnum"
	"sockstack/wire"
)

// negotiated records the options both ends agreed on in the handshake.
type negotiated struct {
	ws   bool // RFC 7323 §2.2: both sent Window Scale
	ts   bool // RFC 7323 §3.2: both sent Timestamps
	sack bool // RFC 2018 §2: both sent SACK-Permitted
}

// tsVars is the RFC 7323 §4.3 timestamp state.
type tsVars struct {
	recent     uint32       // TS.Recent
	recentAt   time.Time    // when TS.Recent was set, for the 24-day rule (RFC 7323 §5.5)
	lastAckSnt seqnum.Value // Last.ACK.sent
}

// scoreboard holds SACK blocks the peer reported above SND.UNA (RFC 2018
// §3), merged; the sender skips them when retransmitting.
type scoreboard struct{ q oooQueue }

func (s *scoreboard) reset() {
	if s != nil {
		s.q.n = 0
	}
}

// add records blocks from a SACK option, ignoring any not within
// (una, max].
func (s *scoreboard) add(o *wire.TCPOptions, una, maxSent seqnum.Value) {
	for _, b := range o.SACKBlocks[:o.NumSACKBlocks] {
		l, r := seqnum.Value(b.Left), seqnum.Value(b.Right)
		if !una.LessThan(r) || !l.LessThan(r) || maxSent.LessThan(r) {
			continue
		}
		s.q.add(seqnum.Max(l, una), r)
	}
	s.q.pop(una) // drop what the cumulative ACK covers
}

// advance drops ranges below una.
func (s *scoreboard) advance(una seqnum.Value) {
	if s == nil {
		return
	}
	k := 0
	for k < s.q.n && s.q.s[k].end.LessThanEq(una) {
		k++
	}
	copy(s.q.s[:], s.q.s[k:s.q.n])
	s.q.n -= k
}

// nextHole returns the first sequence number at or after from that the
// peer has not SACKed, and the end of that hole (the next SACKed start, or
// limit).
func (s *scoreboard) nextHole(from, limit seqnum.Value) (seqnum.Value, seqnum.Value) {
	if s == nil {
		return from, limit
	}
	for i := range s.q.n {
		sp := s.q.s[i]
		if from.LessThan(sp.start) {
			return from, seqnum.Min(sp.start, limit)
		}
		if from.LessThan(sp.end) {
			from = sp.end
		}
	}
	return from, limit
}

// bytesAbove returns how many bytes above seq the peer has SACKed.
func (s *scoreboard) bytesAbove(seq seqnum.Value) int {
	if s == nil {
		return 0
	}
	n := 0
	for i := range s.q.n {
		sp := s.q.s[i]
		if seq.LessThan(sp.end) {
			n += int(sp.end.Sub(seqnum.Max(sp.start, seq)))
		}
	}
	return n
}

// highest returns the end of the highest SACKed range, or una if none.
func (s *scoreboard) highest(una seqnum.Value) seqnum.Value {
	if s == nil || s.q.n == 0 {
		return una
	}
	return s.q.s[s.q.n-1].end
}

// synOptions returns the options for our SYN or SYN-ACK. On a SYN-ACK
// (peer != nil) only options the peer offered are echoed (RFC 7323 §2.2,
// §3.2; RFC 2018 §2).
func (c *Conn) synOptions(now time.Time, synAck bool) wire.TCPOptions {
	o := wire.TCPOptions{HasMSS: true, MSS: uint16(c.rmss)}
	if c.cfg.WindowScale && (!synAck || c.opt.ws) {
		o.HasWindowScale, o.WindowScale = true, c.rcv.wscale
	}
	if c.cfg.SACK && (!synAck || c.opt.sack) {
		o.SACKPermitted = true
	}
	if c.cfg.Timestamps && (!synAck || c.opt.ts) {
		o.HasTimestamps, o.TSVal = true, c.tsNow(now)
		if synAck {
			o.TSEcr = c.ts.recent
		}
	}
	return o
}

// applyPeerSYN records the options of the peer's SYN (or SYN-ACK, where
// they are the answer to ours).
func (c *Conn) applyPeerSYN(now time.Time, o *wire.TCPOptions, synAck bool) {
	if o.HasMSS && o.MSS > 0 {
		// RFC 9293 §3.7.1: send no segment larger than the peer's MSS.
		c.smss = min(int(o.MSS), c.maxMSSForPath())
	}
	c.smss = max(c.smss, minMSS)
	offered := func(ours, theirs bool) bool { return ours && theirs }
	c.opt.ws = offered(c.cfg.WindowScale, o.HasWindowScale)
	c.opt.sack = offered(c.cfg.SACK, o.SACKPermitted)
	c.opt.ts = offered(c.cfg.Timestamps, o.HasTimestamps)
	if c.opt.ws {
		// RFC 7323 §2.3: a shift above 14 is used as 14.
		c.snd.wscale = min(o.WindowScale, wire.TCPMaxWindowScale)
	} else {
		// RFC 7323 §2.2: without both options, neither side scales.
		c.snd.wscale, c.rcv.wscale = 0, 0
	}
	if c.opt.ts {
		c.ts.recent, c.ts.recentAt = o.TSVal, now
		// RFC 7323 §3.2 (and RFC 6691): the MSS excludes options, so room
		// for the timestamp option comes out of each segment.
		c.smss -= wire.TCPOptTimestampsLen + 2
	}
	c.cc.setMSS(c.smss)
}

// segOptions returns the options for a non-SYN segment: Timestamps when in
// use (RFC 7323 §3.2) and SACK blocks for out-of-order data (RFC 2018 §4).
func (c *Conn) segOptions(now time.Time) wire.TCPOptions {
	var o wire.TCPOptions
	room := wire.TCPMaxSACKBlocks
	if c.opt.ts {
		o.HasTimestamps, o.TSVal, o.TSEcr = true, c.tsNow(now), c.ts.recent
		room = 3 // 40 option bytes less 12 for timestamps leave 3 blocks
	}
	if c.opt.sack && c.ooo.len() > 0 {
		var b [wire.TCPMaxSACKBlocks]span
		n := c.ooo.sackBlocks(b[:room])
		for i := range n {
			o.SACKBlocks[i] = wire.TCPSACKBlock{Left: uint32(b[i].start), Right: uint32(b[i].end)}
		}
		o.NumSACKBlocks = n
	}
	return o
}
