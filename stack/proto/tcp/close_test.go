package tcp

import (
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// finWait1 returns a client that sent its FIN (seq c1) and has it
// unacknowledged.
func finWait1(t *testing.T) *Conn {
	c := established(t, baseCfg(cliISS), 5000)
	c.Close(t0)
	wantState(t, c, FinWait1)
	wantSeg(t, one(t, c, t0), fACK|fFIN, c1, s1, 0)
	return c
}

func TestFinWait1_SimultaneousClose(t *testing.T) {
	c := finWait1(t)
	c.Input(t0, view(t, peerSeg(fACK|fFIN, s1, c1, 5000, "")))
	wantState(t, c, Closing)
	wantSeg(t, one(t, c, t0), fACK, c1+1, s1+1, 0)
	c.Input(t0, view(t, peerSeg(fACK, s1+1, c1+1, 5000, "")))
	wantState(t, c, TimeWait)
}

func TestFinWait1_FINAndACKTogetherToTimeWait(t *testing.T) {
	c := finWait1(t)
	c.Input(t0, view(t, peerSeg(fACK|fFIN, s1, c1+1, 5000, "")))
	wantState(t, c, TimeWait)
	wantSeg(t, one(t, c, t0), fACK, c1+1, s1+1, 0)
}

func TestFinWait1_FINRetransmitted(t *testing.T) {
	c := finWait1(t)
	now := c.Deadline()
	c.Tick(now)
	wantSeg(t, one(t, c, now), fACK|fFIN, c1, s1, 0)
}

func TestTimeWait_2MSL(t *testing.T) {
	c := finWait1(t)
	c.Input(t0, view(t, peerSeg(fACK|fFIN, s1, c1+1, 5000, "")))
	one(t, c, t0)
	if d := c.Deadline(); d.Sub(t0) != 2*MSL {
		t.Fatalf("TIME-WAIT ends in %v, want %v", d.Sub(t0), 2*MSL)
	}
	// RFC 9293 §3.10.7.4: a retransmitted FIN is acknowledged and the
	// 2 MSL timeout restarts.
	later := t0.Add(10 * time.Second)
	c.Input(later, view(t, peerSeg(fACK|fFIN, s1, c1+1, 5000, "")))
	wantSeg(t, one(t, c, later), fACK, c1+1, s1+1, 0)
	if d := c.Deadline(); d.Sub(later) != 2*MSL {
		t.Fatalf("restarted TIME-WAIT ends in %v", d.Sub(later))
	}
	c.Tick(c.Deadline().Add(-time.Millisecond))
	wantState(t, c, TimeWait)
	c.Tick(c.Deadline())
	wantState(t, c, Closed)
	if c.Err() != nil || !c.Deadline().IsZero() {
		t.Fatalf("clean close left err %v deadline %v", c.Err(), c.Deadline())
	}
}

func TestTimeWait_SYNDrawsChallengeACK(t *testing.T) {
	c := finWait1(t)
	c.Input(t0, view(t, peerSeg(fACK|fFIN, s1, c1+1, 5000, "")))
	one(t, c, t0)
	c.Input(t0, view(t, peerSeg(fSYN, s1+100, 0, 5000, "")))
	wantState(t, c, TimeWait)
	wantSeg(t, one(t, c, t0), fACK, c1+1, s1+1, 0)
}

func TestFinWait2_OrphanTimesOut(t *testing.T) {
	cfg := baseCfg(cliISS)
	cfg.Linger2 = 5 * time.Second
	c := established(t, cfg, 5000)
	c.Close(t0)
	one(t, c, t0)
	c.Input(t0, view(t, peerSeg(fACK, s1, c1+1, 5000, "")))
	wantState(t, c, FinWait2)
	if d := c.Deadline(); d.Sub(t0) != 5*time.Second {
		t.Fatalf("FIN-WAIT-2 timeout in %v", d.Sub(t0))
	}
	c.Tick(c.Deadline())
	wantState(t, c, Closed)
}

func TestFinWait2_DataAfterCloseResets(t *testing.T) {
	c := finWait1(t)
	c.Input(t0, view(t, peerSeg(fACK, s1, c1+1, 5000, "late")))
	wantState(t, c, Closed)
	wantSeg(t, one(t, c, t0), fRST, c1+1, 0, 0)
}

func TestCloseWait_CloseSendsFINThenLastAck(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	c.Input(t0, view(t, peerSeg(fACK|fFIN, s1, c1, 5000, "")))
	wantState(t, c, CloseWait)
	wantSeg(t, one(t, c, t0), fACK, c1, s1+1, 0)
	if ev := c.Events(); ev&(unix.POLLIN|unix.POLLRDHUP) != unix.POLLIN|unix.POLLRDHUP {
		t.Fatalf("events %#x in CLOSE-WAIT", ev)
	}
	c.Write([]byte("last"))
	c.Close(t0)
	wantState(t, c, LastAck)
	wantSeg(t, one(t, c, t0), fACK|fFIN, c1, s1+1, 4)
	c.Input(t0, view(t, peerSeg(fACK, s1+1, c1+5, 5000, "")))
	wantState(t, c, Closed)
	if c.Err() != nil {
		t.Fatalf("err %v after a clean LAST-ACK", c.Err())
	}
}

func TestClose_UnreadDataSendsRST(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	c.Input(t0, view(t, peerSeg(fACK, s1, c1, 5000, "unread")))
	out(c, t0)
	c.Close(t0)
	wantState(t, c, Closed)
	wantSeg(t, one(t, c, t0), fRST, c1, 0, 0) // RFC 2525 §2.17
}

func TestClose_InSynSentDeletesTCB(t *testing.T) {
	c := Dial(baseCfg(cliISS), cliAddr, srvAddr, t0)
	one(t, c, t0)
	c.Close(t0)
	wantState(t, c, Closed)
	none(t, c, t0)
}

func TestAbort_SendsRST(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	c.Write([]byte("abc"))
	one(t, c, t0)
	c.Abort()
	wantState(t, c, Closed)
	wantSeg(t, one(t, c, t0), fRST, c1+3, 0, 0)
	none(t, c, t0)
	if _, err := c.Write([]byte("x")); !errors.Is(err, unix.EPIPE) {
		t.Fatalf("write after abort %v", err)
	}
}

func TestLastAck_RSTCloses(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	c.Input(t0, view(t, peerSeg(fACK|fFIN, s1, c1, 5000, "")))
	c.Close(t0)
	out(c, t0)
	c.Input(t0, view(t, peerSeg(fRST, s1+1, 0, 0, "")))
	wantState(t, c, Closed)
	if c.Err() != nil {
		t.Fatalf("RST in LAST-ACK set error %v", c.Err())
	}
}

func TestShutdown_ErrorsAndRead(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	if err := c.Shutdown(7); !errors.Is(err, unix.EINVAL) {
		t.Fatalf("bad how: %v", err)
	}
	c.Input(t0, view(t, peerSeg(fACK, s1, c1, 5000, "buffered")))
	if err := c.Shutdown(unix.SHUT_RD); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 20)
	if n, _ := c.Read(b, true); string(b[:n]) != "buffered" {
		t.Fatalf("peek %q", b[:n])
	}
	if n, _ := c.Read(b, false); string(b[:n]) != "buffered" {
		t.Fatalf("read %q", b[:n])
	}
	if n, err := c.Read(b, false); n != 0 || err != nil {
		t.Fatalf("read after SHUT_RD drained: %d %v", n, err)
	}
	c.Abort()
	if err := c.Shutdown(unix.SHUT_WR); !errors.Is(err, unix.ENOTCONN) {
		t.Fatalf("shutdown when closed: %v", err)
	}
}

