package tcp

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/seqnum"
)

const s1 = srvISS + 1 // the server's first data byte
const c1 = cliISS + 1 // the client's first data byte

func TestEstablished_DelayedAckTimer(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	c.Input(t0, view(t, peerSeg(fACK, s1, c1, 5000, "abc")))
	none(t, c, t0) // RFC 9293 §3.8.6.3: the ACK may wait
	if d := c.Deadline(); d.Sub(t0) != delAckTimeout {
		t.Fatalf("deadline in %v, want %v", d.Sub(t0), delAckTimeout)
	}
	now := t0.Add(delAckTimeout)
	c.Tick(now)
	wantSeg(t, one(t, c, now), fACK, c1, s1+3, 0)
	if !c.Deadline().IsZero() {
		t.Fatalf("timer still armed at %v", c.Deadline())
	}
}

func TestEstablished_AckEverySecondFullSegment(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	full := string(bytes.Repeat([]byte{'x'}, 1000))
	c.Input(t0, view(t, peerSeg(fACK, s1, c1, 5000, full)))
	none(t, c, t0)
	c.Input(t0, view(t, peerSeg(fACK, s1+1000, c1, 5000, full)))
	wantSeg(t, one(t, c, t0), fACK, c1, s1+2000, 0)
}

func TestEstablished_OutOfOrderFillsHole(t *testing.T) {
	cfg := baseCfg(cliISS)
	cfg.SACK = true
	c := Dial(cfg, cliAddr, srvAddr, t0)
	one(t, c, t0)
	sa := peerSeg(fSYN|fACK, srvISS, c1, 5000, "")
	sa.Options.SACKPermitted = true
	c.Input(t0, view(t, sa))
	one(t, c, t0)
	c.Input(t0, view(t, peerSeg(fACK, s1+5, c1, 5000, "fghij")))
	// RFC 5681 §4.2: immediate duplicate ACK; RFC 2018 §4: SACK block.
	dup := one(t, c, t0)
	wantSeg(t, dup, fACK, c1, s1, 0)
	if dup.Options.NumSACKBlocks != 1 || dup.Options.SACKBlocks[0].Left != s1+5 || dup.Options.SACKBlocks[0].Right != s1+10 {
		t.Fatalf("SACK %+v", dup.Options)
	}
	if _, err := c.Read(make([]byte, 10), false); !errors.Is(err, unix.EAGAIN) {
		t.Fatalf("out-of-order data readable: %v", err)
	}
	c.Input(t0, view(t, peerSeg(fACK, s1, c1, 5000, "abcde")))
	ack := one(t, c, t0) // filling the hole is acknowledged at once
	wantSeg(t, ack, fACK, c1, s1+10, 0)
	if ack.Options.NumSACKBlocks != 0 {
		t.Fatalf("SACK blocks after the hole filled: %+v", ack.Options)
	}
	b := make([]byte, 20)
	if n, _ := c.Read(b, false); string(b[:n]) != "abcdefghij" {
		t.Fatalf("read %q", b[:n])
	}
}

func TestEstablished_OutOfOrderQueueFullNoStall(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	// Fill every out-of-order slot with single separated bytes, then one
	// more which cannot be tracked; the in-order data still gets through.
	for i := range maxOOO + 2 {
		c.Input(t0, view(t, peerSeg(fACK, s1+uint32(10+2*i), c1, 5000, "z")))
	}
	if c.ooo.len() != maxOOO {
		t.Fatalf("%d ranges held, want %d", c.ooo.len(), maxOOO)
	}
	data := bytes.Repeat([]byte{'a'}, 10+2*(maxOOO+2))
	c.Input(t0, view(t, peerSeg(fACK, s1, c1, 5000, string(data))))
	if c.rcv.nxt != s1+seqnum.Value(len(data)) || c.ooo.len() != 0 {
		t.Fatalf("RCV.NXT %d ooo %d", c.rcv.nxt, c.ooo.len())
	}
}

func TestEstablished_RSTInWindowDrawsChallengeACK(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	out(c, t0)
	c.Input(t0, view(t, peerSeg(fRST, s1+100, 0, 0, "")))
	wantState(t, c, Established)
	wantSeg(t, one(t, c, t0), fACK, c1, s1, 0) // RFC 5961 §3.2
	c.Input(t0, view(t, peerSeg(fRST, s1+1_000_000, 0, 0, "")))
	none(t, c, t0) // out of window: silently dropped
	c.Input(t0, view(t, peerSeg(fRST, s1, 0, 0, "")))
	wantState(t, c, Closed)
	if _, err := c.Read(make([]byte, 1), false); !errors.Is(err, unix.ECONNRESET) {
		t.Fatalf("read err %v, want ECONNRESET", err)
	}
	if n, err := c.Read(make([]byte, 1), false); n != 0 || err != nil {
		t.Fatalf("second read %d %v, want EOF", n, err)
	}
	if _, err := c.Write([]byte("x")); !errors.Is(err, unix.EPIPE) {
		t.Fatalf("write after reset %v, want EPIPE", err)
	}
}

