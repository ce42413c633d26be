package tcp

import (
	"strings"
	"testing"
	"time"
)

// A sender whose segments are smaller than our MSS (its buffer or window
// limits it) gets an ACK after two of them, not after the delayed-ACK
// timer: RFC 1122 §4.2.3.2 counts full-sized segments, and the largest
// segment received is what full-sized means (Linux's rcv_mss).
func TestDelayedAckCountsReceivedSegmentSize(t *testing.T) {
	cfg := baseCfg(cliISS)
	cfg.MSS = 9000
	c := established(t, cfg, 8000)
	seg := strings.Repeat("x", 700)
	c.Input(t0, view(t, peerSeg(fACK, srvISS+1, cliISS+1, 8000, seg)))
	none(t, c, t0) // one segment: the ACK may wait
	c.Input(t0, view(t, peerSeg(fACK, srvISS+701, cliISS+1, 8000, seg)))
	ack := one(t, c, t0)
	wantSeg(t, ack, fACK, cliISS+1, srvISS+1401, 0)
}

// When the reader drains data that came with PSH, the ACK goes out at
// once (the sender may be waiting on it); in an interactive exchange,
// where our replies carry the ACKs, it waits for the reply instead.
func TestAckWhenPushedDataIsRead(t *testing.T) {
	c := established(t, baseCfg(cliISS), 8000)
	c.Input(t0, view(t, peerSeg(fACK|fPSH, srvISS+1, cliISS+1, 8000, "req")))
	none(t, c, t0)
	buf := make([]byte, 16)
	if n, err := c.Read(buf, false); n != 3 || err != nil {
		t.Fatalf("Read = %d, %v", n, err)
	}
	wantSeg(t, one(t, c, t0), fACK, cliISS+1, srvISS+4, 0)

	// A reply now carries the next ACK: interactive from here on.
	c.Input(t0, view(t, peerSeg(fACK|fPSH, srvISS+4, cliISS+1, 8000, "req")))
	c.Read(buf, false)
	c.Write([]byte("resp"))
	wantSeg(t, one(t, c, t0), fACK, cliISS+1, srvISS+7, 4)
	c.Input(t0, view(t, peerSeg(fACK|fPSH, srvISS+7, cliISS+5, 8000, "req")))
	if n, _ := c.Read(buf, false); n != 3 {
		t.Fatalf("Read = %d, want 3", n)
	}
	none(t, c, t0) // the ACK waits for the reply
	c.Write([]byte("resp"))
	wantSeg(t, one(t, c, t0), fACK, cliISS+5, srvISS+10, 4)
}

// A send buffer left to autotuning grows with the congestion window, up
// to its maximum; one whose size the user set (SetBuffers) stays put.
func TestSendBufferAutotuning(t *testing.T) {
	for _, auto := range []bool{true, false} {
		cfgA := Config{ISS: cliISS, MSS: 1460, SndBuf: 16384, WindowScale: true, SACK: true, Timestamps: true}
		if auto {
			cfgA.SndBufMax = 1 << 20
		}
		p := newPipe(t, cfgA, Config{ISS: srvISS, MSS: 1460, RcvBuf: 1 << 20, WindowScale: true}, 1)
		p.connect()
		src := make([]byte, 4<<20)
		p.transfer(p.a, p.b, p.emitA, src, make([]byte, 64<<10), time.Minute)
		got := p.a.SndBufSize()
		switch {
		case auto && (got <= 16384 || got > 1<<20):
			t.Errorf("autotuned send buffer is %d bytes after 4 MiB; want above 16384, at most 1 MiB", got)
		case !auto && got != 16384:
			t.Errorf("fixed send buffer is %d bytes; want 16384", got)
		}
	}
}

// RFC 5681 §4.2: a segment that fills part of a gap is acknowledged at
// once, even when it alone would let the delayed-ACK timer run.
func TestAckWhenGapFilled(t *testing.T) {
	c := established(t, baseCfg(cliISS), 8000)
	c.Input(t0, view(t, peerSeg(fACK, srvISS+101, cliISS+1, 8000, strings.Repeat("b", 100))))
	wantSeg(t, one(t, c, t0), fACK, cliISS+1, srvISS+1, 0) // the duplicate ACK
	c.Input(t0, view(t, peerSeg(fACK, srvISS+1, cliISS+1, 8000, strings.Repeat("a", 100))))
	wantSeg(t, one(t, c, t0), fACK, cliISS+1, srvISS+201, 0)
}

// A receive buffer left to autotuning grows when the application reads
// more per round trip than half of it; one set by the user stays put.
func TestReceiveBufferAutotuning(t *testing.T) {
	for _, auto := range []bool{true, false} {
		cfgB := Config{ISS: srvISS, MSS: 1460, RcvBuf: 65536, WindowScale: true, SACK: true}
		if auto {
			cfgB.RcvBufMax = 4 << 20
		}
		p := newPipe(t, Config{ISS: cliISS, MSS: 1460, SndBuf: 1 << 20, WindowScale: true, SACK: true}, cfgB, 1)
		p.delay = 2 * time.Millisecond
		p.connect()
		p.transfer(p.a, p.b, p.emitA, make([]byte, 8<<20), make([]byte, 64<<10), time.Minute)
		got := p.b.RcvBufSize()
		switch {
		case auto && (got <= 65536 || got > 4<<20):
			t.Errorf("autotuned receive buffer is %d bytes after 8 MiB; want above 65536, at most 4 MiB", got)
		case !auto && got != 65536:
			t.Errorf("fixed receive buffer is %d bytes; want 65536", got)
		}
	}
}

// A send buffer smaller than half the initial window never lets the
// sender become cwnd-limited; autotuning must grow it anyway (it is what
// held a 64 KiB-MSS connection to one 16 KiB segment per round trip).
func TestSendBufferAutotuningBelowWindow(t *testing.T) {
	cfgA := Config{ISS: cliISS, MSS: 1000, SndBuf: 2000, SndBufMax: 1 << 20}
	p := newPipe(t, cfgA, Config{ISS: srvISS, MSS: 1000, RcvBuf: 1 << 20, WindowScale: true}, 1)
	p.connect()
	p.transfer(p.a, p.b, p.emitA, make([]byte, 256<<10), make([]byte, 64<<10), time.Minute)
	if got := p.a.SndBufSize(); got <= 2000 {
		t.Fatalf("send buffer still %d bytes after 256 KiB; want it grown toward 2*cwnd", got)
	}
}
