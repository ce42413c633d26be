package tcp

import (
	"strings"
	"testing"
	"time"
)

// establishedSACK returns a client Conn in ESTABLISHED with SACK agreed,
// the peer's MSS 1000 and window 60000.
func establishedSACK(t *testing.T) *Conn {
	t.Helper()
	cfg := baseCfg(cliISS)
	cfg.SACK = true
	c := Dial(cfg, cliAddr, srvAddr, t0)
	one(t, c, t0)
	sa := peerSeg(fSYN|fACK, srvISS, c1, 60000, "")
	sa.Options.SACKPermitted, sa.Options.HasMSS, sa.Options.MSS = true, true, 1000
	c.Input(t0, view(t, sa))
	one(t, c, t0)
	return c
}

// A retransmission lost in recovery is resent once the peer SACKs data
// sent after it (RFC 8985 §6.2), without waiting for the RTO.
func TestRetransmit_LostRetransmissionResent(t *testing.T) {
	c := establishedSACK(t)
	sendWindow(t, c, 8)
	dup := func(blocks ...uint32) []Segment {
		s := peerSeg(fACK, s1, c1, 60000, "")
		for i := 0; i < len(blocks); i += 2 {
			s.Options.SACKBlocks[i/2].Left, s.Options.SACKBlocks[i/2].Right = blocks[i], blocks[i+1]
			s.Options.NumSACKBlocks++
		}
		c.Input(t0, view(t, s))
		return out(c, t0)
	}
	// Segment 0 lost; 1..3 SACKed: fast retransmit of 0.
	dup(c1+1000, c1+2000)
	dup(c1+1000, c1+3000)
	segs := dup(c1+1000, c1+4000)
	if len(segs) == 0 || segs[0].Seq != c1 {
		t.Fatalf("fast retransmit sent %v, want segment 0 first", fmtSegs(segs))
	}
	// The retransmission is lost too. More SACKs of the original flight:
	// no hole is left to resend in this pass, and the pass ends at
	// SND.MAX (which new data, let out by the inflated window, extends).
	dup(c1+1000, c1+5000)
	passEnd := uint32(c.snd.max)
	// Now the peer SACKs data sent after the pass ended: segment 0's
	// retransmission must have been lost, and it goes again.
	c.Write([]byte(strings.Repeat("n", 1000)))
	out(c, t0)
	var again bool
	for _, s := range dup(c1+1000, passEnd+1000) {
		again = again || s.Seq == c1
	}
	if !again {
		t.Fatalf("segment 0 not resent after data sent later was SACKed (rtos %d)", c.stats.rtos)
	}
	if c.stats.rtos != 0 {
		t.Fatalf("%d retransmission timeouts, want none", c.stats.rtos)
	}
}

// After an out-of-order segment the receiver ACKs the following in-order
// segments at once (quickack), instead of every second one.
func TestQuickAckAfterReordering(t *testing.T) {
	c := established(t, baseCfg(cliISS), 8000)
	seg := func(off int) Segment {
		return peerSeg(fACK, srvISS+1+uint32(off), cliISS+1, 8000, strings.Repeat("x", 100))
	}
	c.Input(t0, view(t, seg(100))) // out of order
	one(t, c, t0)
	c.Input(t0, view(t, seg(0))) // fills the gap
	one(t, c, t0)
	c.Input(t0, view(t, seg(200))) // one in-order segment: ACKed at once
	wantSeg(t, one(t, c, t0), fACK, cliISS+1, srvISS+301, 0)
}

// RFC 3522 / RFC 4015: a fast retransmission whose ACK echoes the
// original's timestamp was spurious (the segment was reordered, not lost):
// the congestion state it cut is restored and recovery ends. An ACK that
// echoes the retransmission's timestamp changes nothing.
func TestRetransmit_SpuriousUndone(t *testing.T) {
	for _, spurious := range []bool{true, false} {
		cfg := baseCfg(cliISS)
		cfg.SACK, cfg.Timestamps = true, true
		c := Dial(cfg, cliAddr, srvAddr, t0)
		one(t, c, t0)
		sa := peerSeg(fSYN|fACK, srvISS, c1, 60000, "")
		sa.Options.SACKPermitted, sa.Options.HasMSS, sa.Options.MSS = true, true, 1000
		sa.Options.HasTimestamps, sa.Options.TSVal, sa.Options.TSEcr = true, 1, c.tsNow(t0)
		c.Input(t0, view(t, sa))
		one(t, c, t0)
		c.Write(make([]byte, 8*1000))
		orig := out(c, t0)
		origTS := orig[0].Options.TSVal
		later := t0.Add(50 * time.Millisecond)
		dup := func(hi uint32) {
			s := peerSeg(fACK, s1, c1, 60000, "")
			s.Options.HasTimestamps, s.Options.TSVal, s.Options.TSEcr = true, 2, origTS
			s.Options.NumSACKBlocks, s.Options.SACKBlocks[0].Left, s.Options.SACKBlocks[0].Right = 1, c1+1000, hi
			c.Input(later, view(t, s))
		}
		before := c.cc.cwnd
		dup(c1 + 2000)
		dup(c1 + 3000)
		dup(c1 + 4000)
		re := out(c, later)
		if len(re) == 0 || re[0].Seq != c1 || !c.rec.active {
			t.Fatalf("no fast retransmit: %v", fmtSegs(re))
		}
		echo := origTS
		if !spurious {
			echo = re[0].Options.TSVal
		}
		ack := peerSeg(fACK, s1, c1+8000, 60000, "")
		ack.Options.HasTimestamps, ack.Options.TSVal, ack.Options.TSEcr = true, 3, echo
		c.Input(later, view(t, ack))
		switch {
		case spurious && (c.cc.cwnd < before || c.stats.undos != 1):
			t.Fatalf("spurious retransmit: cwnd %d (was %d), undos %d; want restored", c.cc.cwnd, before, c.stats.undos)
		case !spurious && (c.cc.cwnd >= before || c.stats.undos != 0):
			t.Fatalf("real loss: cwnd %d (was %d), undos %d; want reduced, no undo", c.cc.cwnd, before, c.stats.undos)
		}
	}
}
