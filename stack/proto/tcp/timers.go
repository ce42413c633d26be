package tcp

import (
	"time"

	"golang.org/x/sys/unix"
)

// timerKind names one of a connection's timers.
type timerKind uint8

// Every timer of a connection, where it is armed and where cleared:
const (
	// timerRexmit (RFC 6298 §5): armed when data, SYN or FIN is sent with
	// none outstanding and on each ACK of new data while some remains;
	// cleared when everything is acknowledged.
	timerRexmit timerKind = iota
	// timerPersist (RFC 9293 §3.8.6.1, §3.8.6.2.1): armed when data waits
	// with nothing in flight to bring an ACK (a zero window, or a window
	// or cork too small for silly-window avoidance); cleared when that
	// data goes.
	timerPersist
	// timerDelAck (RFC 9293 §3.8.6.3): armed when in-order data arrives and
	// no ACK is sent at once; cleared by any segment carrying the ACK.
	timerDelAck
	// timerKeepalive (RFC 1122 §4.2.3.6): armed from the last segment
	// received when SO_KEEPALIVE is on in a synchronized state.
	timerKeepalive
	// timerClose: TIME-WAIT's 2*MSL (RFC 9293 §3.10.7.4) and the orphaned
	// FIN-WAIT-2 lifetime (TCP_LINGER2).
	timerClose
	numTimers
)

// delAckTimeout is the delayed-ACK delay: Linux's minimum ATO, 40 ms (RFC
// 9293 §3.8.6.3 allows up to 500 ms).
const delAckTimeout = 40 * time.Millisecond

// Retry limits: Linux's tcp_syn_retries and tcp_retries2 (RFC 1122
// §4.2.3.5: R2 at least 100 s, 3 minutes for a SYN).
const (
	maxSynRetries = 6
	maxRetries    = 15
)

// timers holds every timer's expiry as a clock reading (see clock.go);
// zero means disarmed.
type timers [numTimers]tick

func (t *timers) clear(k timerKind)      { t[k] = 0 }
func (t *timers) armed(k timerKind) bool { return t[k] != 0 }

// setTimer arms timer k to expire at at.
func (c *Conn) setTimer(k timerKind, at time.Time) { c.tm[k] = c.clock.tick(at) }

// ShellTimer returns the instant the shell last armed its timer for (zero
// for none). The connection keeps it for the shell, in its compact clock,
// so the shell can leave an earlier timer running instead of resetting it
// each time Deadline moves later.
func (c *Conn) ShellTimer() time.Time { return c.clock.time(c.shellTm) }

// SetShellTimer records the instant the shell armed its timer for (zero:
// disarmed).
func (c *Conn) SetShellTimer(at time.Time) {
	if at.IsZero() {
		c.shellTm = 0
		return
	}
	c.shellTm = c.clock.tick(at)
}

// Deadline returns when the connection next needs Tick: the earliest armed
// timer, or the zero time if none is armed.
func (c *Conn) Deadline() time.Time {
	var d tick
	for _, at := range c.tm {
		if at != 0 && (d == 0 || at < d) {
			d = at
		}
	}
	return c.clock.time(d)
}

// Tick runs every timer expired at now. The shell calls Output afterwards.
func (c *Conn) Tick(now time.Time) {
	for k := range numTimers {
		at := c.clock.time(c.tm[k])
		if at.IsZero() || now.Before(at) {
			continue
		}
		c.tm.clear(k)
		switch k {
		case timerRexmit:
			c.onRexmitTimeout(now)
		case timerPersist:
			c.onPersistTimeout(now)
		case timerDelAck:
			// No reply carried the ACK in time: not interactive.
			c.ackNow, c.pingpong = true, false
		case timerKeepalive:
			c.onKeepaliveTimeout(now)
		case timerClose:
			// RFC 9293 §3.10.8: when the time-wait timeout expires, delete
			// the TCB; an orphan in FIN-WAIT-2 goes too (tcp(7): tcp_fin_timeout).
			c.terminate(nil)
		}
	}
}

// onRexmitTimeout is RFC 6298 §5.4-5.7 and RFC 5681 §3.1.
func (c *Conn) onRexmitTimeout(now time.Time) {
	if c.snd.una == c.snd.max {
		return
	}
	if c.giveUp(now) {
		err := c.softErr
		if err == nil {
			err = unix.ETIMEDOUT
		}
		c.rstDue = c.state.synchronized()
		c.terminate(err)
		return
	}
	if c.firstRexmit == 0 {
		c.firstRexmit = c.clock.tick(now)
	}
	// RFC 6298 §5.5: back off the timer; §5.6: start it again.
	c.backoff++
	c.rtt.invalidateSample() // RFC 6298 §3 (Karn)
	c.setTimer(timerRexmit, now.Add(c.rtt.backedOff(c.backoff)))
	if c.state == SynSent || c.state == SynReceived {
		c.snd.nxt = c.snd.iss // resend the SYN
		return
	}
	// RFC 5681 §3.1 (4): ssthresh from the flight, cwnd to one segment.
	c.cc.onTimeout(int(c.snd.max.Sub(c.snd.una)))
	// RFC 6582 §4: after a timeout, recover is the highest sequence sent.
	c.rec = recovery{valid: true, recover: c.snd.max}
	// RFC 2018 §8: after a timeout, SACK information is not trusted.
	c.sacked.reset()
	c.stats.rtos++
	// Go back: resend from the first unacknowledged segment, which goes
	// even into a zero window (RFC 9293 §3.8.6.1: keep retransmitting to a
	// closed window, so a lost window update cannot deadlock).
	c.snd.nxt = c.snd.una
	c.markRexmit(c.snd.una)
}

