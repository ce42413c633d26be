package tcp

import (
	"net/netip"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/seqnum"
	"sockstack/wire"
)

// sendVars are the send sequence variables of RFC 9293 §3.3.1, plus max
// (the highest sequence number sent, FreeBSD's snd_max) and the window
// scale the peer asked for.
type sendVars struct {
	una, nxt, max seqnum.Value // SND.UNA, SND.NXT, highest sent
	wnd           uint32       // SND.WND, scaled
	maxWnd        uint32       // largest SND.WND seen (RFC 9293 §3.8.6.2.1, RFC 5961 §5.2)
	up            seqnum.Value // SND.UP
	wl1, wl2      seqnum.Value // SND.WL1, SND.WL2
	iss           seqnum.Value // ISS
	wscale        uint8        // Snd.Wind.Shift (RFC 7323 §2.3)
}

// recvVars are the receive sequence variables of RFC 9293 §3.3.1, plus adv,
// the right edge of the window last advertised.
type recvVars struct {
	nxt    seqnum.Value // RCV.NXT
	adv    seqnum.Value // RCV.NXT + RCV.WND as last sent
	up     seqnum.Value // RCV.UP
	irs    seqnum.Value // IRS
	wscale uint8        // Rcv.Wind.Shift (RFC 7323 §2.3)
}

// Conn is one TCP connection's state: the TCB of RFC 9293 §3.3.1 with its
// buffers and timers. It is not safe for concurrent use; the shell
// serializes calls under its own lock.
type Conn struct {
	cfg           Config
	local, remote netip.AddrPort
	state         State

	snd sendVars
	rcv recvVars

	sndBuf   ring         // bytes from sndHead on: unacknowledged, then unsent
	sndHead  seqnum.Value // sequence number of sndBuf's first byte
	finQd    bool         // the user closed the send side: FIN follows the data
	rcvBuf   ring         // readable bytes, then the out-of-order region
	ooo      *oooQueue    // out-of-order ranges held in rcvBuf; nil until needed
	oooFin   bool         // a FIN arrived out of order at oooFinSeq
	oooFinSq seqnum.Value
	scratch  []byte // a segment's payload when it wraps around sndBuf

	smss    int          // effective send MSS: peer's MSS, PMTU, less options
	rmss    int          // MSS we advertised
	rcvMSS  int          // largest segment received, for delayed-ACK counting
	opt     negotiated   // options in use
	ts      tsVars       // RFC 7323 timestamp state
	sacked  *scoreboard  // SACK blocks the peer reported (RFC 2018); nil until any
	undo    *undo        // spurious-retransmission undo (undo.go); nil until needed
	rtt     rttEstimator // RFC 6298
	cc      congestion   // RFC 5681 / RFC 9438
	rec     recovery     // RFC 6582 fast recovery
	tm      timers
	clock   clock
	shellTm tick // see ShellTimer
	backoff int  // RTO backoffs since the last ACK of new data

	unacked     int          // bytes received since the last ACK sent (delayed ACK)
	quickAcks   int          // segments still to ACK at once after reordering
	keepSent    int          // keepalive probes without answer
	challenges  int          // challenge ACKs this second (RFC 5961 §7)
	challengeAt tick         // start of the current challenge-ACK second
	rstReplySeq seqnum.Value // see rstReply
	rexmitSeq   seqnum.Value // see rexmitDue
	drs         drs          // receive-buffer autotuning
	urg         urgent       // urgent data both ways (RFC 9293 §3.8.5, urgent.go)

	ackNow    bool // an ACK is due now
	pushed    bool // unacknowledged data came with PSH
	pingpong  bool // interactive: our data carried the delayed ACKs
	rstDue    bool // Output sends a RST and nothing else
	rstReply  bool // Output sends <SEQ=rstReplySeq><CTL=RST> (RFC 9293 §3.10.7.4)
	probeDue  bool // Output sends a zero-window probe
	forceSend bool // the persist timer overrides SWS avoidance once
	keepDue   bool // Output sends a keepalive probe
	rexmitDue bool // Output retransmits one segment at rexmitSeq

	rcvShut, sndShut bool // shutdown(2) halves, as Linux's sk_shutdown
	orphan           bool // Close was called
	done             bool // the connection ended (reset, timeout, TIME-WAIT over)
	err              error
	softErr          error
	lastRecv         tick // last segment received, for keepalive
	firstRexmit      tick // first unanswered retransmission, for TCP_USER_TIMEOUT
	stats            stats
}

// stats are counters reported by Info.
type stats struct {
	retrans, segsIn, segsOut, dataIn, dataOut uint32
	rtos, fastRexmits, undos                  uint32
	bytesAcked, bytesRcvd, bytesRexmit        uint64
}

// Dial returns a connection in SYN-SENT (RFC 9293 §3.10.1, active OPEN):
// the next Output emits the SYN.
func Dial(cfg Config, local, remote netip.AddrPort, now time.Time) *Conn {
	c := newConn(cfg, local, remote, now)
	c.state = SynSent
	return c
}

