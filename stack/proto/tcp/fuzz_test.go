package tcp

import (
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/seqnum"
	"sockstack/wire"
)

// fuzzConn returns a client Conn in a state chosen by sel.
func fuzzConn(t *testing.T, sel byte) *Conn {
	cfg := fullCfg(cliISS)
	cfg.SndBuf, cfg.RcvBuf = 8192, 8192
	c := Dial(cfg, cliAddr, srvAddr, t0)
	out(c, t0)
	if sel%5 == 0 {
		return c // SYN-SENT
	}
	sa := peerSeg(fSYN|fACK, srvISS, c1, 4000, "")
	sa.Options = wire.TCPOptions{HasMSS: true, MSS: 500, SACKPermitted: true, HasWindowScale: true, WindowScale: 2,
		HasTimestamps: true, TSVal: 100, TSEcr: uint32(t0.UnixMilli())}
	c.Input(t0, view(t, sa))
	c.Write(make([]byte, 3000))
	out(c, t0)
	switch sel % 5 {
	case 2:
		c.Close(t0)
	case 3:
		c.Input(t0, view(t, peerSeg(fACK|fFIN, s1, c1, 4000, "")))
	case 4:
		c.Shutdown(unix.SHUT_WR)
	}
	out(c, t0)
	return c
}

// fuzzSegment builds a raw segment from b; seq and ack are made relative
// to the connection's RCV.NXT and SND.UNA when ctrl asks, so the fuzzer
// reaches past the acceptability test.
func fuzzSegment(b []byte, ctrl byte, rcvNxt, sndUna seqnum.Value) ([]byte, []byte) {
	if len(b) < 8 {
		return nil, nil
	}
	seq := uint32(binary.BigEndian.Uint16(b[0:]))
	ack := uint32(binary.BigEndian.Uint16(b[2:]))
	if ctrl&1 != 0 {
		seq = uint32(rcvNxt) + uint32(int16(seq))
	}
	if ctrl&2 != 0 {
		ack = uint32(sndUna) + uint32(int16(ack))
	}
	flags, wnd, optLen, payLen := b[4], binary.BigEndian.Uint16(b[5:]), int(b[7]%41), 0
	b = b[8:]
	optLen = min(optLen, len(b))
	opts := b[:optLen]
	b = b[optLen:]
	if len(b) > 0 {
		payLen = min(int(b[0]), len(b)-1)
		b = b[1:]
	}
	pad := (optLen + 3) / 4 * 4
	raw := make([]byte, 20+pad+payLen)
	binary.BigEndian.PutUint16(raw[0:], srvAddr.Port())
	binary.BigEndian.PutUint16(raw[2:], cliAddr.Port())
	binary.BigEndian.PutUint32(raw[4:], seq)
	binary.BigEndian.PutUint32(raw[8:], ack)
	raw[12] = byte((20+pad)/4) << 4
	raw[13] = flags
	binary.BigEndian.PutUint16(raw[14:], wnd)
	copy(raw[20:], opts)
	copy(raw[20+pad:], b[:payLen])
	return raw, b[payLen:]
}

func checkInvariants(t *testing.T, c *Conn) {
	t.Helper()
	if c.snd.nxt.LessThan(c.snd.una) || c.snd.max.LessThan(c.snd.nxt) {
		t.Fatalf("SND.UNA %d SND.NXT %d max %d out of order", c.snd.una, c.snd.nxt, c.snd.max)
	}
	if c.sndBuf.n > c.sndBuf.max || c.rcvBuf.n > c.rcvBuf.max || c.rcvBuf.n < 0 {
		t.Fatalf("buffers over their size: snd %d/%d rcv %d/%d", c.sndBuf.n, c.sndBuf.max, c.rcvBuf.n, c.rcvBuf.max)
	}
	for i := 1; i < c.ooo.len(); i++ {
		if !c.ooo.s[i-1].end.LessThan(c.ooo.s[i].start) {
			t.Fatalf("out-of-order ranges overlap: %v", c.ooo.s[:c.ooo.len()])
		}
	}
}