func TestEstablished_SYNDrawsChallengeACK(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	c.Input(t0, view(t, peerSeg(fSYN, s1+10, 0, 5000, "")))
	wantState(t, c, Established) // RFC 5961 §4.2
	wantSeg(t, one(t, c, t0), fACK, c1, s1, 0)
}

func TestEstablished_AckOfUnsentDataDropped(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	c.Input(t0, view(t, peerSeg(fACK, s1, c1+50, 5000, "data")))
	wantSeg(t, one(t, c, t0), fACK, c1, s1, 0) // ACK sent, data not taken
	if c.Readable() != 0 {
		t.Fatalf("data accepted with a bad ACK")
	}
}

func TestEstablished_TooOldAckDrawsChallenge(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	c.Input(t0, view(t, peerSeg(fACK, s1, uint32(c1)+0xfffe0000, 5000, "data")))
	wantSeg(t, one(t, c, t0), fACK, c1, s1, 0) // RFC 5961 §5.2
	if c.Readable() != 0 {
		t.Fatalf("data accepted with an ACK below SND.UNA-MAX.SND.WND")
	}
}

func TestEstablished_OutOfWindowDataAcked(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	c.Input(t0, view(t, peerSeg(fACK, s1+10_000_000, c1, 5000, "far")))
	wantSeg(t, one(t, c, t0), fACK, c1, s1, 0)
	c.Input(t0, view(t, peerSeg(fACK, s1-5, c1, 5000, "old")))
	wantSeg(t, one(t, c, t0), fACK, c1, s1, 0)
}

func TestEstablished_ZeroWindowPersistProbe(t *testing.T) {
	c := established(t, baseCfg(cliISS), 0)
	c.Write([]byte("hello"))
	none(t, c, t0)
	d := c.Deadline()
	if d.Sub(t0) != c.rtt.rto {
		t.Fatalf("persist timer in %v, want RTO %v", d.Sub(t0), c.rtt.rto)
	}
	c.Tick(d)
	probe := one(t, c, d)
	wantSeg(t, probe, fACK, cliISS, s1, 0) // SND.UNA-1: must be answered
	if next := c.Deadline(); next.Sub(d) != 2*c.rtt.rto {
		t.Fatalf("persist backoff %v, want %v", next.Sub(d), 2*c.rtt.rto)
	}
	c.Input(d, view(t, peerSeg(fACK, s1, c1, 100, "")))
	wantSeg(t, one(t, c, d), fACK, c1, s1, 5)
}

func TestEstablished_NagleHoldsSmallSegment(t *testing.T) {
	cfg := baseCfg(cliISS)
	cfg.NoDelay = false
	c := established(t, cfg, 5000)
	c.Write([]byte("a"))
	wantSeg(t, one(t, c, t0), fACK, c1, s1, 1)
	c.Write([]byte("b"))
	c.Write([]byte("c"))
	none(t, c, t0) // RFC 9293 §3.7.4: unacknowledged data outstanding
	c.Input(t0, view(t, peerSeg(fACK, s1, c1+1, 5000, "")))
	wantSeg(t, one(t, c, t0), fACK, c1+1, s1, 2)
}

func TestEstablished_CorkHoldsUntilFullOrUncork(t *testing.T) {
	cfg := baseCfg(cliISS)
	cfg.Cork = true
	c := established(t, cfg, 5000)
	c.Write([]byte("abc"))
	none(t, c, t0)
	c.Write(bytes.Repeat([]byte{'x'}, 1200))
	wantSeg(t, one(t, c, t0), fACK, c1, s1, 1000) // a full segment goes
	c.Config().Cork = false
	wantSeg(t, one(t, c, t0), fACK, c1+1000, s1, 203)
}

