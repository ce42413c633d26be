package wire

import (
	"bytes"
	"errors"
	"net/netip"
	"reflect"
	"testing"
)

// ipv4Sample is an RFC 791 §3.1 header: version 4, IHL 6 (one option word:
// Router Alert), TOS 0x10, total length 28, id 0x1234, DF, TTL 64, UDP,
// 192.0.2.1 > 198.51.100.2, followed by 4 payload bytes and 2 bytes of link
// padding.
func ipv4Sample(t testing.TB) []byte {
	t.Helper()
	f := IPv4Fields{
		TOS: 0x10, ID: 0x1234, Flags: IPv4FlagDF, TTL: 64, Protocol: UDPProtocolNumber,
		Src: netip.MustParseAddr("192.0.2.1"), Dst: netip.MustParseAddr("198.51.100.2"),
		Options: AppendIPv4RouterAlert(nil, 0), PayloadLen: 4,
	}
	b := make([]byte, 30)
	n, err := f.Encode(b)
	if err != nil || n != 24 {
		t.Fatalf("Encode = %d, %v", n, err)
	}
	copy(b[n:], "data")
	return b
}

func TestIPv4Layout(t *testing.T) {
	b := ipv4Sample(t)
	// RFC 791 §3.1 field positions.
	want := []byte{0x46, 0x10, 0, 28, 0x12, 0x34, 0x40, 0x00, 64, 17}
	if !bytes.Equal(b[:10], want) {
		t.Fatalf("header % x, want % x", b[:10], want)
	}
	if !bytes.Equal(b[12:24], []byte{192, 0, 2, 1, 198, 51, 100, 2, 148, 4, 0, 0}) {
		t.Fatalf("addresses/options % x", b[12:24])
	}
	p, err := ParseIPv4(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(p) != 28 || p.Version() != 4 || p.HeaderLen() != 24 || p.TOS() != 0x10 || p.TotalLen() != 28 ||
		p.ID() != 0x1234 || p.Flags() != IPv4FlagDF || p.FragOffset() != 0 || p.IsFragment() ||
		p.TTL() != 64 || p.Protocol() != 17 || string(p.Payload()) != "data" || len(p.Options()) != 4 {
		t.Fatalf("parsed %v", p)
	}
	if !p.ChecksumValid() || Checksum(b[:24], 0) != 0 {
		t.Fatalf("checksum %#04x does not verify", p.Checksum())
	}
	if s := p.String(); s != "192.0.2.1 > 198.51.100.2 proto 17 ttl 64 id 4660 len 28 DF optlen 4" {
		t.Errorf("String = %q", s)
	}
}

func TestIPv4ParseErrors(t *testing.T) {
	mod := func(f func(b []byte)) []byte { b := ipv4Sample(t); f(b); return b }
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"short", make([]byte, 19), ErrTruncated},
		{"version 6", mod(func(b []byte) { b[0] = 0x66 }), ErrBadVersion},
		{"IHL 4 (RFC 791 §3.1 minimum 5)", mod(func(b []byte) { b[0] = 0x44 }), ErrBadHeaderLength},
		{"IHL beyond total length", mod(func(b []byte) { b[0] = 0x4f }), ErrBadLength},
		{"total length beyond buffer", mod(func(b []byte) { b[3] = 31 }), ErrBadLength},
		{"total length below header", mod(func(b []byte) { b[3] = 20 }), ErrBadLength},
	}
	for _, tc := range tests {
		if _, err := ParseIPv4(tc.b); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestIPv4Fragment(t *testing.T) {
	// RFC 791 §3.2: MF set, offset in 8-octet units.
	f := IPv4Fields{Flags: IPv4FlagMF, FragOffset: 185, TTL: 1, Protocol: 1,
		Src: netip.MustParseAddr("10.0.0.1"), Dst: netip.MustParseAddr("10.0.0.2")}
	b := make([]byte, 20)
	if _, err := f.Encode(b); err != nil {
		t.Fatal(err)
	}
	if b[6] != 0x20 || b[7] != 185 {
		t.Fatalf("flags/offset bytes % x", b[6:8])
	}
	p, err := ParseIPv4(b)
	if err != nil || !p.IsFragment() || p.Flags() != IPv4FlagMF || p.FragOffset() != 185 {
		t.Fatalf("%v %v", p, err)
	}
	if s := (IPv4FlagReserved | IPv4FlagDF | IPv4FlagMF).String(); s != "RF|DF|MF" {
		t.Errorf("flags String %q", s)
	}
	bad := f
	bad.FragOffset = 0x2000
	if _, err := bad.Encode(b); !errors.Is(err, ErrBadLength) {
		t.Errorf("offset overflow: %v", err)
	}
	bad = f
	bad.Options = make([]byte, 41)
	if _, err := bad.Encode(make([]byte, 80)); !errors.Is(err, ErrBadOption) {
		t.Errorf("41 option bytes: %v", err)
	}
}

func TestIPv4IncrementalUpdates(t *testing.T) {
	for ttl := 0; ttl < 256; ttl++ {
		b := ipv4Sample(t)
		b[8] = byte(ttl)
		p, _ := ParseIPv4(b)
		h := p[:p.HeaderLen()]
		binary16(h[10:], 0)
		binary16(h[10:], Checksum(h, 0))
		got := p.DecTTL()
		wantTTL := max(ttl-1, 0)
		if int(got) != wantTTL || int(p.TTL()) != wantTTL {
			t.Fatalf("DecTTL from %d = %d", ttl, got)
		}
		if !p.ChecksumValid() {
			t.Fatalf("TTL %d: checksum invalid after DecTTL", ttl)
		}
		c := p.Checksum()
		binary16(h[10:], 0)
		if want := Checksum(h, 0); c != want {
			t.Fatalf("TTL %d: incremental %#04x, recomputed %#04x", ttl, c, want)
		}
		binary16(h[10:], c)
	}
	p, _ := ParseIPv4(ipv4Sample(t))
	p.SetSrc(netip.MustParseAddr("203.0.113.77"))
	p.SetDst(netip.MustParseAddr("255.255.255.255"))
	if !p.ChecksumValid() || p.Src() != netip.MustParseAddr("203.0.113.77") || p.Dst() != netip.MustParseAddr("255.255.255.255") {
		t.Fatalf("after SetSrc/SetDst: %v valid %t", p, p.ChecksumValid())
	}
}

func binary16(b []byte, v uint16) { b[0], b[1] = byte(v>>8), byte(v) }

func TestIPv4Allocs(t *testing.T) {
	b := ipv4Sample(t)
	n := testing.AllocsPerRun(100, func() {
		p, err := ParseIPv4(b)
		if err != nil || !p.Dst().IsValid() || len(p.Payload()) != 4 {
			t.Fatal("bad parse")
		}
		it := p.Options().Iter()
		for o, ok := it.Next(); ok; o, ok = it.Next() {
			if o.Type != IPv4OptRouterAlert || o.RouterAlert() != 0 {
				t.Fatal("bad option")
			}
		}
		if it.Err() != nil {
			t.Fatal(it.Err())
		}
	})
	if n != 0 {
		t.Fatalf("ParseIPv4 + option iteration allocate %v times", n)
	}
}

func BenchmarkParseEthIPv4(b *testing.B) {
	frame := make([]byte, 14+28)
	ef := EthernetFields{Dst: MAC{2, 0, 0, 0, 0, 1}, Src: MAC{2, 0, 0, 0, 0, 2}, EtherType: EtherTypeIPv4}
	if _, err := ef.Encode(frame); err != nil {
		b.Fatal(err)
	}
	copy(frame[14:], ipv4Sample(b))
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		e, err := ParseEthernet(frame)
		if err != nil || e.EtherType() != EtherTypeIPv4 {
			b.Fatal(err)
		}
		p, err := ParseIPv4(e.Payload())
		if err != nil || p.Protocol() != UDPProtocolNumber || !p.ChecksumValid() {
			b.Fatal(err)
		}
	}
}

