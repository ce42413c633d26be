package wire

import (
	"bytes"
	"testing"
)

// v6NDSeeds are the messages of the NDP table tests.
func v6NDSeeds(f *testing.F) {
	f.Add(v6hex(f, "85 00 0000 00000000"+v6SLLAHex))
	f.Add(v6hex(f, "86 00 0000 40 c0 0708 00007530 000003e8"+v6SLLAHex+"0501 0000 000005dc"+
		"0304 40 c0 00278d00 00093a80 00000000"+v6Pfx64+"1903 0000 00000e10"+v6LL1Hex))
	f.Add(v6hex(f, "87 00 0000 00000000"+v6LL2Hex+v6SLLAHex))
	f.Add(v6hex(f, "88 00 0000 e0000000"+v6LL2Hex+"0201"+v6MACHex))
	f.Add(v6hex(f, "89 00 0000 00000000"+v6LL2Hex+"20010db8000000000000000000000063"+"0402 000000000000 6000000000003b40"))
}

func FuzzNDP(f *testing.F) {
	v6NDSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 {
			return
		}
		var fixed []byte
		var opts NDPOptionIter
		var err error
		switch ICMPv6Type(b[0]) {
		case ICMPv6RouterSolicit:
			var m RouterSolicit
			if m, err = ParseRouterSolicit(b); err == nil {
				fl := RouterSolicitFields{}
				fixed = v6Encode(t, &fl)
				opts = m.Options()
			}
		case ICMPv6RouterAdvert:
			var m RouterAdvert
			if m, err = ParseRouterAdvert(b); err == nil {
				fl := m.Fields()
				fixed = v6Encode(t, &fl)
				opts = m.Options()
			}
		case ICMPv6NeighborSolicit:
			var m NeighborSolicit
			if m, err = ParseNeighborSolicit(b); err == nil {
				fl := NeighborSolicitFields{Target: m.Target()}
				fixed = v6Encode(t, &fl)
				opts = m.Options()
			}
		case ICMPv6NeighborAdvert:
			var m NeighborAdvert
			if m, err = ParseNeighborAdvert(b); err == nil {
				fl := m.Fields()
				fixed = v6Encode(t, &fl)
				opts = m.Options()
			}
		case ICMPv6Redirect:
			var m Redirect
			if m, err = ParseRedirect(b); err == nil {
				fl := RedirectFields{Target: m.Target(), Destination: m.Destination()}
				fixed = v6Encode(t, &fl)
				opts = m.Options()
			}
		default:
			return
		}
		if err != nil {
			return
		}
		out := append(fixed, v6RebuildNDOptions(t, opts)...)
		v6CompareND(t, b, out)
	})
}

// v6Encode runs a builder into a fresh buffer of its length.
func v6Encode(t *testing.T, e interface {
	Len() int
	Encode([]byte) (int, error)
}) []byte {
	b := make([]byte, e.Len())
	if n, err := e.Encode(b); err != nil || n != len(b) {
		t.Fatalf("Encode %T: %d, %v", e, n, err)
	}
	return b
}

// v6RebuildNDOptions re-encodes each option from its typed fields, or copies
// it when it has no builder.
func v6RebuildNDOptions(t *testing.T, it NDPOptionIter) []byte {
	var out []byte
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		if mac, ok := o.LinkAddr(); ok {
			out = append(out, v6Encode(t, &NDPLinkAddrFields{Type: o.Type(), Addr: mac})...)
		} else if pi, ok := o.PrefixInfo(); ok && pi.PrefixLen() <= 128 {
			fl := pi.Fields()
			out = append(out, v6Encode(t, &fl)...)
		} else if mtu, ok := o.MTU(); ok {
			out = append(out, v6Encode(t, &NDPMTUFields{MTU: mtu})...)
		} else if pkt, ok := o.RedirectedHeader(); ok {
			out = append(out, v6Encode(t, &NDPRedirectedHeaderFields{Packet: pkt})...)
		} else {
			out = append(out, o...)
		}
	}
	return out
}

