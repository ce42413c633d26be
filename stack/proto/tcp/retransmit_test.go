package tcp

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/seqnum"
)

func TestRetransmit_BackoffDoubles(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	rto := c.rtt.rto
	c.Write([]byte("data"))
	wantSeg(t, one(t, c, t0), fACK, c1, s1, 4)
	now := t0
	for i := range 5 {
		want := min(rto<<i, maxRTO)
		if got := c.Deadline().Sub(now); got != want {
			t.Fatalf("try %d: RTO %v, want %v", i, got, want)
		}
		now = c.Deadline()
		c.Tick(now)
		wantSeg(t, one(t, c, now), fACK, c1, s1, 4) // RFC 6298 §5.4
	}
	if c.Info().Retransmits != 5 {
		t.Fatalf("tcpi_retransmits %d", c.Info().Retransmits)
	}
	// RFC 6298 §5.3: an ACK of new data restarts the timer un-backed-off;
	// Karn: the retransmitted segment gives no sample, RTO stays.
	c.Input(now, view(t, peerSeg(fACK, s1, c1+4, 5000, "")))
	if !c.Deadline().IsZero() || c.rtt.rto != rto {
		t.Fatalf("after ACK: deadline %v rto %v (was %v)", c.Deadline(), c.rtt.rto, rto)
	}
}

func TestRetransmit_MaxRTOAndGiveUp(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	c.Write([]byte("x"))
	one(t, c, t0)
	now := t0
	for c.State() == Established {
		d := c.Deadline()
		if d.Sub(now) > maxRTO {
			t.Fatalf("RTO %v above the maximum", d.Sub(now))
		}
		now = d
		c.Tick(now)
		out(c, now)
	}
	if err := c.Err(); !errors.Is(err, unix.ETIMEDOUT) {
		t.Fatalf("err %v", err)
	}
	if c.Info().Total_retrans != maxRetries {
		t.Fatalf("%d retransmissions, want %d", c.Info().Total_retrans, maxRetries)
	}
}

func TestRetransmit_UserTimeout(t *testing.T) {
	cfg := baseCfg(cliISS)
	cfg.UserTimeout = 5 * time.Second
	c := established(t, cfg, 5000)
	c.Write([]byte("x"))
	one(t, c, t0)
	now := t0
	for c.State() == Established && now.Sub(t0) < time.Minute {
		now = c.Deadline()
		c.Tick(now)
		out(c, now)
	}
	if c.State() != Closed || now.Sub(t0) > 10*time.Second {
		t.Fatalf("state %v after %v, want closed soon after 5s", c.State(), now.Sub(t0))
	}
}

func TestRetransmit_RTTSampleSetsRTO(t *testing.T) {
	c := established(t, baseCfg(cliISS), 60000)
	c.Write([]byte("x"))
	one(t, c, t0)
	now := t0.Add(300 * time.Millisecond)
	c.Input(now, view(t, peerSeg(fACK, s1, c1+1, 60000, "")))
	// The handshake sampled 0 (SRTT 1µs); now 300 ms: RFC 6298 §2.3.
	if c.rtt.srtt < 30*time.Millisecond || c.rtt.rto < 300*time.Millisecond {
		t.Fatalf("srtt %v rto %v after a 300ms sample", c.rtt.srtt, c.rtt.rto)
	}
}

func TestRTT_RFC6298Formulas(t *testing.T) {
	var r rttEstimator
	r.init()
	if r.rto != time.Second {
		t.Fatalf("initial RTO %v", r.rto)
	}
	r.sample(100 * time.Millisecond)
	if r.srtt != 100*time.Millisecond || r.rttvar != 50*time.Millisecond || r.rto != 300*time.Millisecond {
		t.Fatalf("first sample: %+v", r)
	}
	r.sample(200 * time.Millisecond)
	// RTTVAR = 3/4*50 + 1/4*100 = 62.5; SRTT = 7/8*100 + 1/8*200 = 112.5.
	if r.rttvar != 62500*time.Microsecond || r.srtt != 112500*time.Microsecond || r.rto != 362500*time.Microsecond {
		t.Fatalf("second sample: %+v", r)
	}
	r.sample(time.Millisecond)
	if r.rto < minRTO {
		t.Fatalf("RTO %v below the floor", r.rto)
	}
}

