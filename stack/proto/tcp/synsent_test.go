package tcp

import (
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestSynSent_SYNCarriesOfferedOptions(t *testing.T) {
	cfg := fullCfg(cliISS)
	cfg.MSS = 1400
	c := Dial(cfg, cliAddr, srvAddr, t0)
	wantState(t, c, SynSent)
	s := one(t, c, t0)
	wantSeg(t, s, fSYN, cliISS, 0, 0)
	o := s.Options
	if !o.HasMSS || o.MSS != 1400 || !o.HasWindowScale || o.WindowScale != windowShiftFor(DefaultBuf) ||
		!o.SACKPermitted || !o.HasTimestamps || o.TSVal != uint32(t0.UnixMilli()) {
		t.Fatalf("SYN options %+v", o)
	}
	none(t, c, t0) // Output is idempotent: the SYN is not sent twice
}

func TestSynSent_RSTWithBadACK(t *testing.T) {
	c := Dial(baseCfg(cliISS), cliAddr, srvAddr, t0)
	one(t, c, t0)
	// RFC 9293 §3.10.7.3: a RST whose ACK does not acknowledge the SYN is
	// dropped, with no reply.
	c.Input(t0, view(t, peerSeg(fRST|fACK, 0, cliISS+7, 0, "")))
	wantState(t, c, SynSent)
	none(t, c, t0)
	c.Input(t0, view(t, peerSeg(fRST, 0, 0, 0, ""))) // no ACK at all
	wantState(t, c, SynSent)
}

func TestSynSent_RSTWithGoodACKRefuses(t *testing.T) {
	c := Dial(baseCfg(cliISS), cliAddr, srvAddr, t0)
	one(t, c, t0)
	c.Input(t0, view(t, peerSeg(fRST|fACK, 0, cliISS+1, 0, "")))
	wantState(t, c, Closed)
	if ev := c.Events(); ev&unix.POLLERR == 0 || ev&unix.POLLHUP == 0 {
		t.Fatalf("events %#x, want POLLERR|POLLHUP", ev)
	}
	if _, err := c.Write([]byte("x")); !errors.Is(err, unix.ECONNREFUSED) {
		t.Fatalf("write err %v, want ECONNREFUSED", err)
	}
	if c.Err() != nil {
		t.Fatalf("error not cleared after being reported")
	}
	none(t, c, t0)
}

func TestSynSent_UnacceptableACKDrawsRST(t *testing.T) {
	c := Dial(baseCfg(cliISS), cliAddr, srvAddr, t0)
	one(t, c, t0)
	c.Input(t0, view(t, peerSeg(fSYN|fACK, srvISS, cliISS+99, 100, "")))
	wantState(t, c, SynSent)
	wantSeg(t, one(t, c, t0), fRST, cliISS+99, 0, 0)
}

func TestSynSent_SimultaneousOpen(t *testing.T) {
	c := Dial(baseCfg(cliISS), cliAddr, srvAddr, t0)
	one(t, c, t0)
	c.Input(t0, view(t, peerSeg(fSYN, srvISS, 0, 5000, "")))
	wantState(t, c, SynReceived)
	wantSeg(t, one(t, c, t0), fSYN|fACK, cliISS, srvISS+1, 0)
	c.Input(t0, view(t, peerSeg(fSYN|fACK, srvISS, cliISS+1, 5000, "")))
	// The peer's SYN-ACK repeats its SYN (old, below RCV.NXT): it gets an
	// ACK but does not establish; its plain ACK does.
	c.Input(t0, view(t, peerSeg(fACK, srvISS+1, cliISS+1, 5000, "")))
	wantState(t, c, Established)
}

func TestSynSent_SynAckWithDataAndFIN(t *testing.T) {
	c := Dial(baseCfg(cliISS), cliAddr, srvAddr, t0)
	one(t, c, t0)
	c.Input(t0, view(t, peerSeg(fSYN|fACK|fFIN, srvISS, cliISS+1, 5000, "hi")))
	wantState(t, c, CloseWait)
	wantSeg(t, one(t, c, t0), fACK, cliISS+1, srvISS+4, 0)
	b := make([]byte, 10)
	if n, err := c.Read(b, false); n != 2 || err != nil || string(b[:2]) != "hi" {
		t.Fatalf("read %d %v %q", n, err, b[:n])
	}
	if n, err := c.Read(b, false); n != 0 || err != nil {
		t.Fatalf("read at EOF %d %v", n, err)
	}
}

func TestSynSent_RetransmitBackoffThenTimeout(t *testing.T) {
	c := Dial(baseCfg(cliISS), cliAddr, srvAddr, t0)
	one(t, c, t0)
	now := t0
	want := initialRTO
	for i := range maxSynRetries {
		if got := c.Deadline().Sub(now); got != want {
			t.Fatalf("retry %d: deadline in %v, want %v", i, got, want)
		}
		now = c.Deadline()
		c.Tick(now)
		wantSeg(t, one(t, c, now), fSYN, cliISS, 0, 0)
		want *= 2
	}
	c.Tick(c.Deadline())
	wantState(t, c, Closed)
	if err := c.Err(); !errors.Is(err, unix.ETIMEDOUT) {
		t.Fatalf("err %v, want ETIMEDOUT", err)
	}
}

func TestSynSent_ICMPHardErrorAborts(t *testing.T) {
	c := Dial(baseCfg(cliISS), cliAddr, srvAddr, t0)
	one(t, c, t0)
	c.ICMPError(unix.EHOSTUNREACH, 0)
	wantState(t, c, Closed)
	if _, err := c.Read(make([]byte, 1), false); !errors.Is(err, unix.EHOSTUNREACH) {
		t.Fatalf("read err %v", err)
	}
}

func TestSynSent_SoftErrorReportedOnTimeout(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	c.ICMPError(unix.EHOSTUNREACH, 0)
	wantState(t, c, Established) // soft once synchronized (RFC 1122 §4.2.3.9)
	c.Config().UserTimeout = 3 * time.Second
	c.Write([]byte("x"))
	one(t, c, t0)
	for i := 0; i < 20 && c.State() != Closed; i++ {
		c.Tick(c.Deadline())
		out(c, c.Deadline())
	}
	if err := c.Err(); !errors.Is(err, unix.EHOSTUNREACH) {
		t.Fatalf("err %v, want the soft error EHOSTUNREACH", err)
	}
}

func TestSynSent_WriteBeforeEstablishedEAGAIN(t *testing.T) {
	c := Dial(baseCfg(cliISS), cliAddr, srvAddr, t0)
	if _, err := c.Write([]byte("x")); !errors.Is(err, unix.EAGAIN) {
		t.Fatalf("write err %v", err)
	}
	if _, err := c.Read(make([]byte, 1), false); !errors.Is(err, unix.EAGAIN) {
		t.Fatalf("read err %v", err)
	}
	if ev := c.Events(); ev != 0 {
		t.Fatalf("events %#x in SYN-SENT, want 0", ev)
	}
}
