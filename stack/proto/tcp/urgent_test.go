package tcp

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/wire"
)

const fURG = wire.TCPFlagURG

// urgSeg is a data segment from the peer with URG and pointer up.
func urgSeg(seq uint32, data string, up uint16) Segment {
	s := peerSeg(fACK|fURG, seq, c1, 5000, data)
	s.Urgent = up
	return s
}

// readStr reads once into a buffer of n bytes.
func readStr(t *testing.T, c *Conn, n int) (string, error) {
	t.Helper()
	b := make([]byte, n)
	k, err := c.Read(b, false)
	return string(b[:k]), err
}

// wantOOB requires ReadUrgent to return byte b (MSG_OOB).
func wantOOB(t *testing.T, c *Conn, peek bool, b byte) {
	t.Helper()
	p := make([]byte, 4)
	n, flags, err := c.ReadUrgent(p, peek)
	if err != nil || n != 1 || p[0] != b || flags != unix.MSG_OOB {
		t.Fatalf("ReadUrgent = %d %q flags %#x %v, want %q MSG_OOB", n, p[:n], flags, err, b)
	}
}

// wantOOBErr requires ReadUrgent to fail with want.
func wantOOBErr(t *testing.T, c *Conn, want unix.Errno) {
	t.Helper()
	if n, _, err := c.ReadUrgent(make([]byte, 4), false); !errors.Is(err, want) {
		t.Fatalf("ReadUrgent = %d, %v; want %v", n, err, want)
	}
}

// RFC 9293 §3.10.4 SEND with urgent and RFC 6093: the pointer points past
// the last byte of the send; URG stops once SND.UNA passes it.
func TestUrgent_SendSetsPointerUntilAcked(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	c.Write([]byte("abc"))
	c.MarkUrgent()
	s := one(t, c, t0)
	if !s.Flags.Has(fURG) || s.Urgent != 3 || string(s.Payload) != "abc" {
		t.Fatalf("urgent send: %v, want URG with pointer 3", &s)
	}
	c.Write([]byte("de"))
	s = one(t, c, t0)
	if s.Flags.Has(fURG) {
		t.Fatalf("segment past SND.UP carries URG: %v", &s)
	}
	c.Input(t0, view(t, peerSeg(fACK, s1, c1+5, 5000, "")))
	if c.urg.sending {
		t.Fatal("urgent mode still on after the urgent byte was acknowledged")
	}
	c.Write([]byte("f"))
	if s = one(t, c, t0); s.Flags.Has(fURG) {
		t.Fatalf("URG after urgent mode ended: %v", &s)
	}
}

// RFC 9293 §3.8.5: urgent data is not held back by Nagle (Linux bypasses
// Nagle and TCP_CORK in urgent mode).
func TestUrgent_BypassesNagle(t *testing.T) {
	cfg := baseCfg(cliISS)
	cfg.NoDelay = false
	c := established(t, cfg, 5000)
	c.Write([]byte("a"))
	one(t, c, t0) // nothing in flight: it goes
	c.Write([]byte("b"))
	none(t, c, t0) // Nagle holds a small segment while "a" is unacknowledged
	c.Write([]byte("!"))
	c.MarkUrgent()
	s := one(t, c, t0)
	if string(s.Payload) != "b!" || !s.Flags.Has(fURG) || s.Urgent != 2 {
		t.Fatalf("urgent write held or wrong: %v %q", &s, s.Payload)
	}
}

// A pointer beyond the 16-bit field is sent as 0xffff while that points
// past everything sent (RFC 9293 §3.1's field limit; Linux's rule).
func TestUrgent_FarPointerCapped(t *testing.T) {
	cfg := baseCfg(cliISS)
	cfg.SndBuf = 200000
	c := established(t, cfg, 65535)
	c.Write(make([]byte, 100000))
	c.MarkUrgent()
	segs := out(c, t0)
	if len(segs) == 0 || !segs[0].Flags.Has(fURG) || segs[0].Urgent != 0xffff {
		t.Fatalf("first segment %v, want URG with pointer 0xffff", fmtSegs(segs[:1]))
	}
}

