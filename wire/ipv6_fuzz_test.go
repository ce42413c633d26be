package wire

import (
	"bytes"
	"testing"
)

// Seed corpora live in testdata/fuzz/FuzzXxx/ as well as in these f.Add
// calls, which hold the RFC layouts the table tests use.

func FuzzIPv6(f *testing.F) {
	f.Add(v6hex(f, "6e1fffff 0008 3a 40"+v6AddrHex+"0102030405060708"))
	f.Add(v6hex(f, "60000000 0038 00 40"+v6AddrHex+"2b00 05020000 0100 2c04 0001 00000000"+v6AddrHex+"3c00 05c9 12345678"))
	f.Add(v6hex(f, "60000000 0018 3c 40"+v6AddrHex+"3300 01020000 0100 3b02 0000 00000001 00000002 00000000"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseIPv6(b)
		if err != nil {
			return
		}
		fl := p.Fields()
		out := make([]byte, len(p))
		if _, err := fl.Encode(out); err != nil {
			t.Fatalf("Encode(Fields()): %v", err)
		}
		copy(out[IPv6HeaderLen:], p.Payload())
		if !bytes.Equal(out, p) {
			t.Fatalf("rebuilt header %x, want %x", out[:40], p[:40])
		}
		q, err := ParseIPv6(out)
		if err != nil || q.Fields() != fl {
			t.Fatalf("reparse: %v, %+v != %+v", err, q.Fields(), fl)
		}
		it := p.ExtHeaders()
		for it.Next() {
			v6FuzzExt(t, it.Header())
		}
		proto, off := it.Upper()
		if it.Err() == nil && (off > len(p) || IsIPv6Ext(proto)) {
			t.Fatalf("walk ended at %d, offset %d of %d", proto, off, len(p))
		}
		if it.Next() {
			t.Fatal("Next after the end")
		}
	})
}

// v6FuzzExt rebuilds one extension header from its parsed fields and checks
// the result.
func v6FuzzExt(t *testing.T, h IPv6Ext) {
	if len(h.Bytes) < 8 || h.Offset < IPv6HeaderLen {
		t.Fatalf("extension header %d at %d has %d bytes", h.Type, h.Offset, len(h.Bytes))
	}
	switch h.Type {
	case IPv6HopByHop, IPv6DestOpts:
		o, err := h.Options()
		if err != nil {
			return
		}
		var opts []IPv6Option
		oi := o.Options()
		for opt, ok := oi.Next(); ok; opt, ok = oi.Next() {
			opts = append(opts, opt)
		}
		fl := IPv6OptionsFields{NextHeader: o.NextHeader(), Options: opts}
		out := make([]byte, fl.Len())
		if _, err := fl.Encode(out); err != nil || !bytes.Equal(out, o) {
			t.Fatalf("options rebuilt as %x (%v), want %x", out, err, []byte(o))
		}
	case IPv6Routing:
		r, err := h.Routing()
		if err != nil {
			t.Fatalf("routing: %v", err)
		}
		fl := IPv6RoutingFields{NextHeader: r.NextHeader(), RoutingType: r.RoutingType(), SegmentsLeft: r.SegmentsLeft(), Data: r.Data()}
		out := make([]byte, fl.Len())
		if _, err := fl.Encode(out); err != nil || !bytes.Equal(out, r) {
			t.Fatalf("routing rebuilt as %x (%v), want %x", out, err, []byte(r))
		}
	case IPv6Fragment:
		fr, err := h.Fragment()
		if err != nil {
			t.Fatalf("fragment: %v", err)
		}
		fl := IPv6FragmentFields{NextHeader: fr.NextHeader(), FragmentOffset: fr.FragmentOffset(), More: fr.MoreFragments(), Identification: fr.Identification()}
		out := make([]byte, 8)
		if _, err := fl.Encode(out); err != nil {
			t.Fatal(err)
		}
		g, _ := ParseIPv6Fragment(out)
		if g.NextHeader() != fr.NextHeader() || g.Offset() != fr.Offset() || g.MoreFragments() != fr.MoreFragments() || g.Identification() != fr.Identification() {
			t.Fatalf("fragment rebuilt as %x from %x", out, []byte(fr))
		}
	}
}

func FuzzICMPv6(f *testing.F) {
	f.Add(v6hex(f, "80 00 0000 0007 0001 61626364"))
	f.Add(v6hex(f, "02 00 0000 00000500 60000000"))
	f.Add(v6hex(f, "04 01 0000 00000006"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseICMPv6(b)
		if err != nil {
			return
		}
		fl := m.Fields()
		out := make([]byte, len(m))
		if _, err := fl.Encode(out); err != nil {
			t.Fatal(err)
		}
		copy(out[ICMPv6HeaderLen:], m.Body())
		n, err := ParseICMPv6(out)
		if err != nil || n.Fields() != fl || !bytes.Equal(n.Body(), m.Body()) {
			t.Fatalf("reparse: %v, %+v != %+v", err, n.Fields(), fl)
		}
		n.SetChecksum(v6Src, v6Dst)
		if n.Checksum() != v6RefChecksum(v6Src, v6Dst, n) || n.VerifyChecksum(v6Src, v6Dst) != nil {
			t.Fatalf("checksum %#04x, reference %#04x", n.Checksum(), v6RefChecksum(v6Src, v6Dst, n))
		}
	})
}