func TestEstablished_ReceiverSWSAvoidance(t *testing.T) {
	cfg := baseCfg(cliISS)
	cfg.RcvBuf = 4000
	c := established(t, cfg, 5000)
	c.Input(t0, view(t, peerSeg(fACK, s1, c1, 5000, string(bytes.Repeat([]byte{'x'}, 4000)))))
	s := one(t, c, t0)
	if s.Window != 0 {
		t.Fatalf("window %d with a full buffer", s.Window)
	}
	c.Read(make([]byte, 100), false)
	none(t, c, t0) // 100 bytes < min(buf/2, MSS): no window update
	c.Read(make([]byte, 1000), false)
	if w := one(t, c, t0).Window; w != 1100 {
		t.Fatalf("window update %d, want 1100", w)
	}
}

func TestEstablished_PAWSDropsOldTimestamp(t *testing.T) {
	cfg := baseCfg(cliISS)
	cfg.Timestamps = true
	c := Dial(cfg, cliAddr, srvAddr, t0)
	one(t, c, t0)
	sa := peerSeg(fSYN|fACK, srvISS, c1, 5000, "")
	sa.Options.HasTimestamps, sa.Options.TSVal, sa.Options.TSEcr = true, 1000, uint32(t0.UnixMilli())
	c.Input(t0, view(t, sa))
	if s := one(t, c, t0); !s.Options.HasTimestamps || s.Options.TSEcr != 1000 {
		t.Fatalf("ACK options %+v, want TSecr 1000", s.Options)
	}
	d := peerSeg(fACK, s1, c1, 5000, "new")
	d.Options.HasTimestamps, d.Options.TSVal = true, 1005
	c.Input(t0, view(t, d))
	old := peerSeg(fACK, s1+3, c1, 5000, "old")
	old.Options.HasTimestamps, old.Options.TSVal = true, 999
	c.Input(t0, view(t, old))
	if c.Readable() != 3 {
		t.Fatalf("readable %d: PAWS let an old segment in", c.Readable())
	}
	s := one(t, c, t0)
	if s.Options.TSEcr != 1005 || s.Ack != s1+3 {
		t.Fatalf("ack %v TSecr %d, want ack %d TSecr 1005", &s, s.Options.TSEcr, s1+3)
	}
}

func TestEstablished_KeepaliveProbesThenTimeout(t *testing.T) {
	cfg := baseCfg(cliISS)
	cfg.KeepAlive, cfg.KeepIdle, cfg.KeepIntvl, cfg.KeepCnt = true, 10*time.Second, time.Second, 3
	c := established(t, cfg, 5000)
	if d := c.Deadline(); d.Sub(t0) != 10*time.Second {
		t.Fatalf("keepalive in %v", d.Sub(t0))
	}
	now := c.Deadline()
	c.Tick(now)
	wantSeg(t, one(t, c, now), fACK, cliISS, s1, 0)
	// An answer resets the count and the idle time.
	c.Input(now, view(t, peerSeg(fACK, s1, c1, 5000, "")))
	c.Tick(c.Deadline())
	none(t, c, now)
	if d := c.Deadline(); !d.Equal(now.Add(cfg.KeepIdle)) {
		t.Fatalf("after an answer keepalive at %v, want idle %v later", d.Sub(now), cfg.KeepIdle)
	}
	for range 3 {
		now = c.Deadline()
		c.Tick(now)
		wantSeg(t, one(t, c, now), fACK, cliISS, s1, 0)
	}
	now = c.Deadline()
	c.Tick(now)
	wantState(t, c, Closed)
	wantSeg(t, one(t, c, now), fRST, c1, 0, 0)
	if err := c.Err(); !errors.Is(err, unix.ETIMEDOUT) {
		t.Fatalf("err %v", err)
	}
}

func TestEstablished_ICMPFragNeededShrinksMSS(t *testing.T) {
	c := established(t, baseCfg(cliISS), 60000)
	c.Write(bytes.Repeat([]byte{'x'}, 3000))
	if segs := out(c, t0); len(segs) != 3 || len(segs[0].Payload) != 1000 {
		t.Fatalf("sent %v", fmtSegs(segs))
	}
	c.ICMPError(unix.EMSGSIZE, 576)
	segs := out(c, t0)
	if len(segs) == 0 || uint32(segs[0].Seq) != c1 || len(segs[0].Payload) != 536 {
		t.Fatalf("after PMTU 576 sent %v, want a 536-byte resend from SND.UNA", fmtSegs(segs))
	}
}

