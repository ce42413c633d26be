package tcp

import (
	"time"

	"golang.org/x/sys/unix"

	"sockstack/seqnum"
	"sockstack/wire"
)

// Urgent data (RFC 9293 §3.8.5) is kept as Linux keeps it (tcp(7) "Urgent
// data", socket(7) SO_OOBINLINE, recv(2) MSG_OOB):
//
//   - The urgent pointer points to the byte after the urgent byte (RFC 6093
//     §2, RFC 9293 §3.8.5 as updated by RFC 6093).
//   - Of the urgent data only its last byte is out of band. The receiver
//     holds that one byte aside for recv(MSG_OOB); a read stops at it (the
//     mark) and the next read steps over it, unless SO_OOBINLINE keeps it
//     in the stream.
//   - A newer urgent pointer replaces an older one; the older byte is then
//     read inline as ordinary data.
//
// SIGURG is not sent: a userspace stack has no signals to raise. POLLPRI
// and SIOCATMARK are how a program notices urgent data here.

// urgState is the receive side's urgent-data state.
type urgState uint8

const (
	urgNone   urgState = iota // no urgent pointer, or the reader passed the mark
	urgNotYet                 // the pointer arrived, the urgent byte not yet
	urgValid                  // the urgent byte is held for recv(MSG_OOB)
	urgRead                   // recv(MSG_OOB) took it; reads still step over it
)

// urgent is a connection's urgent-data state in both directions.
type urgent struct {
	off     int      // the urgent byte's offset from the first unread byte
	sending bool     // urgent mode: SND.UP not yet acknowledged (RFC 9293 §3.8.5)
	state   urgState // receive side
	b       byte     // the urgent byte, from urgValid on
}

// MarkUrgent makes the last byte queued by Write the urgent byte: send(2)
// with MSG_OOB. RFC 9293 §3.8.5 (with RFC 6093): SND.UP points just past
// it, and every segment that starts before SND.UP carries URG and the
// pointer until the peer acknowledges the byte (RFC 9293 §3.10.4 SEND:
// "set SND.UP <- SND.NXT and send the urgent pointer"). The shell calls
// it after a Write that queued at least one byte.
func (c *Conn) MarkUrgent() {
	if c.sndBuf.n == 0 {
		return
	}
	c.snd.up = c.sndEnd()
	c.urg.sending = true
}

// urgentPointer returns the Urgent Pointer field for a segment starting at
// seq, and whether the segment carries URG: RFC 9293 §3.1, "a positive
// offset from the sequence number in this segment". A pointer beyond the
// 16-bit field is sent as 0xffff while that still points past everything
// sent (Linux does the same), so the peer learns early that urgent data
// is coming.
func (c *Conn) urgentPointer(seq seqnum.Value) (uint16, bool) {
	if !c.urg.sending || !seq.LessThan(c.snd.up) {
		return 0, false
	}
	if d := c.snd.up.Sub(seq); d <= 0xffff {
		return uint16(d), true
	}
	if c.snd.nxt.LessThan(seq.Add(0xffff)) {
		return 0xffff, true
	}
	return 0, false
}

// urgentAcked leaves urgent mode once SND.UNA reaches SND.UP (RFC 9293
// §3.8.5: the urgent data has been delivered).
func (c *Conn) urgentAcked() {
	if c.urg.sending && !c.snd.una.LessThan(c.snd.up) {
		c.urg.sending = false
	}
}

// sendUrgentProbe sends, ahead of a zero-window probe or keepalive, a
// probe at SND.UNA that carries the urgent pointer. The usual probe at
// SND.UNA-1 lies outside the peer's window and its URG would be dropped
// with it (RFC 9293 §3.10.7.4 first); this one is acceptable, so the
// peer learns of urgent data even while its window is closed (RFC 9293
// §3.8.5: the sender is "able to signal urgent data" whatever the flow
// control). Linux sends the same pair.
func (c *Conn) sendUrgentProbe(now time.Time, emit func(Segment)) {
	if c.urg.sending && c.snd.una.LessThan(c.snd.up) && c.snd.up.Sub(c.snd.una) <= 0xffff {
		c.emitSeg(now, emit, c.snd.una, wire.TCPFlagACK, nil)
	}
}

// processURG is RFC 9293 §3.10.7.4 sixth, check the URG bit, as Linux
// applies it: a new pointer announces an urgent byte (RCV.UP just past
// it, RFC 6093), and the byte is picked out of whichever segment brings
// it.
func (c *Conn) processURG(in *inSeg) {
	if c.state != Established && c.state != FinWait1 && c.state != FinWait2 {
		// RFC 9293 §3.10.7.4 sixth: in CLOSE-WAIT, CLOSING, LAST-ACK and
		// TIME-WAIT a FIN was received: ignore the URG.
		return
	}
	if in.has(wire.TCPFlagURG) {
		c.urgentAnnounced(in)
	}
	c.urgentCapture(in)
}

// rcvHead is the sequence number of the first unread byte. It holds while
// no FIN was received (the FIN takes a number but no buffer byte), which
// processURG's states guarantee.
func (c *Conn) rcvHead() seqnum.Value { return c.rcv.nxt - seqnum.Value(c.rcvBuf.n) }