func FuzzConnInput(f *testing.F) {
	f.Add([]byte{1, 3, 0, 0, 0, 0, 0x10, 0x10, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'})
	f.Add([]byte{2, 3, 0, 0, 0, 10, 0x11, 0x10, 0, 0, 0})
	f.Add([]byte{0, 2, 0, 0, 0, 1, 0x14, 0, 0, 0})
	f.Add([]byte{3, 0x7f, 0, 5, 0, 0, 0x12, 0x20, 0, 12, 1, 1, 5, 10, 0, 0, 0x13, 0x89, 0, 0, 0x13, 0x8a, 0})
	f.Add([]byte{4, 0x47, 0xff, 0xf0, 0, 0, 0x10, 0, 0, 0, 0, 4, 'a', 'b', 'c', 'd'})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 1 {
			return
		}
		c := fuzzConn(t, data[0])
		wd := time.AfterFunc(3*time.Second, func() { panic(fmt.Sprintf("HANG %q", data)) })
		defer wd.Stop()
		now := t0
		rest := data[1:]
		buf := make([]byte, 1000)
		for len(rest) > 1 {
			ctrl := rest[0]
			var raw []byte
			raw, rest = fuzzSegment(rest[1:], ctrl, c.rcv.nxt, c.snd.una)
			if raw == nil {
				break
			}
			if seg, err := wire.ParseTCP(raw); err == nil {
				c.Input(now, seg)
			}
			if ctrl&4 != 0 && !c.Deadline().IsZero() {
				now = c.Deadline()
				c.Tick(now)
			}
			if ctrl&8 != 0 {
				c.Write(buf[:int(ctrl)*3])
			}
			if ctrl&16 != 0 {
				c.Read(buf, ctrl&32 != 0)
			}
			if ctrl&64 != 0 {
				c.ICMPError(unix.EMSGSIZE, 300+int(ctrl)*4)
			}
			if ctrl == 0xff {
				c.Close(now)
			}
			c.Output(now, func(s Segment) {
				b := make([]byte, s.HeaderLen()+len(s.Payload))
				if _, err := s.Encode(b); err != nil {
					t.Fatalf("emitted an unencodable segment %v: %v", &s, err)
				}
			})
			checkInvariants(t, c)
			c.Events()
			c.Info()
		}
	})
}

func FuzzListenerInput(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0x02, 0x10, 0, 4, 2, 4, 5, 0xb4, 0})
	f.Add([]byte{0, 0, 0, 0, 1, 0x10, 0x10, 0, 0, 3, 'a', 'b', 'c'})
	f.Add([]byte{0, 0, 0, 0, 0, 0x04, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		l := NewListener(listenCfg(), srvAddr, 2)
		now := t0
		var lastISS seqnum.Value
		for len(data) > 1 {
			ctrl := data[0]
			var raw []byte
			raw, data = fuzzSegment(data[1:], ctrl&^1, 0, lastISS+1)
			if raw == nil {
				break
			}
			seg, err := wire.ParseTCP(raw)
			if err != nil {
				continue
			}
			src := cliAddr
			if ctrl&8 != 0 {
				src = netipPort(cliAddr, uint16(ctrl))
			}
			reply, c := l.Input(now, srvAddr, src, seg, ctrl&16 == 0)
			if reply != nil && reply.Flags.Has(fSYN) {
				lastISS = reply.Seq
			}
			if c != nil {
				c.Output(now, func(Segment) {})
				checkInvariants(t, c)
			}
			if ctrl&4 != 0 && !l.Deadline().IsZero() {
				now = l.Deadline()
				l.Tick(now, func(_, _ netipAddrPort, _ Segment) {})
			}
			if l.HalfOpen() > 2 {
				t.Fatalf("SYN queue %d over its backlog", l.HalfOpen())
			}
		}
	})
}