func TestEstablished_ShutdownWriteSendsFINThenEPIPE(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	c.Write([]byte("bye"))
	if err := c.Shutdown(unix.SHUT_WR); err != nil {
		t.Fatal(err)
	}
	wantState(t, c, FinWait1)
	wantSeg(t, one(t, c, t0), fACK|fFIN, c1, s1, 3)
	if _, err := c.Write([]byte("x")); !errors.Is(err, unix.EPIPE) {
		t.Fatalf("write after SHUT_WR: %v", err)
	}
	if ev := c.Events(); ev&unix.POLLOUT == 0 || ev&unix.POLLHUP != 0 {
		t.Fatalf("events %#x: want POLLOUT, no POLLHUP", ev)
	}
	c.Input(t0, view(t, peerSeg(fACK, s1, c1+4, 5000, "")))
	wantState(t, c, FinWait2)
	c.Input(t0, view(t, peerSeg(fACK, s1, c1+4, 5000, "more")))
	if c.Readable() != 4 {
		t.Fatalf("FIN-WAIT-2 still receives: readable %d", c.Readable())
	}
}

func TestEstablished_EventsFollowBuffers(t *testing.T) {
	cfg := baseCfg(cliISS)
	cfg.SndBuf = 3000
	c := established(t, cfg, 0)
	if ev := c.Events(); ev != unix.POLLOUT {
		t.Fatalf("idle events %#x, want POLLOUT", ev)
	}
	if n, _ := c.Write(make([]byte, 5000)); n != 3000 {
		t.Fatalf("wrote %d into a 3000-byte buffer", n)
	}
	if _, err := c.Write([]byte("x")); !errors.Is(err, unix.EAGAIN) {
		t.Fatalf("write to full buffer: %v", err)
	}
	if ev := c.Events(); ev&unix.POLLOUT != 0 {
		t.Fatalf("full buffer events %#x", ev)
	}
	c.Input(t0, view(t, peerSeg(fACK|fFIN, s1, c1, 0, "x")))
	if ev := c.Events(); ev != unix.POLLIN|unix.POLLRDHUP {
		t.Fatalf("after data+FIN events %#x", ev)
	}
}

func TestEstablished_SWSOverrideTimeoutSendsSmallWindow(t *testing.T) {
	c := established(t, baseCfg(cliISS), 4000)
	c.Write(bytes.Repeat([]byte{'x'}, 4500))
	segs := out(c, t0)
	if len(segs) != 4 {
		t.Fatalf("sent %d segments into a 4000-byte window", len(segs))
	}
	// The peer acknowledges everything but opens only 300 bytes: less than
	// an MSS and less than half the largest window, so the sender waits...
	c.Input(t0, view(t, peerSeg(fACK, s1, c1+4000, 300, "")))
	none(t, c, t0)
	// ...until the override timeout (RFC 9293 §3.8.6.2.1), so a lost
	// window update cannot deadlock the connection.
	d := c.Deadline()
	if d.IsZero() || d.Sub(t0) > time.Second {
		t.Fatalf("no override timer (deadline %v)", d)
	}
	c.Tick(d)
	wantSeg(t, one(t, c, d), fACK, c1+4000, s1, 300)
}

func TestEstablished_CorkBoundedByPersistTimer(t *testing.T) {
	cfg := baseCfg(cliISS)
	cfg.Cork = true
	c := established(t, cfg, 5000)
	c.Write([]byte("corked"))
	none(t, c, t0)
	d := c.Deadline()
	if d.IsZero() {
		t.Fatal("corked data with no timer")
	}
	c.Tick(d)
	wantSeg(t, one(t, c, d), fACK, c1, s1, 6)
}

func TestEstablished_SetBuffersNeverShrinksWindow(t *testing.T) {
	cfg := baseCfg(cliISS)
	cfg.RcvBuf = 8000
	c := established(t, cfg, 5000)
	if c.rcv.adv.Sub(c.rcv.nxt) != 8000 {
		t.Fatalf("advertised %d", c.rcv.adv.Sub(c.rcv.nxt))
	}
	c.SetBuffers(0, 1000)
	if c.rcvBuf.max != 8000 {
		t.Fatalf("receive buffer shrank under the advertised window: %d", c.rcvBuf.max)
	}
	c.SetBuffers(3000, 20000)
	if c.rcvBuf.max != 20000 || c.sndBuf.max != 3000 {
		t.Fatalf("buffers %d %d", c.sndBuf.max, c.rcvBuf.max)
	}
	if n, _ := c.Write(make([]byte, 5000)); n != 3000 || c.Queued() != 3000 {
		t.Fatalf("wrote %d, queued %d into a 3000-byte buffer", n, c.Queued())
	}
	if segs := out(c, t0); len(segs) != 3 || segs[0].Window != 20000 {
		t.Fatalf("after growing the buffer sent %v, want 3 segments with window 20000", fmtSegs(segs))
	}
}