// v6CompareND parses the original and rebuilt messages and compares what the
// views report; reserved bits are not carried over.
func v6CompareND(t *testing.T, orig, rebuilt []byte) {
	if len(orig) != len(rebuilt) {
		t.Fatalf("rebuilt %d bytes from %d", len(rebuilt), len(orig))
	}
	var a, b []byte
	switch ICMPv6Type(orig[0]) {
	case ICMPv6RouterAdvert:
		x, _ := ParseRouterAdvert(orig)
		y, err := ParseRouterAdvert(rebuilt)
		if err != nil || x.Fields() != y.Fields() {
			t.Fatalf("RA %+v != %+v (%v)", y.Fields(), x.Fields(), err)
		}
	case ICMPv6NeighborAdvert:
		x, _ := ParseNeighborAdvert(orig)
		y, err := ParseNeighborAdvert(rebuilt)
		if err != nil || x.Fields() != y.Fields() {
			t.Fatalf("NA %+v != %+v (%v)", y.Fields(), x.Fields(), err)
		}
	}
	// Fixed parts past the reserved words carry addresses only; compare the
	// options one by one through the iterator of a generic parse.
	start := map[ICMPv6Type]int{ICMPv6RouterSolicit: 8, ICMPv6RouterAdvert: 16, ICMPv6NeighborSolicit: 24,
		ICMPv6NeighborAdvert: 24, ICMPv6Redirect: 40}[ICMPv6Type(orig[0])]
	if !bytes.Equal(orig[8:start], rebuilt[8:start]) {
		t.Fatalf("fixed part %x, want %x", rebuilt[8:start], orig[8:start])
	}
	if err := checkNDPOptions(rebuilt[start:]); err != nil {
		t.Fatalf("rebuilt options: %v", err)
	}
	ia, ib := NDPOptionIter{b: orig[start:]}, NDPOptionIter{b: rebuilt[start:]}
	for {
		oa, okA := ia.Next()
		ob, okB := ib.Next()
		if okA != okB {
			t.Fatalf("option counts differ")
		}
		if !okA {
			break
		}
		a, b = oa, ob
		if oa.Type() != ob.Type() || len(a) != len(b) {
			t.Fatalf("option %x rebuilt as %x", a, b)
		}
		ma, _ := oa.LinkAddr()
		mb, _ := ob.LinkAddr()
		pa, _ := oa.PrefixInfo()
		pb, _ := ob.PrefixInfo()
		ra, _ := oa.RedirectedHeader()
		rb, _ := ob.RedirectedHeader()
		ua, _ := oa.MTU()
		ub, _ := ob.MTU()
		if ma != mb || (pa != nil && pa.Fields() != pb.Fields()) || !bytes.Equal(ra, rb) || ua != ub {
			t.Fatalf("option %x rebuilt as %x", a, b)
		}
	}
}

func FuzzMLD(f *testing.F) {
	f.Add(v6hex(f, "82 00 0000 2710 0000 00000000000000000000000000000000"))
	f.Add(v6hex(f, "83 00 0000 0000 0000"+v6SolNodeHex))
	f.Add(v6hex(f, "82 00 0000 2710 0000 ff050000000000000000000000000001 0a 7d 0002"+v6AddrHex))
	f.Add(v6hex(f, "8f 00 0000 0000 0002 04 00 0000"+v6SolNodeHex+
		"05 01 0001 ff050000000000000000000000000001"+v6AddrHex[:32]+"cafebabe"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := ParseMLD(b); err == nil {
			fl := m.Fields()
			y, err := ParseMLD(v6Encode(t, &fl))
			if err != nil || y.Fields() != fl {
				t.Fatalf("MLD %+v != %+v (%v)", y.Fields(), fl, err)
			}
		}
		if q, err := ParseMLDv2Query(b); err == nil {
			fl := MLDv2QueryFields{MaxRespCode: q.MaxRespCode(), MulticastAddr: q.MulticastAddr(),
				SuppressRouterSide: q.SuppressRouterSide(), QRV: q.QRV(), QQIC: q.QQIC()}
			for i := range q.NumSources() {
				fl.Sources = append(fl.Sources, q.Source(i))
			}
			out := v6Encode(t, &fl)
			// Code, checksum, reserved word and Resv bits are not carried over.
			want := append([]byte(nil), q[:len(out)]...)
			want[1], want[2], want[3], want[6], want[7] = 0, 0, 0, 0, 0
			want[24] &= 0x0f
			if !bytes.Equal(out, want) {
				t.Fatalf("query rebuilt as %x from %x", out, []byte(q))
			}
			if _, err := ParseMLDv2Query(out); err != nil {
				t.Fatal(err)
			}
		}
		if r, err := ParseMLDv2Report(b); err == nil {
			out := v6Encode(t, &MLDv2ReportFields{NumRecords: uint16(r.NumRecords())})
			it := r.Records()
			for rec, ok := it.Next(); ok; rec, ok = it.Next() {
				fl := MLDv2RecordFields{Type: rec.Type(), MulticastAddr: rec.MulticastAddr(), AuxData: rec.AuxData()}
				for i := range rec.NumSources() {
					fl.Sources = append(fl.Sources, rec.Source(i))
				}
				out = append(out, v6Encode(t, &fl)...)
			}
			if !bytes.Equal(out[6:], r[6:]) {
				t.Fatalf("report rebuilt as %x from %x", out, []byte(r))
			}
		}
	})
}
