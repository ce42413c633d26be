package tcp

import (
	"sockstack/seqnum"
	"sockstack/wire"
)

// ReuseTimeWait reports whether seg, a SYN arriving for this connection
// in TIME-WAIT, may open a new incarnation of it; if so the connection is
// Closed at once and the shell hands seg to its Listener. RFC 9293
// §3.10.7.4 (and RFC 1122 §4.2.2.13) allow it when the SYN's sequence
// number is above RCV.NXT; with timestamps RFC 6191 §2 decides by TSval
// instead.
func (c *Conn) ReuseTimeWait(seg wire.TCP) bool {
	const ctl = wire.TCPFlagSYN | wire.TCPFlagACK | wire.TCPFlagRST
	if c.state != TimeWait || seg.Flags()&ctl != wire.TCPFlagSYN {
		return false
	}
	ok := c.rcv.nxt.LessThan(seqnum.Value(seg.Seq()))
	if c.opt.ts {
		if o, _ := wire.ParseTCPOptions(seg.Options()); o.HasTimestamps {
			// RFC 6191 §2: a timestamp newer than TS.Recent proves the
			// SYN belongs to a new incarnation.
			ok = int32(o.TSVal-c.ts.recent) > 0
		}
	}
	if ok {
		c.terminate(nil)
	}
	return ok
}
