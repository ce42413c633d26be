package tcp

import "time"

// drsMinInterval is the shortest measuring interval of receive-buffer
// autotuning, for paths (like memory) whose round trip is microseconds.
const drsMinInterval = time.Millisecond

// drs is receive-buffer autotuning state: what the application has read
// since the interval began.
type drs struct {
	start  tick
	copied int
}

// tuneRcvBuf is receive-buffer autotuning (tcp(7) tcp_rmem: the receive
// buffer "is dynamically adjusted" between the default and the maximum;
// Linux's dynamic right-sizing): once per round trip it compares what the
// application read in that time with the buffer and grows the buffer to
// twice that plus room for 16 segments, up to Config.RcvBufMax. A window
// of that size keeps a sender the application keeps up with from being
// limited by the window (RFC 7323 §1.1: throughput is at most one window
// per round trip). The buffer's memory is only taken as data arrives.
func (c *Conn) tuneRcvBuf(now time.Time) {
	if c.cfg.RcvBufMax <= c.rcvBuf.max {
		return
	}
	if c.drs.start == 0 {
		c.drs.start, c.drs.copied = c.clock.tick(now), 0
		return
	}
	if now.Sub(c.clock.time(c.drs.start)) < max(c.rtt.srtt, drsMinInterval) {
		return
	}
	if want := 2*c.drs.copied + 16*c.rcvMSS; want > c.rcvBuf.max {
		c.rcvBuf.max = min(want, c.cfg.RcvBufMax)
	}
	c.drs.start, c.drs.copied = c.clock.tick(now), 0
}