func TestRSTFor(t *testing.T) {
	r, ok := RSTFor(view(t, peerSeg(fACK, 10, 777, 0, "abc")))
	if !ok || r.Flags != fRST || r.Seq != 777 {
		t.Fatalf("reply to ACK: %v", &r)
	}
	r, ok = RSTFor(view(t, peerSeg(fSYN, 10, 0, 0, "abc")))
	if !ok || r.Flags != fRST|fACK || r.Seq != 0 || r.Ack != 14 || r.DstPort != srvAddr.Port() {
		t.Fatalf("reply to SYN+data: %v", &r)
	}
	if _, ok := RSTFor(view(t, peerSeg(fRST, 10, 0, 0, ""))); ok {
		t.Fatal("a RST was answered")
	}
}

func TestTimeWait_NewSYNAboveRcvNxtReuses(t *testing.T) {
	c := finWait1(t)
	c.Input(t0, view(t, peerSeg(fACK|fFIN, s1, c1+1, 5000, "")))
	one(t, c, t0)
	if c.ReuseTimeWait(view(t, peerSeg(fSYN, s1, 0, 5000, ""))) {
		t.Fatal("an old SYN (below RCV.NXT) reused TIME-WAIT")
	}
	if c.ReuseTimeWait(view(t, peerSeg(fSYN|fACK, s1+1000, 0, 5000, ""))) {
		t.Fatal("a SYN-ACK reused TIME-WAIT")
	}
	wantState(t, c, TimeWait)
	if !c.ReuseTimeWait(view(t, peerSeg(fSYN, s1+1000, 0, 5000, ""))) {
		t.Fatal("a new SYN above RCV.NXT did not reuse TIME-WAIT")
	}
	wantState(t, c, Closed)
}

func TestEstablished_ChallengeACKsRateLimited(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	sent := 0
	for range 3 * challengeLimit {
		c.Input(t0, view(t, peerSeg(fRST, s1+100, 0, 0, "")))
		sent += len(out(c, t0))
	}
	if sent != challengeLimit {
		t.Fatalf("%d challenge ACKs in one second, want %d (RFC 5961 §7)", sent, challengeLimit)
	}
	later := t0.Add(time.Second)
	c.Input(later, view(t, peerSeg(fSYN, s1+100, 0, 0, "")))
	one(t, c, later)
}
