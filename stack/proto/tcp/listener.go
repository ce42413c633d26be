package tcp

import (
	"net/netip"
	"time"

	"sockstack/seqnum"
	"sockstack/wire"
)

// maxSynAckRetries is how often a SYN-ACK is resent (Linux's
// tcp_synack_retries).
const maxSynAckRetries = 5

// Listener is a socket in LISTEN (RFC 9293 §3.10.7.2). It keeps half-open
// connections (the SYN queue, at most backlog) itself and hands each
// completed one to the shell, which queues it for accept. When the SYN
// queue is full it answers with SYN cookies (RFC 4987 §3.6), keeping no
// state, so a SYN flood leaves it serving legitimate clients with bounded
// memory. Connections made from cookies use no window scaling, SACK or
// timestamps (the cookie cannot hold them). Not safe for concurrent use.
type Listener struct {
	cfg     Config
	local   netip.AddrPort
	backlog int
	syns    map[synKey]*synEntry
	reply   Segment
	stats   ListenerStats
}

// ListenerStats counts what a Listener did.
type ListenerStats struct {
	SynRcvd       uint64 // SYNs answered from the SYN queue
	CookiesSent   uint64 // SYN-ACKs carrying a cookie
	CookiesOK     uint64 // connections completed from a valid cookie
	BadAck        uint64 // ACKs matching nothing, answered with RST
	AcceptFull    uint64 // completing ACKs dropped: accept queue full
	SynAckTimeout uint64 // half-open connections given up
}

type synKey struct{ local, remote netip.AddrPort }

// synEntry is one half-open connection (SYN received, SYN-ACK sent).
type synEntry struct {
	iss, irs seqnum.Value
	peer     wire.TCPOptions // the options of the peer's SYN
	peerWnd  uint16
	sentAt   time.Time
	wscale   uint8 // the shift our SYN-ACK offers, fixed for the entry
	retries  int
	deadline time.Time
}

// NewListener returns a listener on local (whose address may be
// unspecified) with a SYN queue of backlog entries (listen(2)).
func NewListener(cfg Config, local netip.AddrPort, backlog int) *Listener {
	cfg.setDefaults()
	return &Listener{cfg: cfg, local: local, backlog: max(backlog, 1), syns: make(map[synKey]*synEntry)}
}

// SetConfig replaces the configuration that connections accepted from now
// on start from: an option set on the listening socket after listen(2),
// which Linux's accepted sockets inherit. Half-open connections keep the
// window scale their SYN-ACK offered.
func (l *Listener) SetConfig(cfg Config) {
	cfg.setDefaults()
	l.cfg = cfg
}

// Stats returns the listener's counters.
func (l *Listener) Stats() ListenerStats { return l.stats }

// HalfOpen returns the number of connections in the SYN queue.
func (l *Listener) HalfOpen() int { return len(l.syns) }

// Input processes a segment for the listener from remote to local (the
// segment's actual destination). It returns a reply to send (a SYN-ACK or
// RST; it aliases the Listener until the next call) and/or a connection
// whose handshake completed, in ESTABLISHED (or beyond, if the ACK carried
// data or a FIN), for the shell to add to its demux and accept queue;
// the shell calls the Conn's Output next. canAccept false means the
// accept queue is full: a completing ACK is then dropped and the client's
// retransmission tried later, as Linux does.
func (l *Listener) Input(now time.Time, local, remote netip.AddrPort, seg wire.TCP, canAccept bool) (*Segment, *Conn) {
	f := seg.Flags()
	key := synKey{local, remote}
	switch {
	case f.Has(wire.TCPFlagRST):
		// RFC 9293 §3.10.7.2: an incoming RST is ignored; one matching a
		// half-open connection ends it (RFC 9293 §3.10.7.4, SYN-RECEIVED
		// from a passive OPEN returns to LISTEN).
		if e := l.syns[key]; e != nil && seqnum.Value(seg.Seq()) == e.irs.Add(1) {
			delete(l.syns, key)
		}
		return nil, nil
	case f.Has(wire.TCPFlagACK):
		return l.inputACK(now, key, seg, canAccept)
	case f.Has(wire.TCPFlagSYN):
		return l.inputSYN(now, key, seg), nil
	}
	// RFC 9293 §3.10.7.2: any other control or text: drop it.
	return nil, nil
}

// inputACK completes a handshake from the SYN queue or a cookie, or
// answers a bad ACK with <SEQ=SEG.ACK><CTL=RST> (RFC 9293 §3.10.7.2).
func (l *Listener) inputACK(now time.Time, key synKey, seg wire.TCP, canAccept bool) (*Segment, *Conn) {
	ack, seq := seqnum.Value(seg.Ack()), seqnum.Value(seg.Seq())
	if seg.Flags().Has(wire.TCPFlagSYN) {
		return l.rst(seg), nil
	}
	e := l.syns[key]
	if e != nil && ack == e.iss.Add(1) && seq == e.irs.Add(1) {
		if !canAccept {
			l.stats.AcceptFull++
			return nil, nil
		}
		delete(l.syns, key)
		c := l.passive(now, key, e)
		c.Input(now, seg)
		return nil, c
	}
	if e == nil {
		if mss, ok := checkCookie(&l.cfg.Secret, key.local, key.remote, seq-1, ack-1, now); ok {
			if !canAccept {
				l.stats.AcceptFull++
				return nil, nil
			}
			l.stats.CookiesOK++
			ce := &synEntry{iss: ack - 1, irs: seq - 1, peerWnd: seg.Window()}
			ce.peer.HasMSS, ce.peer.MSS = true, mss
			c := l.passive(now, key, ce)
			c.Input(now, seg)
			return nil, c
		}
	}
	l.stats.BadAck++
	return l.rst(seg), nil
}