// tcp(7): "Linux ... supports only one byte of out-of-band data": the last
// byte of urgent data. A read stops at the mark; SIOCATMARK is then true;
// recv(MSG_OOB) returns the byte; the next read steps over it.
func TestUrgent_ReceiveOneOOBByte(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	wantOOBErr(t, c, unix.EINVAL)
	c.Input(t0, view(t, urgSeg(s1, "abcX", 4)))
	c.Input(t0, view(t, peerSeg(fACK, s1+4, c1, 5000, "def")))
	if ev := c.Events(); ev&unix.POLLPRI == 0 || ev&unix.POLLIN == 0 {
		t.Fatalf("events %#x, want POLLIN|POLLPRI", ev)
	}
	if n := c.Readable(); n != 3 {
		t.Fatalf("FIONREAD %d, want 3 (bytes before the mark)", n)
	}
	if n, ok := c.ToMark(); !ok || n != 3 {
		t.Fatalf("ToMark = %d %v, want 3 true", n, ok)
	}
	if got, _ := readStr(t, c, 100); got != "abc" {
		t.Fatalf("read %q, want abc (stop at the mark)", got)
	}
	if !c.AtMark() || c.Readable() != 0 {
		t.Fatalf("at mark %v FIONREAD %d, want true 0", c.AtMark(), c.Readable())
	}
	wantOOB(t, c, true, 'X') // MSG_PEEK leaves it
	wantOOB(t, c, false, 'X')
	wantOOBErr(t, c, unix.EINVAL) // already read
	if c.Events()&unix.POLLPRI != 0 || !c.AtMark() {
		t.Fatalf("after recv(MSG_OOB): events %#x at mark %v", c.Events(), c.AtMark())
	}
	if got, _ := readStr(t, c, 100); got != "def" {
		t.Fatalf("read %q, want def (the OOB byte skipped)", got)
	}
	if c.AtMark() {
		t.Fatal("still at the mark after reading past it")
	}
}

// Linux: reading past the mark before recv(MSG_OOB) loses the byte.
func TestUrgent_ReadPastMarkDropsByte(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	c.Input(t0, view(t, urgSeg(s1, "abQde", 3)))
	readStr(t, c, 100)
	// At the mark with only the OOB byte: POLLIN is not reported.
	c2 := established(t, baseCfg(cliISS), 5000)
	c2.Input(t0, view(t, urgSeg(s1, "Q", 1)))
	if ev := c2.Events(); ev&unix.POLLIN != 0 || ev&unix.POLLPRI == 0 {
		t.Fatalf("only the OOB byte: events %#x, want POLLPRI alone", ev)
	}
	if got, err := readStr(t, c2, 10); got != "" || !errors.Is(err, unix.EAGAIN) {
		t.Fatalf("read %q %v, want EAGAIN", got, err)
	}
	wantOOBErr(t, c2, unix.EINVAL)
	if got, _ := readStr(t, c, 100); got != "de" {
		t.Fatalf("read %q, want de", got)
	}
	wantOOBErr(t, c, unix.EINVAL)
}

// RFC 9293 §3.10.7.4 sixth: the pointer may arrive before the urgent
// byte; recv(MSG_OOB) says EAGAIN until it comes (recv(2): never blocks).
func TestUrgent_PointerBeforeByte(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	c.Input(t0, view(t, urgSeg(s1, "", 5)))
	wantOOBErr(t, c, unix.EAGAIN)
	if c.Events()&unix.POLLPRI != 0 {
		t.Fatal("POLLPRI before the urgent byte arrived")
	}
	c.Input(t0, view(t, peerSeg(fACK, s1+3, c1, 5000, "deZ"))) // out of order
	c.Input(t0, view(t, peerSeg(fACK, s1, c1, 5000, "abc")))
	wantOOB(t, c, false, 'e')
	if got, _ := readStr(t, c, 100); got != "abcd" {
		t.Fatalf("read %q, want abcd", got)
	}
	if got, _ := readStr(t, c, 100); got != "Z" {
		t.Fatalf("read %q, want Z", got)
	}
}

// Linux keeps one urgent byte: a newer pointer replaces the older one,
// whose byte is read inline.
func TestUrgent_NewerPointerReplaces(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	c.Input(t0, view(t, urgSeg(s1, "ab1", 3)))
	c.Input(t0, view(t, urgSeg(s1+3, "cd2", 3)))
	c.Input(t0, view(t, urgSeg(s1+6, "ef", 0xffff))) // newer still, far ahead
	if c.rcv.up != s1+6+0xffff {
		t.Fatalf("RCV.UP %d", c.rcv.up)
	}
	wantOOBErr(t, c, unix.EAGAIN) // announced far ahead, not yet here
	c2 := established(t, baseCfg(cliISS), 5000)
	c2.Input(t0, view(t, urgSeg(s1, "ab1", 3)))
	c2.Input(t0, view(t, urgSeg(s1+3, "cd2", 3)))
	c2.Input(t0, view(t, urgSeg(s1, "ab1", 3))) // a retransmission: old, ignored
	c2.Input(t0, view(t, peerSeg(fACK, s1+6, c1, 5000, "ef")))
	wantOOB(t, c2, true, '2')
	if got, _ := readStr(t, c2, 100); got != "ab1cd" {
		t.Fatalf("read %q, want ab1cd", got)
	}
	wantOOB(t, c2, false, '2')
	if got, _ := readStr(t, c2, 100); got != "ef" {
		t.Fatalf("read %q, want ef", got)
	}
}

