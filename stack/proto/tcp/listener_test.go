package tcp

import (
	"net/netip"
	"testing"
	"time"

	"sockstack/seqnum"
	"sockstack/wire"
)

// cliSeg is a segment from the client to the listener.
func cliSeg(flags wire.TCPFlags, seq, ack uint32, data string) Segment {
	return Segment{SrcPort: cliAddr.Port(), DstPort: srvAddr.Port(), Seq: seqnum.Value(seq),
		Ack: seqnum.Value(ack), Flags: flags, Window: 8000, Payload: []byte(data)}
}

func listenCfg() Config {
	c := fullCfg(0)
	c.Secret = [16]byte{1, 2, 3}
	return c
}

func TestListen_SynGetsSynAckThenAckEstablishes(t *testing.T) {
	l := NewListener(listenCfg(), srvAddr, 8)
	syn := cliSeg(fSYN, 100, 0, "")
	syn.Options = wire.TCPOptions{HasMSS: true, MSS: 1200, HasWindowScale: true, WindowScale: 7,
		SACKPermitted: true, HasTimestamps: true, TSVal: 55}
	reply, c := l.Input(t0, srvAddr, cliAddr, view(t, syn), true)
	if reply == nil || c != nil || reply.Flags != fSYN|fACK || reply.Ack != 101 {
		t.Fatalf("reply %v conn %v", reply, c)
	}
	o := reply.Options
	if !o.HasWindowScale || !o.SACKPermitted || !o.HasTimestamps || o.TSEcr != 55 || o.MSS != DefaultMSS {
		t.Fatalf("SYN-ACK options %+v", o)
	}
	iss := reply.Seq
	if l.HalfOpen() != 1 {
		t.Fatalf("half-open %d", l.HalfOpen())
	}
	ack := cliSeg(fACK, 101, uint32(iss)+1, "early")
	ack.Options.HasTimestamps, ack.Options.TSVal, ack.Options.TSEcr = true, 56, o.TSVal
	reply, c = l.Input(t0.Add(time.Millisecond), srvAddr, cliAddr, view(t, ack), true)
	if reply != nil || c == nil {
		t.Fatalf("ACK gave reply %v conn %v", reply, c)
	}
	wantState(t, c, Established)
	if c.smss != 1200-12 || c.snd.wscale != 7 || !c.opt.sack || !c.opt.ts || c.Readable() != 5 {
		t.Fatalf("conn smss %d wscale %d opts %+v readable %d", c.smss, c.snd.wscale, c.opt, c.Readable())
	}
	if l.HalfOpen() != 0 {
		t.Fatal("entry kept after accept")
	}
}

func TestListen_BadAckGetsRST(t *testing.T) {
	l := NewListener(listenCfg(), srvAddr, 8)
	reply, c := l.Input(t0, srvAddr, cliAddr, view(t, cliSeg(fACK, 100, 12345, "")), true)
	if c != nil || reply == nil || reply.Flags != fRST || reply.Seq != 12345 {
		t.Fatalf("reply %v", reply)
	}
	if l.Stats().BadAck != 1 {
		t.Fatalf("stats %+v", l.Stats())
	}
	reply, _ = l.Input(t0, srvAddr, cliAddr, view(t, cliSeg(fRST, 100, 0, "")), true)
	if reply != nil {
		t.Fatalf("RST answered: %v", reply)
	}
}

func TestListen_SynAckRetransmittedThenDropped(t *testing.T) {
	l := NewListener(listenCfg(), srvAddr, 8)
	reply, _ := l.Input(t0, srvAddr, cliAddr, view(t, cliSeg(fSYN, 100, 0, "")), true)
	iss := reply.Seq
	n := 0
	for i := 0; i < 20 && l.HalfOpen() > 0; i++ {
		now := l.Deadline()
		l.Tick(now, func(local, remote netip.AddrPort, s Segment) {
			if local != srvAddr || remote != cliAddr || s.Seq != iss || s.Flags != fSYN|fACK {
				t.Fatalf("resent %v to %v", &s, remote)
			}
			n++
		})
	}
	if n != maxSynAckRetries || l.Stats().SynAckTimeout != 1 {
		t.Fatalf("%d resends, stats %+v", n, l.Stats())
	}
}