func newConn(cfg Config, local, remote netip.AddrPort, now time.Time) *Conn {
	cfg.setDefaults()
	c := &Conn{cfg: cfg, local: local, remote: remote, clock: clock{base: now}}
	iss := seqnum.Value(cfg.ISS)
	// RFC 9293 §3.10.1: SND.UNA = ISS, SND.NXT = ISS (the SYN is not yet
	// sent); data starts after the SYN.
	c.snd.iss, c.snd.una, c.snd.nxt, c.snd.max = iss, iss, iss, iss
	c.sndHead = iss.Add(1)
	c.sndBuf.max = cfg.SndBuf
	c.rcvBuf.max = cfg.RcvBuf
	c.rmss = cfg.MSS
	// RFC 9293 §3.7.1's default MSS is where the estimate starts.
	c.rcvMSS = min(cfg.MSS, 536)
	// RFC 9293 §3.7.1: without an MSS option the send MSS is 536 (IPv4)
	// or 1220 (IPv6).
	c.smss = min(c.defaultPeerMSS(), c.maxMSSForPath())
	if cfg.WindowScale {
		c.rcv.wscale = windowShiftFor(max(cfg.RcvBuf, cfg.RcvBufMax))
	}
	c.rtt.init()
	c.cc.init(cfg.CC, c.smss)
	c.lastRecv = c.clock.tick(now)
	return c
}

// defaultPeerMSS is the send MSS when the peer sends no MSS option
// (RFC 9293 §3.7.1).
func (c *Conn) defaultPeerMSS() int {
	if c.remote.Addr().Is6() && !c.remote.Addr().Is4In6() {
		return 1220
	}
	return 536
}

// maxMSSForPath bounds the send MSS by our own configured MSS.
func (c *Conn) maxMSSForPath() int { return c.cfg.MSS }

// windowShiftFor returns the smallest shift that lets a window of buf
// bytes fit the 16-bit Window field (RFC 7323 §2.3).
func windowShiftFor(buf int) uint8 {
	var s uint8
	for s < wire.TCPMaxWindowScale && buf>>s > 0xffff {
		s++
	}
	return s
}

// State returns the connection state.
func (c *Conn) State() State { return c.state }

// LocalAddr returns the local address and port.
func (c *Conn) LocalAddr() netip.AddrPort { return c.local }

// RemoteAddr returns the remote address and port.
func (c *Conn) RemoteAddr() netip.AddrPort { return c.remote }

// Config returns the connection's configuration. The shell may change the
// socket options NoDelay, Cork, KeepAlive, KeepIdle, KeepIntvl, KeepCnt,
// UserTimeout and Linger2 through it at any time, then call Output.
func (c *Conn) Config() *Config { return &c.cfg }

// Err returns and clears the pending socket error (SO_ERROR).
func (c *Conn) Err() error {
	err := c.err
	c.err = nil
	return err
}

// Events returns the poll(2) events the connection is ready for, following
// Linux's tcp_poll: POLLHUP when both halves are shut or the connection is
// closed, POLLIN|POLLRDHUP once the peer's FIN arrived, POLLOUT when at
// least a third of the send buffer is free (or the send half is shut, so a
// write would not block), POLLERR with a pending error, POLLPRI while an
// urgent byte waits (urgent.go).
func (c *Conn) Events() int16 {
	var m int16
	if c.err != nil {
		m |= unix.POLLERR
	}
	if (c.rcvShut && c.sndShut) || c.state == Closed {
		m |= unix.POLLHUP
	}
	if c.rcvShut {
		m |= unix.POLLIN | unix.POLLRDHUP
	}
	if c.state == SynSent || c.state == SynReceived {
		return m
	}
	// Linux's tcp_poll: at the mark the out-of-band byte does not count.
	if c.rcvBuf.n > c.oobAtHead() {
		m |= unix.POLLIN
	}
	m |= c.urgentEvents()
	if c.sndShut || c.state == Closed {
		m |= unix.POLLOUT
	} else if c.sndBuf.free() >= c.sndBuf.n/2 && c.sndBuf.free() > 0 {
		m |= unix.POLLOUT
	}
	return m
}

// Readable returns the bytes a Read can return now (FIONREAD): those
// before the urgent mark when an out-of-band byte is held.
func (c *Conn) Readable() int { return c.beforeMark(c.rcvBuf.n) }

// Unsent returns the bytes queued but not yet sent (SIOCOUTQNSD).
func (c *Conn) Unsent() int {
	from := seqnum.Max(c.snd.nxt, c.sndHead)
	if !from.LessThan(c.sndEnd()) {
		return 0 // all sent, perhaps the FIN too
	}
	return int(c.sndEnd().Sub(from))
}

// sndEnd is the sequence number just past the last byte queued to send.
func (c *Conn) sndEnd() seqnum.Value { return c.sndHead.Add(seqnum.Size(c.sndBuf.n)) }

// finSeq is the sequence number our FIN takes (valid once finQd).
func (c *Conn) finSeq() seqnum.Value { return c.sndEnd() }

// tsNow is the timestamp clock: milliseconds plus the offset (RFC 7323
// §5.4).
func (c *Conn) tsNow(now time.Time) uint32 {
	return uint32(now.UnixMilli()) + c.cfg.TSOffset
}

// terminate ends the connection with err (nil for a normal end) as
// Linux's tcp_done: both halves shut, no timers.
func (c *Conn) terminate(err error) {
	c.state = Closed
	c.done = true
	c.rcvShut, c.sndShut = true, true
	if err != nil {
		c.err = err
	}
	c.tm = timers{}
	c.ackNow, c.probeDue, c.keepDue, c.rexmitDue = false, false, false, false
}