// sendWindow writes n segments' worth and returns the segments sent.
func sendWindow(t *testing.T, c *Conn, n int) []Segment {
	t.Helper()
	c.Write(bytes.Repeat([]byte{'d'}, n*1000))
	segs := out(c, t0)
	if len(segs) != n {
		t.Fatalf("sent %d segments, want %d", len(segs), n)
	}
	return segs
}

func TestRetransmit_FastRetransmitOnThirdDupAck(t *testing.T) {
	c := established(t, baseCfg(cliISS), 60000)
	sendWindow(t, c, 8)
	for i := range 2 {
		c.Input(t0, view(t, peerSeg(fACK, s1, c1, 60000, "")))
		if segs := out(c, t0); len(segs) != 0 {
			t.Fatalf("dup ack %d sent %v", i+1, fmtSegs(segs))
		}
	}
	c.Input(t0, view(t, peerSeg(fACK, s1, c1, 60000, "")))
	segs := out(c, t0)
	if len(segs) == 0 {
		t.Fatal("no fast retransmit on the third duplicate ACK")
	}
	wantSeg(t, segs[0], fACK, c1, s1, 1000) // RFC 5681 §3.2
	if !c.rec.active || c.cc.ssthresh != max(int(float64(10*1000)*cubicBeta), 2000) {
		t.Fatalf("recovery %v ssthresh %d", c.rec.active, c.cc.ssthresh)
	}
}

func TestRetransmit_NewRenoPartialAck(t *testing.T) {
	cfg := baseCfg(cliISS)
	cfg.CC = "reno"
	c := established(t, cfg, 60000)
	sendWindow(t, c, 8)
	for range 3 {
		c.Input(t0, view(t, peerSeg(fACK, s1, c1, 60000, "")))
	}
	out(c, t0)
	if c.cc.ssthresh != 4000 { // RFC 5681 §3.2 (2): FlightSize/2
		t.Fatalf("ssthresh %d, want 4000", c.cc.ssthresh)
	}
	// A partial ACK (RFC 6582 §3.2 step 3) retransmits the next hole at once.
	c.Input(t0, view(t, peerSeg(fACK, s1, c1+3000, 60000, "")))
	segs := out(c, t0)
	if len(segs) == 0 {
		t.Fatal("nothing sent on a partial ACK")
	}
	wantSeg(t, segs[0], fACK, c1+3000, s1, 1000)
	if !c.rec.active {
		t.Fatal("left recovery on a partial ACK")
	}
	// A full ACK ends recovery with cwnd deflated to at most ssthresh.
	c.Input(t0, view(t, peerSeg(fACK, s1, c1+8000, 60000, "")))
	if c.rec.active || c.cc.cwnd > c.cc.ssthresh {
		t.Fatalf("after full ACK: recovery %v cwnd %d ssthresh %d", c.rec.active, c.cc.cwnd, c.cc.ssthresh)
	}
}

func TestRetransmit_SACKHolesFilled(t *testing.T) {
	c := establishedSACK(t)
	sendWindow(t, c, 8)
	// Segments 0 and 2 lost: the peer SACKs 1 and 3..7.
	dup := func(blocks ...uint32) {
		s := peerSeg(fACK, s1, c1, 60000, "")
		for i := 0; i < len(blocks); i += 2 {
			s.Options.SACKBlocks[i/2].Left, s.Options.SACKBlocks[i/2].Right = blocks[i], blocks[i+1]
			s.Options.NumSACKBlocks++
		}
		c.Input(t0, view(t, s))
	}
	dup(c1+1000, c1+2000)
	dup(c1+3000, c1+4000, c1+1000, c1+2000)
	dup(c1+3000, c1+5000, c1+1000, c1+2000)
	wantSeg(t, out(c, t0)[0], fACK, c1, s1, 1000)
	dup(c1+3000, c1+6000, c1+1000, c1+2000)
	segs := out(c, t0)
	if len(segs) == 0 {
		t.Fatal("second hole not retransmitted")
	}
	wantSeg(t, segs[0], fACK, c1+2000, s1, 1000)
}

