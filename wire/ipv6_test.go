package wire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// v6hex decodes hex with spaces, newlines and '|' separators ignored.
func v6hex(t testing.TB, s string) []byte {
	t.Helper()
	s = strings.NewReplacer(" ", "", "\n", "", "\t", "", "|", "").Replace(s)
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

var (
	v6Src = netip.MustParseAddr("2001:db8::1")
	v6Dst = netip.MustParseAddr("2001:db8::2")
)

// v6AddrHex is 2001:db8::1 and 2001:db8::2 as the 32 bytes of a header.
const v6AddrHex = "20010db8000000000000000000000001 20010db8000000000000000000000002"

func TestParseIPv6_RFC8200Sec3(t *testing.T) {
	// RFC 8200 §3: version 6, traffic class 0xe1, flow label 0xfffff,
	// payload length 8, next header 58, hop limit 64.
	b := v6hex(t, "6e1fffff 0008 3a 40"+v6AddrHex+"0102030405060708 aabb")
	p, err := ParseIPv6(b)
	if err != nil {
		t.Fatal(err)
	}
	if p.Version() != 6 || p.TrafficClass() != 0xe1 || p.FlowLabel() != 0xfffff ||
		p.PayloadLen() != 8 || p.NextHeader() != IPv6ICMP || p.HopLimit() != 64 {
		t.Errorf("fields: v%d tc %#x fl %#x len %d nh %d hl %d", p.Version(), p.TrafficClass(),
			p.FlowLabel(), p.PayloadLen(), p.NextHeader(), p.HopLimit())
	}
	if p.Src() != v6Src || p.Dst() != v6Dst {
		t.Errorf("addresses %v > %v", p.Src(), p.Dst())
	}
	// The two bytes after the payload (link padding) are not part of the view.
	if !bytes.Equal(p.Payload(), v6hex(t, "0102030405060708")) || len(p) != 48 {
		t.Errorf("payload %x, view length %d", p.Payload(), len(p))
	}
	f := p.Fields()
	out := make([]byte, f.Len())
	if n, err := f.Encode(out); err != nil || n != 40 || !bytes.Equal(out, b[:40]) {
		t.Errorf("Encode(Fields()) = %d, %v, %x; want %x", n, err, out, b[:40])
	}
}

func TestParseIPv6_Errors(t *testing.T) {
	good := "60000000 0000 3b 40" + v6AddrHex
	for _, tc := range []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", ErrTruncated},
		{"39 bytes", good[:len(good)-2], ErrTruncated},
		// RFC 8200 §3: Version = 6.
		{"version 4", "40000000 0000 3b 40" + v6AddrHex, ErrBadVersion},
		// RFC 8200 §3: Payload Length counts the octets after the header.
		{"payload past end", "60000000 0001 3b 40" + v6AddrHex, ErrBadLength},
	} {
		_, err := ParseIPv6(v6hex(t, tc.in))
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := ParseIPv6(v6hex(t, good)); err != nil {
		t.Errorf("empty payload: %v", err)
	}
}

func TestIPv6Fields_EncodeErrors(t *testing.T) {
	b := make([]byte, 40)
	for _, f := range []IPv6Fields{
		{FlowLabel: 0x100000, Src: v6Src, Dst: v6Dst},
		{Src: netip.MustParseAddr("10.0.0.1"), Dst: v6Dst},
		{Src: v6Src},
	} {
		if _, err := f.Encode(b); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%+v: err %v, want ErrUnsupported", f, err)
		}
	}
	f := IPv6Fields{Src: v6Src, Dst: v6Dst}
	if _, err := f.Encode(b[:39]); !errors.Is(err, ErrTruncated) {
		t.Errorf("short buffer: err %v", err)
	}
}