// ipv4RoundTrip rebuilds p from its fields and checks the result parses to
// the same fields and bytes (checksum recomputed).
func ipv4RoundTrip(t *testing.T, p IPv4) {
	t.Helper()
	f := p.Fields()
	out := make([]byte, len(p))
	n, err := f.Encode(out)
	if err != nil {
		t.Fatalf("Encode(%+v): %v", f, err)
	}
	copy(out[n:], p.Payload())
	q, err := ParseIPv4(out)
	if err != nil {
		t.Fatalf("reparse: %v", err)
	}
	if !reflect.DeepEqual(q.Fields(), f) || !q.ChecksumValid() {
		t.Fatalf("round trip %v, want %v", q, p)
	}
	copy(out[10:12], p[10:12]) // the original checksum may be wrong
	if !bytes.Equal(out, p) {
		t.Fatalf("round trip bytes % x, want % x", out, []byte(p))
	}
}

func FuzzIPv4(f *testing.F) {
	f.Add(ipv4Sample(f))
	f.Add([]byte{0x45, 0, 0, 20, 0, 0, 0x3f, 0xff, 1, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2})
	f.Add([]byte{0x4f, 0, 0, 60, 0, 0, 0, 0, 1, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
		7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x44, 12, 5, 0x01, 1, 2, 3, 4, 0, 0, 0, 0, 1, 0, 0x83, 3, 4, 0x82, 3, 0xab, 0x94, 4, 0, 0, 0x99, 2, 1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseIPv4(b)
		if err != nil {
			return
		}
		_ = p.String()
		it := p.Options().Iter()
		var rebuilt []byte
		for o, ok := it.Next(); ok; o, ok = it.Next() {
			_ = o.String()
			if rebuilt, err = AppendIPv4Option(rebuilt, o.Type, o.Data); err != nil {
				t.Fatalf("AppendIPv4Option(%v): %v", o, err)
			}
		}
		if it.Err() == nil && !bytes.Equal(rebuilt, p.Options()[:len(rebuilt)]) {
			t.Fatalf("options rebuilt % x from % x", rebuilt, []byte(p.Options()))
		}
		ipv4RoundTrip(t, p)
	})
}
