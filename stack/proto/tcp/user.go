package tcp

import (
	"math"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/seqnum"
)

// Write copies as much of p as fits into the send buffer (RFC 9293 §3.10.2
// SEND) and returns the count; the shell then calls Output. It returns
// EAGAIN when the buffer is full or the handshake is not done, EPIPE after
// shutdown(SHUT_WR), a pending error (ECONNRESET, ETIMEDOUT, ...) once, and
// ENOTCONN when there is no connection.
func (c *Conn) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.Err()
	}
	switch {
	case c.sndShut || c.finQd:
		return 0, unix.EPIPE
	case c.state == SynSent || c.state == SynReceived:
		return 0, unix.EAGAIN
	case !c.state.canSend():
		return 0, unix.ENOTCONN
	}
	if len(p) == 0 {
		return 0, nil
	}
	n := c.sndBuf.write(p)
	if n == 0 {
		return 0, unix.EAGAIN
	}
	return n, nil
}

// Read copies received bytes into p (RFC 9293 §3.10.3 RECEIVE); with peek
// it leaves them in the buffer (MSG_PEEK). It returns 0, nil at end of
// stream, a pending error once, EAGAIN when nothing is buffered yet, and
// ENOTCONN before the handshake begins. tcp(7) "Urgent data": a read stops
// at the urgent mark, and one that starts there steps over the
// out-of-band byte unless SO_OOBINLINE is set (see urgent.go).
func (c *Conn) Read(p []byte, peek bool) (int, error) {
	if c.rcvBuf.n > 0 && len(p) > 0 {
		skip, n := c.readSpan(len(p))
		c.rcvBuf.read(skip, p[:n])
		if !peek {
			c.rcvBuf.discard(skip + n)
			if c.ooo.len() == 0 {
				c.rcvBuf.rewind() // nothing is held past the readable bytes
			}
			c.urgentConsumed(skip + n)
			c.drs.copied += n
			c.ackIfDrained()
		}
		if n > 0 {
			return n, nil
		}
		// Only the out-of-band byte was there: as if nothing was.
	}
	if c.err != nil {
		return 0, c.Err()
	}
	if c.rcvShut || c.done || c.state.finReceived() {
		return 0, nil
	}
	if c.state == Closed {
		return 0, unix.ENOTCONN
	}
	if len(p) == 0 {
		return 0, nil
	}
	return 0, unix.EAGAIN
}

// ackIfDrained acknowledges at once, rather than on the delayed-ACK timer,
// when the reader has taken everything the sender pushed (RFC 9293 §3.9.1
// PUSH: the sender wants the data delivered; it may be waiting for the ACK
// to send more), unless the exchange is interactive and a reply will carry
// the ACK soon (RFC 1122 §4.2.3.2 delayed ACKs). Linux does the same when
// its receive queue empties.
func (c *Conn) ackIfDrained() {
	if c.rcvBuf.n == 0 && c.unacked > 0 && c.pushed && !c.pingpong {
		c.ackNow = true
	}
}

// Shutdown implements shutdown(2) with how SHUT_RD, SHUT_WR or SHUT_RDWR.
// Shutting the send side queues a FIN after the buffered data (RFC 9293
// §3.10.4 CLOSE).
func (c *Conn) Shutdown(how int) error {
	if how < unix.SHUT_RD || how > unix.SHUT_RDWR {
		return unix.EINVAL
	}
	if c.state == Closed || c.state == Listen {
		return unix.ENOTCONN
	}
	if how != unix.SHUT_WR {
		c.rcvShut = true
	}
	if how != unix.SHUT_RD {
		c.sndShut = true
		c.queueFIN()
	}
	return nil
}

