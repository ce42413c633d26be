package tcp

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"sockstack/seqnum"
	"sockstack/wire"
)

var (
	t0      = time.Unix(1_700_000_000, 0)
	cliAddr = netip.MustParseAddrPort("10.0.0.1:40000")
	srvAddr = netip.MustParseAddrPort("10.0.0.2:80")
)

const (
	cliISS = 1000
	srvISS = 5000
)

// view encodes s and parses it back as a received segment.
func view(t testing.TB, s Segment) wire.TCP {
	t.Helper()
	b := make([]byte, s.HeaderLen()+len(s.Payload))
	n, err := s.Encode(b)
	if err != nil {
		t.Fatalf("encode %v: %v", &s, err)
	}
	v, err := wire.ParseTCP(b[:n])
	if err != nil {
		t.Fatalf("parse %v: %v", &s, err)
	}
	return v
}

// out runs Output and returns copies of the segments emitted.
func out(c *Conn, now time.Time) []Segment {
	var segs []Segment
	c.Output(now, func(s Segment) {
		s.Payload = append([]byte(nil), s.Payload...)
		segs = append(segs, s)
	})
	return segs
}

// one runs Output and requires exactly one segment.
func one(t testing.TB, c *Conn, now time.Time) Segment {
	t.Helper()
	segs := out(c, now)
	if len(segs) != 1 {
		t.Fatalf("Output emitted %d segments, want 1: %v", len(segs), fmtSegs(segs))
	}
	return segs[0]
}

// none runs Output and requires no segment.
func none(t testing.TB, c *Conn, now time.Time) {
	t.Helper()
	if segs := out(c, now); len(segs) != 0 {
		t.Fatalf("Output emitted %v, want nothing", fmtSegs(segs))
	}
}

// peerSeg is a segment from the server side to the client under test.
func peerSeg(flags wire.TCPFlags, seq, ack uint32, wnd uint16, data string) Segment {
	return Segment{SrcPort: srvAddr.Port(), DstPort: cliAddr.Port(), Seq: seqnum.Value(seq),
		Ack: seqnum.Value(ack), Flags: flags, Window: wnd, Payload: []byte(data)}
}

const (
	fSYN = wire.TCPFlagSYN
	fACK = wire.TCPFlagACK
	fRST = wire.TCPFlagRST
	fFIN = wire.TCPFlagFIN
	fPSH = wire.TCPFlagPSH
)

// baseCfg is a plain config: no options offered, NoDelay so small writes
// go out at once.
func baseCfg(iss uint32) Config {
	return Config{ISS: iss, MSS: 1000, NoDelay: true}
}

// established returns a client Conn in ESTABLISHED with the server at
// seq srvISS+1 and a window of wnd.
func established(t testing.TB, cfg Config, wnd uint16) *Conn {
	t.Helper()
	c := Dial(cfg, cliAddr, srvAddr, t0)
	syn := one(t, c, t0)
	if syn.Flags != fSYN {
		t.Fatalf("first segment %v, want SYN", &syn)
	}
	sa := peerSeg(fSYN|fACK, srvISS, cfg.ISS+1, wnd, "")
	sa.Options.HasMSS, sa.Options.MSS = true, 1000
	c.Input(t0, view(t, sa))
	ack := one(t, c, t0)
	if ack.Flags != fACK || ack.Ack != srvISS+1 || c.State() != Established {
		t.Fatalf("after SYN-ACK: sent %v, state %v", &ack, c.State())
	}
	return c
}

func wantState(t testing.TB, c *Conn, s State) {
	t.Helper()
	if c.State() != s {
		t.Fatalf("state %v, want %v", c.State(), s)
	}
}

func wantSeg(t testing.TB, s Segment, flags wire.TCPFlags, seq, ack uint32, n int) {
	t.Helper()
	if s.Flags&^fPSH != flags || uint32(s.Seq) != seq || (flags.Has(fACK) && uint32(s.Ack) != ack) || len(s.Payload) != n {
		t.Fatalf("segment %v, want flags %v seq %d ack %d len %d", &s, flags, seq, ack, n)
	}
}

type netipAddrPort = netip.AddrPort

func netipPort(a netip.AddrPort, port uint16) netip.AddrPort {
	return netip.AddrPortFrom(a.Addr(), port)
}

// fmtSegs formats segments one per line, tcpdump style.
func fmtSegs(segs []Segment) string {
	var b strings.Builder
	for i := range segs {
		b.WriteString("\n\t")
		b.WriteString(segs[i].String())
	}
	return b.String()
}