func (l *Listener) rst(seg wire.TCP) *Segment {
	r, ok := RSTFor(seg)
	if !ok {
		return nil
	}
	l.reply = r
	return &l.reply
}

// inputSYN is RFC 9293 §3.10.7.2's third check: a SYN gets a SYN-ACK,
// from the SYN queue or, when it is full, as a cookie.
func (l *Listener) inputSYN(now time.Time, key synKey, seg wire.TCP) *Segment {
	opts, _ := wire.ParseTCPOptions(seg.Options())
	irs := seqnum.Value(seg.Seq())
	if e := l.syns[key]; e != nil && e.irs == irs {
		// A retransmitted SYN: our SYN-ACK was lost.
		e.peer = opts
		return l.synAck(now, key, e, false)
	}
	if len(l.syns) >= l.backlog {
		l.stats.CookiesSent++
		mss := uint16(536)
		if opts.HasMSS {
			mss = opts.MSS
		}
		mss = min(mss, uint16(l.cfg.MSS))
		e := synEntry{irs: irs, iss: makeCookie(&l.cfg.Secret, key.local, key.remote, irs, mss, now)}
		e.peer.HasMSS, e.peer.MSS = opts.HasMSS, opts.MSS
		return l.synAck(now, key, &e, true)
	}
	l.stats.SynRcvd++
	e := &synEntry{irs: irs, peer: opts, peerWnd: seg.Window(), sentAt: now,
		iss:    isnFor(&l.cfg.Secret, key.local, key.remote, now),
		wscale: windowShiftFor(max(l.cfg.RcvBuf, l.cfg.RcvBufMax))}
	e.deadline = now.Add(initialRTO)
	l.syns[key] = e
	return l.synAck(now, key, e, false)
}

// synAck builds <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> with the options the
// peer offered that we use (none for a cookie).
func (l *Listener) synAck(now time.Time, key synKey, e *synEntry, cookie bool) *Segment {
	l.reply = Segment{
		SrcPort: key.local.Port(), DstPort: key.remote.Port(),
		Seq: e.iss, Ack: e.irs.Add(1), Flags: wire.TCPFlagSYN | wire.TCPFlagACK,
		Window: uint16(min(l.cfg.RcvBuf, 0xffff)),
	}
	o := &l.reply.Options
	o.HasMSS, o.MSS = true, uint16(l.cfg.MSS)
	if !cookie {
		if l.cfg.WindowScale && e.peer.HasWindowScale {
			o.HasWindowScale, o.WindowScale = true, e.wscale
		}
		o.SACKPermitted = l.cfg.SACK && e.peer.SACKPermitted
		if l.cfg.Timestamps && e.peer.HasTimestamps {
			o.HasTimestamps = true
			o.TSVal = uint32(now.UnixMilli()) + l.cfg.TSOffset
			o.TSEcr = e.peer.TSVal
		}
	}
	return &l.reply
}

// passive makes the connection for a completed handshake in SYN-RECEIVED,
// with the SYN-ACK counted as sent, ready for the ACK.
func (l *Listener) passive(now time.Time, key synKey, e *synEntry) *Conn {
	cfg := l.cfg
	cfg.ISS = uint32(e.iss)
	c := newConn(cfg, key.local, key.remote, now)
	c.state = SynReceived
	c.snd.nxt, c.snd.max = e.iss.Add(1), e.iss.Add(1)
	c.rcv.irs, c.rcv.nxt = e.irs, e.irs.Add(1)
	// RFC 7323 §2.2: the shift is what our SYN-ACK offered, even if the
	// listener's buffers changed since.
	c.rcv.wscale = e.wscale
	if !c.cfg.WindowScale || !e.peer.HasWindowScale {
		c.rcv.wscale = 0
	}
	c.applyPeerSYN(now, &e.peer, false)
	c.rcv.adv = c.rcv.nxt.Add(seqnum.Size(min(l.cfg.RcvBuf, 0xffff)))
	c.ts.lastAckSnt = c.rcv.nxt
	c.snd.wnd, c.snd.wl1 = uint32(e.peerWnd), e.irs
	if e.retries == 0 && !e.sentAt.IsZero() {
		c.rtt.timing, c.rtt.timedSeq, c.rtt.timedAt = true, uint32(e.iss), e.sentAt
	}
	return c
}

// Deadline returns when the listener next needs Tick (a SYN-ACK to
// resend), or the zero time.
func (l *Listener) Deadline() time.Time {
	var d time.Time
	for _, e := range l.syns {
		if d.IsZero() || e.deadline.Before(d) {
			d = e.deadline
		}
	}
	return d
}

// Tick resends SYN-ACKs whose timer expired (RFC 6298 §5.5 backoff) and
// forgets half-open connections after maxSynAckRetries.
func (l *Listener) Tick(now time.Time, emit func(local, remote netip.AddrPort, seg Segment)) {
	for key, e := range l.syns {
		if now.Before(e.deadline) {
			continue
		}
		if e.retries >= maxSynAckRetries {
			l.stats.SynAckTimeout++
			delete(l.syns, key)
			continue
		}
		e.retries++
		e.deadline = now.Add(initialRTO << e.retries)
		emit(key.local, key.remote, *l.synAck(now, key, e, false))
	}
}