// queueFIN is RFC 9293 §3.10.4 CLOSE for the send half.
func (c *Conn) queueFIN() {
	switch c.state {
	case SynSent:
		// RFC 9293 §3.10.4: SYN-SENT: delete the TCB.
		c.terminate(nil)
	case SynReceived:
		// RFC 9293 §3.10.4: SYN-RECEIVED: queue the FIN for processing
		// after entering ESTABLISHED (checkACK moves on to FIN-WAIT-1).
		c.finQd = true
	case Established:
		// RFC 9293 §3.10.4: queue the FIN after the data, enter
		// FIN-WAIT-1.
		c.finQd = true
		c.state = FinWait1
	case CloseWait:
		// RFC 9293 §3.10.4: CLOSE-WAIT: queue the FIN, enter LAST-ACK.
		c.finQd = true
		c.state = LastAck
	}
}

// Close implements close(2) on the socket (RFC 9293 §3.10.4). Unread
// received data aborts the connection with a RST (RFC 2525 §2.17, as
// Linux); otherwise the FIN is queued and the connection lives on,
// orphaned, until the peer's FIN and TIME-WAIT or TCP_LINGER2 end it.
// The shell keeps delivering segments and ticks until State is Closed.
func (c *Conn) Close(now time.Time) {
	c.orphan = true
	if c.rcvBuf.n > 0 && c.state.synchronized() {
		c.Abort()
		return
	}
	c.rcvShut, c.sndShut = true, true
	c.queueFIN()
	c.updateTimers(now)
}

// Abort resets the connection (RFC 9293 §3.10.5 ABORT, SO_LINGER with a
// zero timeout): the next Output sends <SEQ=SND.NXT><CTL=RST> in a
// synchronized state, and the connection is Closed at once.
func (c *Conn) Abort() {
	c.rstDue = c.state.synchronized() && c.state != TimeWait
	c.terminate(nil)
	c.orphan = true
}

// ICMPError applies an ICMP error for this connection (RFC 1122
// §4.2.3.9): errno from the shell's ICMP-to-errno table, and mtu > 0 for
// "fragmentation needed" / "packet too big" (RFC 1191 §6, RFC 8201). Hard
// errors abort a connection still in the handshake, as Linux does; in
// other states they are soft errors, reported if the connection times out.
func (c *Conn) ICMPError(errno unix.Errno, mtu int) {
	if mtu > 0 {
		c.pathMTU(mtu)
		return
	}
	switch errno {
	case unix.ECONNREFUSED, unix.EHOSTUNREACH, unix.ENETUNREACH, unix.EPROTO,
		unix.ENOPROTOOPT, unix.EACCES, unix.EHOSTDOWN, unix.ENONET:
		if c.state == SynSent || c.state == SynReceived {
			c.terminate(errno)
			return
		}
	}
	c.softErr = errno
}

// pathMTU lowers the send MSS to fit mtu and resends what was in flight
// (RFC 1191 §6.1).
func (c *Conn) pathMTU(mtu int) {
	hdr := 40 // IPv4 + TCP
	if c.remote.Addr().Is6() && !c.remote.Addr().Is4In6() {
		hdr = 60
	}
	mss := mtu - hdr
	if c.opt.ts {
		mss -= 12
	}
	mss = max(mss, minMSS)
	if mss >= c.smss {
		return
	}
	c.smss = mss
	c.cc.setMSS(mss)
	c.cc.cwnd = max(c.cc.cwnd, mss)
	if c.state.synchronized() && c.snd.una.LessThan(c.snd.nxt) {
		c.snd.nxt = c.snd.una
		c.rtt.invalidateSample()
	}
}