func TestListen_AcceptQueueFullDropsAck(t *testing.T) {
	l := NewListener(listenCfg(), srvAddr, 8)
	reply, _ := l.Input(t0, srvAddr, cliAddr, view(t, cliSeg(fSYN, 100, 0, "")), true)
	ack := view(t, cliSeg(fACK, 101, uint32(reply.Seq)+1, ""))
	if r, c := l.Input(t0, srvAddr, cliAddr, ack, false); r != nil || c != nil {
		t.Fatalf("full accept queue: reply %v conn %v", r, c)
	}
	if _, c := l.Input(t0, srvAddr, cliAddr, ack, true); c == nil {
		t.Fatal("retransmitted ACK not accepted once there is room")
	}
}

func TestListen_SynFloodUsesCookies(t *testing.T) {
	const backlog = 4
	l := NewListener(listenCfg(), srvAddr, backlog)
	for i := range 5000 {
		src := netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}), uint16(1024+i))
		s := cliSeg(fSYN, uint32(i*7919), 0, "")
		s.SrcPort = src.Port()
		if r, _ := l.Input(t0, srvAddr, src, view(t, s), true); r == nil || r.Flags != fSYN|fACK {
			t.Fatalf("SYN %d not answered", i)
		}
	}
	if l.HalfOpen() != backlog || l.Stats().CookiesSent != 5000-backlog {
		t.Fatalf("half-open %d stats %+v", l.HalfOpen(), l.Stats())
	}
	// A legitimate client still connects, from its cookie.
	syn := cliSeg(fSYN, 900, 0, "")
	syn.Options = wire.TCPOptions{HasMSS: true, MSS: 1460, HasTimestamps: true, TSVal: 9}
	reply, _ := l.Input(t0, srvAddr, cliAddr, view(t, syn), true)
	if reply.Options.HasTimestamps || reply.Options.MSS != DefaultMSS {
		t.Fatalf("cookie SYN-ACK options %+v", reply.Options)
	}
	later := t0.Add(70 * time.Second) // the previous cookie period still counts
	ack := view(t, cliSeg(fACK, 901, uint32(reply.Seq)+1, "hello"))
	r, c := l.Input(later, srvAddr, cliAddr, ack, true)
	if r != nil || c == nil {
		t.Fatalf("cookie ACK: reply %v conn %v", r, c)
	}
	wantState(t, c, Established)
	if c.smss != 1460 || c.Readable() != 5 || l.Stats().CookiesOK != 1 {
		t.Fatalf("smss %d readable %d stats %+v", c.smss, c.Readable(), l.Stats())
	}
	// A forged cookie, or one too old, is refused.
	bad := view(t, cliSeg(fACK, 901, uint32(reply.Seq)+2, ""))
	if r, c := l.Input(later, srvAddr, cliAddr, bad, true); c != nil || r == nil || r.Flags != fRST {
		t.Fatalf("forged cookie: reply %v conn %v", r, c)
	}
	if _, c := l.Input(t0.Add(200*time.Second), srvAddr, cliAddr, ack, true); c != nil {
		t.Fatal("expired cookie accepted")
	}
}

func TestCookie_EncodesMSS(t *testing.T) {
	var key [16]byte
	for _, mss := range []uint16{100, 536, 1000, 1460, 9000} {
		ck := makeCookie(&key, srvAddr, cliAddr, 77, mss, t0)
		got, ok := checkCookie(&key, srvAddr, cliAddr, 77, ck, t0)
		if !ok || got > max(mss, 216) {
			t.Fatalf("mss %d: cookie gives %d, %v", mss, got, ok)
		}
		if _, ok := checkCookie(&key, srvAddr, cliAddr, 78, ck, t0); ok {
			t.Fatalf("cookie valid for another client ISN")
		}
	}
}

func TestListen_ISNsDiffer(t *testing.T) {
	var key [16]byte
	a := isnFor(&key, srvAddr, cliAddr, t0)
	b := isnFor(&key, srvAddr, netip.MustParseAddrPort("10.0.0.1:40001"), t0)
	if a == b || isnFor(&key, srvAddr, cliAddr, t0.Add(time.Millisecond)) != a+250 {
		t.Fatalf("ISNs %d %d: RFC 6528 wants a keyed offset plus a 4µs clock", a, b)
	}
}

func TestISN_ExportedMatchesListener(t *testing.T) {
	key := [16]byte{9}
	if ISN(key, srvAddr, cliAddr, t0) != uint32(isnFor(&key, srvAddr, cliAddr, t0)) {
		t.Fatal("ISN differs from the listener's")
	}
	other := [16]byte{8}
	if ISN(key, srvAddr, cliAddr, t0) == ISN(other, srvAddr, cliAddr, t0) {
		t.Fatal("ISN ignores the secret")
	}
}
