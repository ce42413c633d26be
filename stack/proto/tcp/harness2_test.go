package tcp

import (
	"bytes"
	"testing"
	"time"
)

func TestHarness_LostSYNsRetransmitted(t *testing.T) {
	p := newPipe(t, fullCfg(cliISS), fullCfg(srvISS), 2)
	p.a.Output(p.now, p.emitA)
	p.q = p.q[:0] // the first SYN is lost
	p.dropN = 1   // and so is its retransmission at 1 s
	for p.b == nil && p.step() {
	}
	// The third SYN goes at 3 s (RTO backed off), then SYN-ACK and ACK,
	// with a one-way delay of 5 ms each.
	if want := initialRTO + 2*initialRTO + 3*p.delay; p.now.Sub(t0) != want {
		t.Fatalf("handshake completed at %v, want %v", p.now.Sub(t0), want)
	}
	p.connect()
	if p.a.Info().Total_retrans != 0 && p.a.Info().Retransmits != 0 {
		t.Fatalf("backoff not cleared after the handshake: %+v", p.a.Info().Retransmits)
	}
	p.transfer(p.a, p.b, p.emitA, []byte("after a lost SYN"), make([]byte, 100), time.Second)
}

func TestHarness_LostSYNACKListenerResends(t *testing.T) {
	p := newPipe(t, baseCfg(cliISS), baseCfg(srvISS), 2)
	p.a.Output(p.now, p.emitA)
	p.step() // the SYN arrives; the SYN-ACK is queued
	p.q = p.q[:0]
	p.connect()
	if p.l.HalfOpen() != 0 {
		t.Fatalf("half-open %d after the handshake", p.l.HalfOpen())
	}
}

func TestHarness_ZeroWindowStallThenResume(t *testing.T) {
	a, b := fullCfg(cliISS), fullCfg(srvISS)
	b.RcvBuf = 4 * (DefaultMSS - 12) // exactly four segments: the window closes
	p := newPipe(t, a, b, 4)
	p.connect()
	src := pattern(100<<10, 2)
	w := 0
	for p.now.Sub(t0) < 60*time.Second {
		n, _ := p.a.Write(src[w:])
		w += n
		p.a.Output(p.now, p.emitA)
		if !p.step() {
			break
		}
	}
	if p.b.Readable() != b.RcvBuf || p.a.snd.wnd != 0 || p.a.Unsent() == 0 {
		t.Fatalf("receiver holds %d, sender window %d unsent %d: want a zero window", p.b.Readable(), p.a.snd.wnd, p.a.Unsent())
	}
	if p.a.State() != Established || !p.a.tm.armed(timerPersist) {
		t.Fatalf("after 60 s of zero window: %v, persist armed %v", p.a.State(), p.a.tm.armed(timerPersist))
	}
	rbuf := make([]byte, 4096)
	got := 0
	for got < w {
		n, _ := p.b.Read(rbuf, false)
		if n > 0 && !bytes.Equal(rbuf[:n], src[got:got+n]) {
			t.Fatalf("bytes differ at %d", got)
		}
		got += n
		p.b.Output(p.now, p.emitB)
		if n == 0 && !p.step() {
			t.Fatalf("stalled after reading %d of %d", got, w)
		}
	}
}

func TestHarness_CloseUnderLoss(t *testing.T) {
	for seed := range uint64(8) {
		p := newPipe(t, fullCfg(cliISS), fullCfg(srvISS), seed)
		p.connect()
		p.loss = 0.2
		p.transfer(p.a, p.b, p.emitA, pattern(20000, seed), make([]byte, 5000), 10*time.Minute)
		p.a.Close(p.now)
		p.a.Output(p.now, p.emitA)
		for p.b.State() != CloseWait && p.step() {
		}
		p.b.Close(p.now)
		p.b.Output(p.now, p.emitB)
		for p.step() {
		}
		if p.a.State() != Closed || p.b.State() != Closed {
			t.Fatalf("seed %d: states %v %v", seed, p.a.State(), p.b.State())
		}
		if err := p.b.Err(); err != nil {
			t.Fatalf("seed %d: server error %v", seed, err)
		}
	}
}