// Linux: a new pointer while the reader stands at the old mark steps over
// the old out-of-band byte rather than reading it as data.
func TestUrgent_ReplacedAtMark(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	c.Input(t0, view(t, urgSeg(s1, "ab1", 3)))
	readStr(t, c, 100)
	wantOOB(t, c, false, '1')
	c.Input(t0, view(t, urgSeg(s1+3, "cd2", 3)))
	if got, _ := readStr(t, c, 100); got != "cd" {
		t.Fatalf("read %q, want cd", got)
	}
	wantOOB(t, c, false, '2')
}

// socket(7) SO_OOBINLINE: the urgent byte stays in the stream; reads still
// stop at the mark and recv(MSG_OOB) is EINVAL.
func TestUrgent_Inline(t *testing.T) {
	cfg := baseCfg(cliISS)
	cfg.OOBInline = true
	c := established(t, cfg, 5000)
	c.Input(t0, view(t, urgSeg(s1, "abX", 3)))
	c.Input(t0, view(t, peerSeg(fACK, s1+3, c1, 5000, "de")))
	wantOOBErr(t, c, unix.EINVAL)
	if c.Readable() != 5 || c.Events()&unix.POLLPRI == 0 {
		t.Fatalf("FIONREAD %d events %#x, want 5 with POLLPRI", c.Readable(), c.Events())
	}
	if got, _ := readStr(t, c, 100); got != "ab" || !c.AtMark() {
		t.Fatalf("read %q at mark %v, want ab at the mark", got, c.AtMark())
	}
	if got, _ := readStr(t, c, 100); got != "Xde" {
		t.Fatalf("read %q, want Xde", got)
	}
}

// MSG_PEEK at the mark peeks past the out-of-band byte without moving.
func TestUrgent_PeekAtMark(t *testing.T) {
	c := established(t, baseCfg(cliISS), 5000)
	c.Input(t0, view(t, urgSeg(s1, "aXb", 2)))
	b := make([]byte, 10)
	if n, _ := c.Read(b, true); string(b[:n]) != "a" {
		t.Fatalf("peek %q, want a", b[:n])
	}
	readStr(t, c, 1)
	if n, _ := c.Read(b, true); string(b[:n]) != "b" || !c.AtMark() {
		t.Fatalf("peek at mark %q (at mark %v), want b", b[:n], c.AtMark())
	}
	wantOOB(t, c, false, 'X')
}

// RFC 9293 §3.8.5/§3.10.7.4: with the peer's window closed, a probe at
// SND.UNA (acceptable, unlike the usual SND.UNA-1) carries the pointer.
func TestUrgent_ZeroWindowProbeCarriesPointer(t *testing.T) {
	c := established(t, baseCfg(cliISS), 0)
	c.Write([]byte("zz!"))
	c.MarkUrgent()
	none(t, c, t0)
	at := c.Deadline()
	c.Tick(at)
	segs := out(c, at)
	if len(segs) != 2 || segs[0].Seq != c1 || !segs[0].Flags.Has(fURG) || segs[0].Urgent != 3 || len(segs[0].Payload) != 0 {
		t.Fatalf("probes %v, want an urgent probe at %d then the usual one", fmtSegs(segs), c1)
	}
}

// Urgent data through a lossy, reordering pipe: the receiver gets the
// stream without the out-of-band byte, and the byte itself.
func TestHarness_UrgentThroughLoss(t *testing.T) {
	for seed := range uint64(6) {
		p := newPipe(t, fullCfg(cliISS), fullCfg(srvISS), seed)
		p.connect()
		p.loss, p.reorder = 0.1, 0.2
		src := pattern(30000, seed)
		w := 0
		for w < len(src) {
			n, _ := p.a.Write(src[w:])
			w += n
			p.a.Output(p.now, p.emitA)
			p.step()
		}
		p.a.MarkUrgent()
		p.a.Output(p.now, p.emitA)
		var got []byte
		var oob []byte
		b := make([]byte, 4096)
		for start := p.now; len(got) < len(src)-1; {
			if oob == nil {
				if n, _, err := p.b.ReadUrgent(b, false); err == nil && n == 1 {
					oob = []byte{b[0]}
				}
			}
			n, _ := p.b.Read(b, false)
			got = append(got, b[:n]...)
			p.b.Output(p.now, p.emitB)
			if n == 0 && (!p.step() || p.now.Sub(start) > time.Hour) {
				t.Fatalf("seed %d: stalled at %d", seed, len(got))
			}
		}
		if !bytes.Equal(got, src[:len(src)-1]) || !bytes.Equal(oob, src[len(src)-1:]) {
			t.Fatalf("seed %d: stream %d bytes equal %v, oob %q want %q", seed, len(got),
				bytes.Equal(got, src[:len(src)-1]), oob, src[len(src)-1:])
		}
	}
}