// Info returns the TCP_INFO view of the connection (tcp(7)).
func (c *Conn) Info() unix.TCPInfo {
	var i unix.TCPInfo
	i.State = c.state.linuxState()
	if c.rec.active {
		i.Ca_state = 3 // TCP_CA_Recovery
	}
	i.Retransmits = uint8(min(c.backoff, 255))
	i.Backoff = i.Retransmits
	if c.opt.ts {
		i.Options |= tcpiOptTimestamps
	}
	if c.opt.sack {
		i.Options |= tcpiOptSACK
	}
	if c.opt.ws {
		i.Options |= tcpiOptWscale
	}
	i.Rto = uint32(c.rtt.backedOff(c.backoff).Microseconds())
	i.Ato = uint32(delAckTimeout.Microseconds())
	i.Snd_mss, i.Rcv_mss, i.Advmss = uint32(c.smss), uint32(c.rmss), uint32(c.rmss)
	i.Unacked = uint32(c.snd.max.Sub(c.snd.una))
	i.Rtt, i.Rttvar = uint32(c.rtt.srtt.Microseconds()), uint32(c.rtt.rttvar.Microseconds())
	i.Snd_cwnd = uint32(c.cc.cwnd / max(c.smss, 1))
	i.Snd_ssthresh = uint32(c.cc.ssthresh / max(c.smss, 1))
	if c.cc.ssthresh >= math.MaxInt32 {
		i.Snd_ssthresh = math.MaxInt32 // Linux's TCP_INFINITE_SSTHRESH
	}
	i.Rcv_space = uint32(c.rcvBuf.max)
	i.Total_retrans = c.stats.retrans
	i.Total_rto = uint16(min(c.stats.rtos, 0xffff))
	i.Segs_in, i.Segs_out = c.stats.segsIn, c.stats.segsOut
	i.Data_segs_in, i.Data_segs_out = c.stats.dataIn, c.stats.dataOut
	i.Bytes_acked, i.Bytes_received = c.stats.bytesAcked, c.stats.bytesRcvd
	i.Bytes_retrans = c.stats.bytesRexmit
	i.Notsent_bytes = uint32(c.Unsent())
	i.Snd_wnd = c.snd.wnd
	i.Rcv_wnd = uint32(seqnum.Max(c.rcv.adv, c.rcv.nxt).Sub(c.rcv.nxt))
	return i
}

// tcpi_options bits (tcp(7), linux/tcp.h).
const (
	tcpiOptTimestamps = 1
	tcpiOptSACK       = 2
	tcpiOptWscale     = 4
)

// SetBuffers changes the send and receive buffer sizes (SO_SNDBUF,
// SO_RCVBUF) of a live connection; zero leaves a size alone. Neither
// shrinks below what is queued, and the receive buffer never below the
// window already advertised (RFC 9293 §3.8.6: the right edge must not move
// left). The window scale, fixed by the handshake, caps what a larger
// receive buffer can advertise.
func (c *Conn) SetBuffers(snd, rcv int) {
	if snd > 0 {
		// socket(7) SO_SNDBUF: a size set by the user ends autotuning.
		c.cfg.SndBuf, c.cfg.SndBufMax = max(snd, 2*minMSS), 0
		c.sndBuf.max = max(c.cfg.SndBuf, c.sndBuf.n)
	}
	if rcv > 0 {
		promised := c.rcvBuf.n
		if c.rcv.nxt.LessThan(c.rcv.adv) {
			promised += int(c.rcv.adv.Sub(c.rcv.nxt))
		}
		// socket(7) SO_RCVBUF: a size set by the user ends autotuning.
		c.cfg.RcvBuf, c.cfg.RcvBufMax = max(rcv, 2*minMSS), 0
		c.rcvBuf.max = max(c.cfg.RcvBuf, promised, len(c.rcvBuf.buf))
	}
}

// SndBufSize returns the send buffer's current limit: SO_SNDBUF, grown by
// autotuning when Config.SndBufMax allows.
func (c *Conn) SndBufSize() int { return c.sndBuf.max }

// RcvBufSize returns the receive buffer's current limit: SO_RCVBUF, grown
// by autotuning when Config.RcvBufMax allows.
func (c *Conn) RcvBufSize() int { return c.rcvBuf.max }

// Queued returns the bytes in the send buffer, sent or not (SIOCOUTQ).
func (c *Conn) Queued() int { return c.sndBuf.n }