// v6Packet wraps payload in an IPv6 header with next header nh.
func v6Packet(t testing.TB, nh uint8, payload []byte) IPv6 {
	t.Helper()
	f := IPv6Fields{PayloadLen: uint16(len(payload)), NextHeader: nh, HopLimit: 64, Src: v6Src, Dst: v6Dst}
	b := make([]byte, 40+len(payload))
	if _, err := f.Encode(b); err != nil {
		t.Fatal(err)
	}
	copy(b[40:], payload)
	p, err := ParseIPv6(b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestIPv6ExtChain_RFC8200Sec4_1(t *testing.T) {
	// RFC 8200 §4.1: IPv6 header, Hop-by-Hop Options, Routing, Fragment,
	// Destination Options, upper-layer header.
	payload := v6hex(t, ""+
		"2b 00 05020000 0100"+ // HBH, next Routing: Router Alert 0 + PadN(0)
		"2c 04 00 01 00000000"+v6AddrHex+ // Routing type 0, 1 segment left, 40 bytes
		"3c 00 05c9 12345678"+ // Fragment, next DestOpts: offset 185, M, id
		"06 00 c9 02 abcd 0000"+ // DestOpts, next TCP: option 0xc9 len 2, Pad1 Pad1
		"deadbeef")
	p := v6Packet(t, IPv6HopByHop, payload)
	type hdr struct {
		typ uint8
		off int
		n   int
	}
	want := []hdr{{0, 40, 8}, {43, 48, 40}, {44, 88, 8}, {60, 96, 8}}
	var got []hdr
	it := p.ExtHeaders()
	for it.Next() {
		h := it.Header()
		got = append(got, hdr{h.Type, h.Offset, len(h.Bytes)})
	}
	if it.Err() != nil {
		t.Fatal(it.Err())
	}
	if len(got) != len(want) {
		t.Fatalf("headers %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("header %d: %v, want %v", i, got[i], want[i])
		}
	}
	proto, off, err := p.UpperLayer()
	if err != nil || proto != 6 || off != 104 || !bytes.Equal(p[off:], v6hex(t, "deadbeef")) {
		t.Errorf("UpperLayer = %d, %d, %v", proto, off, err)
	}
}

func TestIPv6ExtChain_Stops(t *testing.T) {
	for _, tc := range []struct {
		name      string
		nh        uint8
		payload   string
		wantProto uint8
		wantOff   int
	}{
		{"no ext headers", 17, "0000", 17, 40},
		// RFC 8200 §4.7: 59 ends the chain; octets after it are ignored.
		{"no next header", 60, "3b00 0104 00000000 ffff", 59, 48},
		// RFC 4303: what follows ESP is encrypted; the walk stops at it.
		{"esp", 50, "0000000100000001", 50, 40},
		// RFC 4302 §2.2: AH Payload Len is in 4-octet units minus 2: 4 -> 24 bytes.
		{"ah", 51, "3a04 0000 00000001 00000001 000000000000000000000000 8000", 58, 64},
		{"fragment", 44, "11 00 0000 00000001 0000", 17, 48},
	} {
		p := v6Packet(t, tc.nh, v6hex(t, tc.payload))
		proto, off, err := p.UpperLayer()
		if err != nil || proto != tc.wantProto || off != tc.wantOff {
			t.Errorf("%s: UpperLayer = %d, %d, %v; want %d, %d", tc.name, proto, off, err, tc.wantProto, tc.wantOff)
		}
	}
}

func TestIPv6ExtChain_Malformed(t *testing.T) {
	for _, tc := range []struct {
		name    string
		nh      uint8
		payload string
		want    error
	}{
		{"header shorter than 8", 60, "3a00 0000", ErrTruncated},
		{"length past end", 60, "3a01 01040000 0000", ErrTruncated},
		{"second header past end", 60, "2b00 01040000 0000 3a00", ErrTruncated},
		{"fragment truncated", 44, "3a00 0000", ErrTruncated},
		{"ah past end", 51, "3a04 0000 00000001", ErrTruncated},
		// RFC 8200 §4.3: Hop-by-Hop must immediately follow the IPv6 header.
		{"hop-by-hop not first", 60, "00 00 01040000 0000 3a00 01040000 0000", ErrBadOption},
	} {
		p := v6Packet(t, tc.nh, v6hex(t, tc.payload))
		if _, _, err := p.UpperLayer(); !errors.Is(err, tc.want) {
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestIPv6Options_RFC8200Sec4_2(t *testing.T) {
	// RFC 8200 §4.2: Pad1, PadN, then RFC 2711 §2.1 Router Alert (value 0,
	// MLD), then an unknown option 0x3e with 3 bytes; 2+1+3+4+5 = 15, Pad1.
	b := v6hex(t, "3a01 00 010100 05020000 3e03aabbcc 00")
	h, err := ParseIPv6Options(b)
	if err != nil {
		t.Fatal(err)
	}
	if h.NextHeader() != 58 || h.Len() != 16 {
		t.Errorf("next %d len %d", h.NextHeader(), h.Len())
	}
	var opts []IPv6Option
	it := h.Options()
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		opts = append(opts, o)
	}
	wantTypes := []IPv6OptionType{IPv6OptPad1, IPv6OptPadN, IPv6OptRouterAlert, 0x3e, IPv6OptPad1}
	if len(opts) != len(wantTypes) {
		t.Fatalf("options %v", opts)
	}
	for i, w := range wantTypes {
		if opts[i].Type != w {
			t.Errorf("option %d type %v, want %v", i, opts[i].Type, w)
		}
	}
	if v, ok := opts[2].RouterAlert(); !ok || v != 0 {
		t.Errorf("RouterAlert = %d, %v", v, ok)
	}
	if !bytes.Equal(opts[3].Data, v6hex(t, "aabbcc")) || opts[3].Type.Action() != 0 || !opts[3].Type.MayChange() {
		t.Errorf("unknown option %v %x", opts[3].Type, opts[3].Data)
	}
	// Re-encoding the parsed options reproduces the header exactly.
	f := IPv6OptionsFields{NextHeader: h.NextHeader(), Options: opts}
	out := make([]byte, f.Len())
	if n, err := f.Encode(out); err != nil || n != 16 || !bytes.Equal(out, b) {
		t.Errorf("Encode = %d, %v, %x; want %x", n, err, out, b)
	}
	if IPv6OptJumbo.Action() != 3 || IPv6OptJumbo.String() != "jumbo" || IPv6OptionType(0x3e).String() != "opt-62" {
		t.Errorf("jumbo action %d, names %v %v", IPv6OptJumbo.Action(), IPv6OptJumbo, IPv6OptionType(0x3e))
	}
}

func TestIPv6Options_Padding(t *testing.T) {
	// RFC 2711 §2.1 Router Alert alone: 2 + 4 = 6 bytes, padded with PadN(0).
	f := IPv6OptionsFields{NextHeader: 58, Options: []IPv6Option{{Type: IPv6OptRouterAlert, Data: []byte{0, 0}}}}
	out := make([]byte, f.Len())
	if n, err := f.Encode(out); err != nil || n != 8 || !bytes.Equal(out, v6hex(t, "3a00 05020000 0100")) {
		t.Errorf("router alert: %d, %v, %x", n, err, out)
	}
	// 2 + 5 = 7 bytes: one Pad1.
	f.Options = []IPv6Option{{Type: 0x1e, Data: []byte{1, 2, 3}}}
	out = make([]byte, f.Len())
	if n, err := f.Encode(out); err != nil || n != 8 || !bytes.Equal(out, v6hex(t, "3a00 1e03010203 00")) {
		t.Errorf("pad1: %d, %v, %x", n, err, out)
	}
	// No options: PadN of 4 zero bytes.
	f.Options = nil
	out = bytes.Repeat([]byte{0xff}, 8)
	if n, err := f.Encode(out); err != nil || n != 8 || !bytes.Equal(out, v6hex(t, "3a00 0104 00000000")) {
		t.Errorf("empty: %d, %v, %x", n, err, out)
	}
	if _, err := f.Encode(out[:7]); !errors.Is(err, ErrTruncated) {
		t.Errorf("short buffer: %v", err)
	}
}

func TestParseIPv6Options_Errors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want error
	}{
		{"3a00 0000", ErrTruncated},
		{"3a01 0104 00000000", ErrTruncated},
		{"3a00 0105 00000000", ErrBadOption}, // PadN of 5 overruns the 8-byte header
		{"3a00 000000000001", ErrBadOption},  // a type byte with no length byte
	} {
		if _, err := ParseIPv6Options(v6hex(t, tc.in)); !errors.Is(err, tc.want) {
			t.Errorf("%s: err %v, want %v", tc.in, err, tc.want)
		}
	}
}

func TestIPv6Routing_RFC8200Sec4_4(t *testing.T) {
	b := v6hex(t, "06 04 00 01 00000000"+v6AddrHex)
	h, err := ParseIPv6Routing(b)
	if err != nil {
		t.Fatal(err)
	}
	if h.NextHeader() != 6 || h.Len() != 24+16 || h.RoutingType() != 0 || h.SegmentsLeft() != 1 || len(h.Data()) != 36 {
		t.Errorf("routing: nh %d len %d type %d left %d data %d", h.NextHeader(), h.Len(), h.RoutingType(), h.SegmentsLeft(), len(h.Data()))
	}
	f := IPv6RoutingFields{NextHeader: 6, RoutingType: 0, SegmentsLeft: 1, Data: h.Data()}
	out := make([]byte, f.Len())
	if n, err := f.Encode(out); err != nil || n != 40 || !bytes.Equal(out, b) {
		t.Errorf("Encode = %d, %v", n, err)
	}
	f.Data = f.Data[:5]
	if _, err := f.Encode(out); !errors.Is(err, ErrBadLength) {
		t.Errorf("unaligned data: %v", err)
	}
	if _, err := ParseIPv6Routing(b[:39]); !errors.Is(err, ErrTruncated) {
		t.Errorf("short: %v", err)
	}
}

func TestIPv6Fragment_RFC8200Sec4_5(t *testing.T) {
	// Offset 185 (1480 bytes), M set, identification 0x12345678.
	b := v6hex(t, "11 00 05c9 12345678")
	h, err := ParseIPv6Fragment(b)
	if err != nil {
		t.Fatal(err)
	}
	if h.NextHeader() != 17 || h.FragmentOffset() != 185 || h.Offset() != 1480 || !h.MoreFragments() || h.Identification() != 0x12345678 {
		t.Errorf("fragment: %d %d %v %#x", h.NextHeader(), h.Offset(), h.MoreFragments(), h.Identification())
	}
	f := IPv6FragmentFields{NextHeader: 17, FragmentOffset: 185, More: true, Identification: 0x12345678}
	out := make([]byte, 8)
	if n, err := f.Encode(out); err != nil || n != 8 || !bytes.Equal(out, b) {
		t.Errorf("Encode = %d, %v, %x", n, err, out)
	}
	f.FragmentOffset = 0x2000
	if _, err := f.Encode(out); !errors.Is(err, ErrBadLength) {
		t.Errorf("offset overflow: %v", err)
	}
}

func TestIPv6Ext_TypedViews(t *testing.T) {
	p := v6Packet(t, IPv6HopByHop, v6hex(t, "2c00 05020000 0100 3a00 0000 00000001 80000000"))
	it := p.ExtHeaders()
	if !it.Next() {
		t.Fatal(it.Err())
	}
	if o, err := it.Header().Options(); err != nil || o.NextHeader() != 44 {
		t.Errorf("Options = %v, %v", o, err)
	}
	if _, err := it.Header().Fragment(); !errors.Is(err, ErrUnsupported) {
		t.Errorf("hop-by-hop as fragment: %v", err)
	}
	if !it.Next() {
		t.Fatal(it.Err())
	}
	if f, err := it.Header().Fragment(); err != nil || f.Identification() != 1 {
		t.Errorf("Fragment = %v, %v", f, err)
	}
	if _, err := it.Header().Routing(); !errors.Is(err, ErrUnsupported) {
		t.Errorf("fragment as routing: %v", err)
	}
	if it.Next() {
		t.Errorf("third header %v", it.Header())
	}
}

func TestIPv6_ParseAllocs(t *testing.T) {
	b := v6Packet(t, IPv6HopByHop, v6hex(t, "2c00 05020000 0100 3a00 0000 00000001 80000000"))
	var sink int
	allocs := testing.AllocsPerRun(100, func() {
		p, err := ParseIPv6(b)
		if err != nil {
			panic(err)
		}
		it := p.ExtHeaders()
		for it.Next() {
			if h := it.Header(); h.Type == IPv6HopByHop {
				o, err := h.Options()
				if err != nil {
					panic(err)
				}
				oi := o.Options()
				for opt, ok := oi.Next(); ok; opt, ok = oi.Next() {
					sink += len(opt.Data)
				}
			}
		}
		proto, off, err := p.UpperLayer()
		if err != nil {
			panic(err)
		}
		sink += int(proto) + off + int(p.FlowLabel()) + len(p.Payload())
	})
	if allocs != 0 {
		t.Errorf("ParseIPv6 + walk: %v allocs, want 0", allocs)
	}
	_ = sink
}

func BenchmarkIPv6_ParseAndWalk(b *testing.B) {
	pkt := v6Packet(b, IPv6HopByHop, v6hex(b, "2c00 05020000 0100 3a00 0000 00000001 80000000"))
	b.ReportAllocs()
	for b.Loop() {
		p, err := ParseIPv6(pkt)
		if err != nil {
			b.Fatal(err)
		}
		if proto, _, err := p.UpperLayer(); err != nil || proto != IPv6ICMP {
			b.Fatal(proto, err)
		}
	}
}