func TestRetransmit_TimeoutGoesBackAndShrinksCwnd(t *testing.T) {
	c := established(t, baseCfg(cliISS), 60000)
	sendWindow(t, c, 5)
	now := c.Deadline()
	c.Tick(now)
	segs := out(c, now)
	// RFC 5681 §3.1: cwnd is one segment; the first unacknowledged goes.
	if len(segs) != 1 || segs[0].Seq != seqnum.Value(c1) || c.cc.cwnd != 1000 {
		t.Fatalf("after RTO sent %v cwnd %d", fmtSegs(segs), c.cc.cwnd)
	}
	c.Input(now, view(t, peerSeg(fACK, s1, c1+1000, 60000, "")))
	segs = out(c, now)
	if len(segs) != 2 || segs[0].Seq != seqnum.Value(c1+1000) {
		t.Fatalf("slow start after RTO sent %v", fmtSegs(segs))
	}
}

func TestCongestion_CubicGrowsTowardWmax(t *testing.T) {
	var cc congestion
	cc.init("cubic", 1000)
	cc.cwnd = 100_000
	cc.onLoss(100_000)
	cc.cwnd = cc.ssthresh
	if cc.cwnd != 70_000 {
		t.Fatalf("cwnd after loss %d, want beta*100000", cc.cwnd)
	}
	now := t0
	for range 2000 { // about K seconds of ACKs at 10 ms RTT
		cc.onAck(1000, now, 10*time.Millisecond)
		now = now.Add(2 * time.Millisecond)
	}
	// RFC 9438 §4.2: after K seconds W_cubic is back at W_max.
	k := cc.k
	if k < 3 || k > 5 {
		t.Fatalf("K = %v s, want cbrt(100*0.3/0.4) ~ 4.2", k)
	}
	if cc.cwnd < 90_000 || cc.cwnd > 130_000 {
		t.Fatalf("cwnd %d after %v, want near W_max 100000", cc.cwnd, now.Sub(t0))
	}
}

func TestCongestion_RenoLinearGrowth(t *testing.T) {
	var cc congestion
	cc.init("reno", 1000)
	cc.ssthresh, cc.cwnd = 10_000, 10_000
	for range 10 {
		cc.onAck(1000, t0, 0)
	}
	if cc.cwnd != 11_000 {
		t.Fatalf("cwnd %d after one window of ACKs, want +1 SMSS", cc.cwnd)
	}
}

func TestRetransmit_LimitedTransmitOnFirstDupAcks(t *testing.T) {
	c := established(t, baseCfg(cliISS), 60000)
	c.cc.cwnd = 3000
	c.Write(bytes.Repeat([]byte{'d'}, 10000))
	if segs := out(c, t0); len(segs) != 3 {
		t.Fatalf("sent %d segments with cwnd 3000", len(segs))
	}
	for i := range 2 {
		c.Input(t0, view(t, peerSeg(fACK, s1, c1, 60000, "")))
		segs := out(c, t0)
		// RFC 3042 §2: one new segment per duplicate ACK.
		if len(segs) != 1 || segs[0].Seq != seqnum.Value(c1+3000+1000*i) {
			t.Fatalf("dup ack %d sent %v, want one new segment", i+1, fmtSegs(segs))
		}
	}
}

func TestRetransmit_TimeoutResendsIntoZeroWindow(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	c.Write(bytes.Repeat([]byte{'d'}, 3000))
	out(c, t0)
	// The peer takes the first segment and closes its window; our later
	// segments and its window update are lost.
	c.Input(t0, view(t, peerSeg(fACK, s1, c1+1000, 0, "")))
	now := t0
	for i := range 20 {
		now = c.Deadline()
		c.Tick(now)
		segs := out(c, now)
		// RFC 9293 §3.8.6.1: the retransmission goes even into a zero
		// window; a lost window update cannot deadlock the connection.
		if len(segs) != 1 || segs[0].Seq != seqnum.Value(c1+1000) || len(segs[0].Payload) == 0 {
			t.Fatalf("timeout %d sent %v", i, fmtSegs(segs))
		}
		// The peer answers each with its zero window: never a timeout
		// (RFC 1122 §4.2.2.17).
		c.Input(now, view(t, peerSeg(fACK, s1, c1+1000, 0, "")))
	}
	wantState(t, c, Established)
}