// giveUp reports whether retransmission has gone on too long: past
// TCP_USER_TIMEOUT if set, else past the retry count.
func (c *Conn) giveUp(now time.Time) bool {
	if c.snd.wnd == 0 && c.state.synchronized() && !c.orphan && now.Sub(c.clock.time(c.lastRecv)) < 2*maxRTO {
		// RFC 1122 §4.2.2.17: a receiver that keeps answering with a zero
		// window is probed indefinitely (Linux: until it is silent for
		// twice the maximum RTO).
		return false
	}
	if c.cfg.UserTimeout > 0 && c.firstRexmit != 0 {
		return now.Sub(c.clock.time(c.firstRexmit)) >= c.cfg.UserTimeout
	}
	limit := maxRetries
	if c.state == SynSent || c.state == SynReceived {
		limit = maxSynRetries
	}
	return c.backoff >= limit
}

// onPersistTimeout sends a zero-window probe (RFC 9293 §3.8.6.1), backing
// the timer off like the retransmission timer, or, when the window is open
// but sending was held back, forces the data out: RFC 9293 §3.8.6.2.1's
// override timeout (which also bounds TCP_CORK's delay, as Linux's 200 ms).
func (c *Conn) onPersistTimeout(now time.Time) {
	if c.Unsent() == 0 || c.snd.una != c.snd.max {
		return
	}
	if c.snd.wnd > 0 {
		c.forceSend = true
		return
	}
	c.probeDue = true
	c.backoff = min(c.backoff+1, maxRetries)
	c.setTimer(timerPersist, now.Add(c.rtt.backedOff(c.backoff)))
}

// onKeepaliveTimeout sends a keepalive probe or gives up (RFC 1122
// §4.2.3.6; tcp(7): TCP_KEEPCNT probes TCP_KEEPINTVL apart).
func (c *Conn) onKeepaliveTimeout(now time.Time) {
	if !c.keepaliveApplies() {
		return
	}
	if idleEnd := c.clock.time(c.lastRecv).Add(c.cfg.KeepIdle); c.keepSent == 0 && now.Before(idleEnd) {
		// Something arrived since the timer was set: wait out the idle
		// time from then.
		c.setTimer(timerKeepalive, idleEnd)
		return
	}
	if c.keepSent >= c.cfg.KeepCnt {
		c.rstDue = true
		c.terminate(unix.ETIMEDOUT)
		return
	}
	c.keepSent++
	c.keepDue = true
	c.setTimer(timerKeepalive, now.Add(c.cfg.KeepIntvl))
}

func (c *Conn) keepaliveApplies() bool {
	return c.cfg.KeepAlive && (c.state == Established || c.state == CloseWait) &&
		c.snd.una == c.snd.max
}

// updateTimers re-derives the timers that follow from state alone; every
// entry point calls it last.
func (c *Conn) updateTimers(now time.Time) {
	if c.done {
		return
	}
	// RFC 6298 §5.2: when all outstanding data is acknowledged, turn off
	// the retransmission timer; §5.1: start it when sending with none
	// running.
	if c.snd.una == c.snd.max {
		c.tm.clear(timerRexmit)
	} else if !c.tm.armed(timerRexmit) {
		c.setTimer(timerRexmit, now.Add(c.rtt.backedOff(c.backoff)))
	}
	// RFC 9293 §3.8.6.1: the persist timer runs while data waits and
	// nothing is in flight to bring an ACK.
	if c.state >= Established && c.Unsent() > 0 && c.snd.una == c.snd.max {
		if !c.tm.armed(timerPersist) {
			c.setTimer(timerPersist, now.Add(c.rtt.backedOff(c.backoff)))
		}
	} else {
		c.tm.clear(timerPersist)
	}
	if c.keepaliveApplies() {
		if !c.tm.armed(timerKeepalive) {
			c.setTimer(timerKeepalive, c.clock.time(c.lastRecv).Add(c.cfg.KeepIdle))
		}
	} else {
		c.tm.clear(timerKeepalive)
	}
	if c.unacked > 0 && !c.ackNow && !c.tm.armed(timerDelAck) {
		c.setTimer(timerDelAck, now.Add(delAckTimeout))
	}
	if c.state == FinWait2 && c.orphan && !c.tm.armed(timerClose) {
		c.setTimer(timerClose, now.Add(c.cfg.Linger2))
	}
}
