package tcp

import (
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/wire"
)

func TestOptions_WindowScaleNegotiated(t *testing.T) {
	cfg := baseCfg(cliISS)
	cfg.WindowScale, cfg.RcvBuf = true, 1<<20
	c := Dial(cfg, cliAddr, srvAddr, t0)
	syn := one(t, c, t0)
	if !syn.Options.HasWindowScale || syn.Options.WindowScale != 5 || syn.Window != 0xffff {
		t.Fatalf("SYN window %d options %+v: want shift 5 and an unscaled window", syn.Window, syn.Options)
	}
	sa := peerSeg(fSYN|fACK, srvISS, c1, 1000, "")
	sa.Options.HasWindowScale, sa.Options.WindowScale = true, 20 // RFC 7323 §2.3: used as 14
	c.Input(t0, view(t, sa))
	if c.snd.wscale != 14 || c.snd.wnd != 1000 {
		t.Fatalf("send shift %d window %d: the SYN-ACK window is not scaled", c.snd.wscale, c.snd.wnd)
	}
	ack := one(t, c, t0)
	if ack.Window != (1<<20)>>5 {
		t.Fatalf("advertised %d, want RcvBuf>>5", ack.Window)
	}
	c.Input(t0, view(t, peerSeg(fACK, s1, c1, 2, "")))
	if c.snd.wnd != 2<<14 {
		t.Fatalf("window %d, want 2<<14", c.snd.wnd)
	}
}

func TestOptions_NotEchoedUnlessOffered(t *testing.T) {
	c := Dial(fullCfg(cliISS), cliAddr, srvAddr, t0)
	one(t, c, t0)
	sa := peerSeg(fSYN|fACK, srvISS, c1, 1000, "")
	c.Input(t0, view(t, sa)) // the peer offered nothing
	ack := one(t, c, t0)
	if ack.Options.HasTimestamps || c.opt.ws || c.opt.sack || c.rcv.wscale != 0 {
		t.Fatalf("options used without the peer: %+v %+v", ack.Options, c.opt)
	}
	if c.smss != 536 {
		t.Fatalf("send MSS %d without an MSS option, want 536 (RFC 9293 §3.7.1)", c.smss)
	}
}

func TestOptions_IPv6DefaultMSS(t *testing.T) {
	c := Dial(baseCfg(cliISS), netip.MustParseAddrPort("[2001:db8::1]:1"), netip.MustParseAddrPort("[2001:db8::2]:2"), t0)
	if c.smss != 1000 || c.defaultPeerMSS() != 1220 {
		t.Fatalf("IPv6 default peer MSS %d", c.defaultPeerMSS())
	}
}

func TestOptions_TimestampRTTSample(t *testing.T) {
	cfg := baseCfg(cliISS)
	cfg.Timestamps = true
	c := Dial(cfg, cliAddr, srvAddr, t0)
	syn := one(t, c, t0)
	later := t0.Add(80 * time.Millisecond)
	sa := peerSeg(fSYN|fACK, srvISS, c1, 5000, "")
	sa.Options.HasTimestamps, sa.Options.TSVal, sa.Options.TSEcr = true, 1, syn.Options.TSVal
	sa.Options.HasMSS, sa.Options.MSS = true, 1000
	c.Input(later, view(t, sa))
	// RFC 7323 §4.1: RTT = now - TSecr.
	if c.rtt.srtt < 80*time.Millisecond || c.rtt.srtt > 81*time.Millisecond {
		t.Fatalf("SRTT %v, want about 80ms from the echoed timestamp", c.rtt.srtt)
	}
	if i := c.Info(); i.Options&tcpiOptTimestamps == 0 || i.Snd_mss != 1000-12 || i.State != 1 {
		t.Fatalf("info %+v", i)
	}
}

func TestListen_AckWithDataAndFINReachesCloseWait(t *testing.T) {
	l := NewListener(listenCfg(), srvAddr, 8)
	reply, _ := l.Input(t0, srvAddr, cliAddr, view(t, cliSeg(fSYN, 100, 0, "")), true)
	_, c := l.Input(t0, srvAddr, cliAddr, view(t, cliSeg(fACK|fFIN, 101, uint32(reply.Seq)+1, "req")), true)
	if c == nil {
		t.Fatal("no connection")
	}
	wantState(t, c, CloseWait)
	s := one(t, c, t0)
	if s.Ack != 105 || s.Flags != fACK {
		t.Fatalf("ack %v", &s)
	}
	b := make([]byte, 10)
	if n, _ := c.Read(b, false); string(b[:n]) != "req" {
		t.Fatalf("read %q", b[:n])
	}
}

func TestEvents_AfterResetAllReady(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	c.Input(t0, view(t, peerSeg(fRST, s1, 0, 0, "")))
	want := int16(unix.POLLIN | unix.POLLOUT | unix.POLLERR | unix.POLLHUP | unix.POLLRDHUP)
	if ev := c.Events(); ev != want {
		t.Fatalf("events %#x, want %#x (as Linux after a reset)", ev, want)
	}
	c.Err()
	if ev := c.Events(); ev != want&^unix.POLLERR {
		t.Fatalf("events after SO_ERROR read %#x", ev)
	}
}

func TestOutput_IdempotentAfterSend(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	c.Write([]byte("once"))
	wantSeg(t, one(t, c, t0), fACK, c1, s1, 4)
	none(t, c, t0)
	none(t, c, t0)
	if c.Unsent() != 0 || c.Info().Unacked != 4 {
		t.Fatalf("unsent %d unacked %d", c.Unsent(), c.Info().Unacked)
	}
}

func TestInput_MalformedOptionsIgnored(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	raw := make([]byte, 24+2)
	copy(raw, view(t, peerSeg(fACK, s1, c1, 5000, "")).Bytes()[:20])
	raw[12] = 6 << 4
	raw[20], raw[21] = wire.TCPOptMSS, 9 // bad length
	copy(raw[24:], "hi")
	seg, err := wire.ParseTCP(raw)
	if err != nil {
		t.Fatal(err)
	}
	c.Input(t0, seg)
	if c.Readable() != 2 {
		t.Fatalf("data with a malformed option dropped: readable %d", c.Readable())
	}
}
