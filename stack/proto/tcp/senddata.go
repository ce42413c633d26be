package tcp

import (
	"time"

	"sockstack/seqnum"
	"sockstack/wire"
)

// sendData sends queued data from SND.NXT as the windows allow, then the
// FIN once every byte before it is sent (RFC 9293 §3.10.4).
func (c *Conn) sendData(now time.Time, emit func(Segment)) {
	for c.state >= Established {
		end := c.sndEnd()
		if !c.snd.nxt.LessThan(end) {
			c.sendFIN(now, emit, end)
			return
		}
		// RFC 5681 §3.1: send no more than min(cwnd, rwnd) past SND.UNA;
		// RFC 3042 §2 (limited transmit): each of the first two duplicate
		// ACKs lets one more new segment go.
		win := min(int64(c.snd.wnd), int64(c.cc.cwnd+c.limitedTransmit()))
		usable := win - int64(c.snd.nxt.Sub(c.snd.una))
		avail := int(end.Sub(c.snd.nxt))
		room := c.payloadRoom()
		n := int(min(int64(avail), int64(room), max(usable, 0)))
		if !c.sendOK(n, avail, room) {
			return
		}
		seq := c.snd.nxt
		flags := wire.TCPFlags(0)
		if n == avail {
			flags |= wire.TCPFlagPSH
			if c.finQd && c.state.finSent() {
				flags |= wire.TCPFlagFIN // piggyback the FIN on the last data
			}
		}
		if seq.LessThan(c.snd.max) {
			c.noteRexmit()
			c.stats.retrans++
			c.stats.bytesRexmit += uint64(n)
		} else {
			c.startTiming(now, seq)
		}
		p := c.sndBuf.slice(int(seq.Sub(c.sndHead)), n, c.scratchBuf())
		c.snd.nxt = seq.Add(seqnum.Size(n))
		if flags.Has(wire.TCPFlagFIN) {
			c.snd.nxt = c.snd.nxt.Add(1)
		}
		c.snd.max = seqnum.Max(c.snd.max, c.snd.nxt)
		c.stats.dataOut++
		c.emitSeg(now, emit, seq, flags, p)
	}
}

// sendFIN sends a FIN alone when it is due at end and not yet sent (or
// being resent after a timeout).
func (c *Conn) sendFIN(now time.Time, emit func(Segment), end seqnum.Value) {
	if !c.finQd || !c.state.finSent() || c.snd.nxt != end {
		return
	}
	c.snd.nxt = end.Add(1)
	c.snd.max = seqnum.Max(c.snd.max, c.snd.nxt)
	c.emitSeg(now, emit, end, wire.TCPFlagFIN, nil)
}

// sendOK decides whether a segment of n bytes (avail queued, room a full
// segment) goes now: RFC 9293 §3.8.6.2.1's sender silly-window avoidance
// with the Nagle algorithm of RFC 9293 §3.7.4, and TCP_CORK (tcp(7)).
func (c *Conn) sendOK(n, avail, room int) bool {
	switch {
	case n <= 0:
		return false
	case c.snd.nxt.LessThan(c.snd.max):
		return true // retransmitting what was already sent
	case c.forceSend:
		c.forceSend = false
		return true // RFC 9293 §3.8.6.2.1: the override timeout expired
	case c.urg.sending:
		// RFC 9293 §3.8.5: urgent data is to be sent promptly; neither
		// Nagle nor TCP_CORK holds it back (Linux: tcp_nagle_test).
		return true
	case n >= room:
		return true // a full segment
	case c.finQd && n == avail:
		return true // the last data before the FIN
	case c.cfg.Cork:
		return false // tcp(7) TCP_CORK: only full frames while corked
	case n == avail && (c.cfg.NoDelay || c.snd.una == c.snd.nxt):
		// RFC 9293 §3.7.4 (Nagle): with no unacknowledged data, send all
		// that is queued; TCP_NODELAY always does.
		return true
	case c.snd.maxWnd > 0 && n >= int(c.snd.maxWnd/2):
		// RFC 9293 §3.8.6.2.1: D >= Fs * Max(SND.WND), Fs = 1/2.
		return true
	}
	return false
}

// limitedTransmit is the extra window RFC 3042 grants after one or two
// duplicate ACKs outside recovery.
func (c *Conn) limitedTransmit() int {
	if c.rec.active || c.rec.dupAcks == 0 || c.rec.dupAcks > 2 {
		return 0
	}
	return c.rec.dupAcks * c.smss
}
