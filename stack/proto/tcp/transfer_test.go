package tcp

import (
	"math/rand/v2"
	"testing"
	"time"
)

func pattern(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func fullCfg(iss uint32) Config {
	return Config{ISS: iss, WindowScale: true, Timestamps: true, SACK: true}
}

func TestHarness_HandshakeAndEcho(t *testing.T) {
	p := newPipe(t, baseCfg(cliISS), baseCfg(srvISS), 1)
	p.connect()
	msg := []byte("hello, world")
	p.transfer(p.a, p.b, p.emitA, msg, make([]byte, 100), time.Second)
	p.transfer(p.b, p.a, p.emitB, msg, make([]byte, 100), time.Second)
}

func TestHarness_Bulk10MBLossReorder(t *testing.T) {
	for _, cc := range []string{"cubic", "reno"} {
		t.Run(cc, func(t *testing.T) {
			a, b := fullCfg(cliISS), fullCfg(srvISS)
			a.CC, b.CC = cc, cc
			p := newPipe(t, a, b, 42)
			p.connect()
			p.loss, p.reorder = 0.02, 0.02
			src := pattern(10<<20, 7)
			p.transfer(p.a, p.b, p.emitA, src, make([]byte, 64<<10), 10*time.Minute)
			if p.a.Info().Total_retrans == 0 {
				t.Fatalf("2%% loss but no retransmissions")
			}
		})
	}
}

func TestHarness_BulkNoOptionsLoss(t *testing.T) {
	p := newPipe(t, Config{ISS: cliISS}, Config{ISS: srvISS}, 3)
	p.connect()
	p.loss, p.reorder = 0.02, 0.05
	src := pattern(2<<20, 9)
	p.transfer(p.a, p.b, p.emitA, src, make([]byte, 7000), 10*time.Minute)
}

func TestHarness_SmallBuffersBothWays(t *testing.T) {
	a, b := fullCfg(cliISS), fullCfg(srvISS)
	a.SndBuf, a.RcvBuf, b.SndBuf, b.RcvBuf = 4096, 4096, 4096, 4096
	p := newPipe(t, a, b, 5)
	p.connect()
	p.loss = 0.01
	src := pattern(300<<10, 11)
	p.transfer(p.a, p.b, p.emitA, src, make([]byte, 1000), 10*time.Minute)
	p.transfer(p.b, p.a, p.emitB, src, make([]byte, 1000), 10*time.Minute)
}

func TestHarness_CloseBothSides(t *testing.T) {
	p := newPipe(t, fullCfg(cliISS), fullCfg(srvISS), 8)
	p.connect()
	p.a.Close(p.now)
	p.a.Output(p.now, p.emitA)
	for p.b.State() != CloseWait && p.step() {
	}
	wantState(t, p.b, CloseWait)
	if n, err := p.b.Read(make([]byte, 10), false); n != 0 || err != nil {
		t.Fatalf("read at EOF = %d, %v", n, err)
	}
	p.b.Close(p.now)
	p.b.Output(p.now, p.emitB)
	for p.step() {
	}
	wantState(t, p.a, Closed)
	wantState(t, p.b, Closed)
	if p.now.Sub(t0) < 2*MSL {
		t.Fatalf("closed after %v, before TIME-WAIT's 2*MSL", p.now.Sub(t0))
	}
}