// urgentAnnounced takes the segment's urgent pointer unless it is old.
func (c *Conn) urgentAnnounced(in *inSeg) {
	// RFC 6093 §2: SEG.SEQ+SEG.UP is the byte after the urgent byte. A
	// zero pointer (meaningless then) is taken as the first byte, as Linux
	// takes it.
	ptr := in.seq
	if in.up > 0 {
		ptr = in.seq.Add(seqnum.Size(in.up) - 1)
	}
	off := int(int32(ptr - c.rcvHead()))
	if off < c.rcvBuf.n {
		// It points into data already received: the byte went (or goes)
		// inline. Linux does not replay such a pointer either.
		return
	}
	if c.urg.state != urgNone && off <= c.urg.off {
		return // the same pointer again, or an older one
	}
	if c.urg.state != urgNone && c.urg.off == 0 && !c.cfg.OOBInline && c.rcvBuf.n > 0 {
		// The reader stands at the old mark: step over its out-of-band
		// byte now, or the next read would return it as data. (tcp(7):
		// only the last urgent byte is kept out of band.)
		c.rcvBuf.discard(1)
		off--
	}
	c.urg.state, c.urg.off = urgNotYet, off
	c.rcv.up = ptr.Add(1) // RFC 9293 §3.10.7.4 sixth: RCV.UP
}

// urgentCapture keeps the announced urgent byte when this segment brings
// it, wherever the segment lies in the window.
func (c *Conn) urgentCapture(in *inSeg) {
	if c.urg.state != urgNotYet || len(in.payload) == 0 {
		return
	}
	start := in.seq
	if in.has(wire.TCPFlagSYN) {
		start = start.Add(1)
	}
	at := c.rcvHead().Add(seqnum.Size(c.urg.off))
	if at.InWindow(start, seqnum.Size(len(in.payload))) {
		c.urg.b, c.urg.state = in.payload[at.Sub(start)], urgValid
	}
}

// oobAtHead is 1 when the first unread byte is the out-of-band byte a
// read steps over, else 0.
func (c *Conn) oobAtHead() int {
	if c.urg.state != urgNone && c.urg.off == 0 && !c.cfg.OOBInline && c.rcvBuf.n > 0 {
		return 1
	}
	return 0
}

// readSpan returns how many bytes a read of at most limit bytes steps
// over at the start and how many it then copies. tcp(7) "Urgent data":
// a read stops at the urgent mark; one that starts there skips the
// out-of-band byte, unless SO_OOBINLINE keeps it in the stream.
func (c *Conn) readSpan(limit int) (skip, n int) {
	avail := c.rcvBuf.n
	skip = c.oobAtHead()
	if c.urg.state != urgNone && c.urg.off > 0 {
		avail = min(avail, c.urg.off)
	}
	return skip, max(min(limit, avail-skip), 0)
}

// urgentConsumed moves the mark as k bytes leave the receive buffer. Once
// the reader has passed it the urgent data is gone: recv(MSG_OOB) says
// EINVAL and SIOCATMARK 0, as on Linux.
func (c *Conn) urgentConsumed(k int) {
	if c.urg.state == urgNone {
		return
	}
	c.urg.off -= k
	if c.urg.off < 0 {
		c.urg = urgent{sending: c.urg.sending}
	}
}

// ReadUrgent is recv(2) with MSG_OOB (tcp(7) "Urgent data"): it copies
// the out-of-band byte to p[0] and returns recvmsg's msg_flags (MSG_OOB);
// with peek the byte stays to be read again. With an empty p the byte is
// taken and MSG_TRUNC reported, as Linux does. It returns EINVAL when no
// urgent byte is held (none came, it was read, the reader passed the mark,
// or SO_OOBINLINE keeps it in the stream), and EAGAIN when the urgent
// pointer arrived but the byte did not yet: recv(MSG_OOB) never blocks.
func (c *Conn) ReadUrgent(p []byte, peek bool) (n, flags int, err error) {
	if c.cfg.OOBInline || c.urg.state == urgNone || c.urg.state == urgRead {
		return 0, 0, unix.EINVAL
	}
	if c.urg.state == urgValid {
		if !peek {
			c.urg.state = urgRead
		}
		if len(p) == 0 {
			return 0, unix.MSG_OOB | unix.MSG_TRUNC, nil
		}
		p[0] = c.urg.b
		return 1, unix.MSG_OOB, nil
	}
	if c.rcvShut || c.state == Closed {
		return 0, 0, nil // the byte can no longer come
	}
	return 0, 0, unix.EAGAIN
}

// AtMark reports whether the read position is at the urgent mark:
// SIOCATMARK (tcp(7)), sockatmark(3).
func (c *Conn) AtMark() bool { return c.urg.state != urgNone && c.urg.off == 0 }

// ToMark returns how many bytes lie before the urgent mark, and false when
// there is no mark. tcp(7): "a read never reads across the urgent mark",
// so a read that reaches it returns early whatever SO_RCVLOWAT or
// MSG_WAITALL asked for, as on Linux.
func (c *Conn) ToMark() (int, bool) { return c.urg.off, c.urg.state != urgNone }

// beforeMark returns what FIONREAD reports of n readable bytes: with the
// urgent byte received and held out of band, only the bytes before the
// mark (Linux's tcp_inq), since a read returns no more than those.
func (c *Conn) beforeMark(n int) int {
	if c.urg.state != urgNone && !c.cfg.OOBInline && c.urg.off < n {
		return c.urg.off
	}
	return n
}

// urgentEvents is POLLPRI while an urgent byte waits for recv(MSG_OOB)
// (poll(2): "There is some exceptional condition on the file descriptor
// ... out-of-band data on a TCP socket"). Linux reports it with
// SO_OOBINLINE too.
func (c *Conn) urgentEvents() int16 {
	if c.urg.state == urgValid {
		return unix.POLLPRI
	}
	return 0
}