func TestHarness_SimultaneousOpenAndClose(t *testing.T) {
	p := newPipe(t, fullCfg(cliISS), fullCfg(srvISS), 6)
	p.b = Dial(fullCfg(srvISS), srvAddr, cliAddr, p.now)
	p.a.Output(p.now, p.emitA)
	p.b.Output(p.now, p.emitB)
	for i := 0; i < 100 && (p.a.State() != Established || p.b.State() != Established); i++ {
		p.step()
	}
	wantState(t, p.a, Established)
	wantState(t, p.b, Established)
	p.transfer(p.a, p.b, p.emitA, []byte("simultaneous"), make([]byte, 100), time.Second)
	p.a.Close(p.now)
	p.b.Close(p.now)
	p.a.Output(p.now, p.emitA)
	p.b.Output(p.now, p.emitB)
	p.step()
	wantState(t, p.a, Closing)
	wantState(t, p.b, Closing)
	for p.step() {
	}
	wantState(t, p.a, Closed)
	wantState(t, p.b, Closed)
}

func TestHarness_PingPongWithNagleAndDelayedAck(t *testing.T) {
	a, b := fullCfg(cliISS), fullCfg(srvISS) // Nagle on both sides
	p := newPipe(t, a, b, 10)
	p.connect()
	start := p.now
	const rounds = 200
	buf := make([]byte, 64)
	for i := range rounds {
		msg := []byte{byte(i), 1, 2, 3, 4, 5, 6, 7, 8, 9}
		p.transfer(p.a, p.b, p.emitA, msg, buf, time.Second)
		p.transfer(p.b, p.a, p.emitB, msg, buf, time.Second)
	}
	// Each round is one request and one response: 2 one-way delays. The
	// response carries the ACK, so delayed ACKs add nothing.
	if got, want := p.now.Sub(start), rounds*2*p.delay; got > want+want/10 {
		t.Fatalf("%d rounds took %v, want about %v", rounds, got, want)
	}
}

// TestHarness_HeavyLossStress runs handshake, transfers both ways and close
// under 30% loss and 30% reordering for many seeds and three option sets:
// every connection that opens must deliver byte-exact and close cleanly.
func TestHarness_HeavyLossStress(t *testing.T) {
	cfgs := []struct{ a, b Config }{
		{fullCfg(cliISS), fullCfg(srvISS)},
		{Config{ISS: cliISS}, Config{ISS: srvISS}},
		{Config{ISS: cliISS, SACK: true, SndBuf: 5000, RcvBuf: 7000}, Config{ISS: srvISS, SACK: true, RcvBuf: 5000}},
	}
	for seed := range uint64(40) {
		for ci, cfg := range cfgs {
			p := newPipe(t, cfg.a, cfg.b, seed)
			p.loss, p.reorder = 0.3, 0.3
			p.a.Output(p.now, p.emitA)
			for i := 0; i < 100000 && (p.b == nil || p.a.State() != Established || p.b.State() != Established); i++ {
				if !p.step() {
					break
				}
			}
			if p.b == nil || p.b.State() != Established || p.a.State() != Established {
				continue // the handshake may give up under 30% loss
			}
			src := pattern(50<<10, seed)
			p.transfer(p.a, p.b, p.emitA, src, make([]byte, 3000), 5*time.Hour)
			p.transfer(p.b, p.a, p.emitB, src[:20000], make([]byte, 3000), 5*time.Hour)
			p.a.Close(p.now)
			p.a.Output(p.now, p.emitA)
			for p.b.State() == Established && p.step() {
			}
			p.b.Close(p.now)
			p.b.Output(p.now, p.emitB)
			for p.step() {
			}
			ea, eb := p.a.Err(), p.b.Err()
			if p.a.State() != Closed || p.b.State() != Closed || ea != nil || eb != nil {
				t.Fatalf("seed %d cfg %d: end states %v/%v errors %v/%v", seed, ci, p.a.State(), p.b.State(), ea, eb)
			}
		}
	}
}
