package wire

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
)

const (
	v6LL1Hex  = "fe800000000000000000000000000001"
	v6LL2Hex  = "fe800000000000000000000000000002"
	v6MACHex  = "020000000001"
	v6Pfx64   = "20010db8000100000000000000000000"
	v6SLLAHex = "0101" + v6MACHex // RFC 4861 §4.6.1: type 1, length 1, MAC
)

var (
	v6LL1 = netip.MustParseAddr("fe80::1")
	v6LL2 = netip.MustParseAddr("fe80::2")
	v6MAC = MAC{2, 0, 0, 0, 0, 1}
)

// v6Options collects the options an iterator yields.
func v6Options(it NDPOptionIter) []NDPOption {
	var out []NDPOption
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		out = append(out, o)
	}
	return out
}

func TestRouterSolicit_RFC4861Sec4_1(t *testing.T) {
	b := v6hex(t, "85 00 0000 00000000"+v6SLLAHex)
	m, err := ParseRouterSolicit(b)
	if err != nil {
		t.Fatal(err)
	}
	opts := v6Options(m.Options())
	if len(opts) != 1 || opts[0].Type() != NDPSourceLinkAddr {
		t.Fatalf("options %x", opts)
	}
	if mac, ok := opts[0].LinkAddr(); !ok || mac != v6MAC {
		t.Errorf("LinkAddr = %v, %v", mac, ok)
	}
	out := make([]byte, 16)
	var f RouterSolicitFields
	n, _ := f.Encode(out)
	l := NDPLinkAddrFields{Type: NDPSourceLinkAddr, Addr: v6MAC}
	if k, err := l.Encode(out[n:]); err != nil || k != 8 || !bytes.Equal(out, b) {
		t.Errorf("Encode = %x, %v; want %x", out, err, b)
	}
}

func TestRouterAdvert_RFC4861Sec4_2(t *testing.T) {
	// Cur Hop Limit 64, M and O set, lifetime 1800 s, reachable 30000 ms,
	// retrans 1000 ms; options SLLA, MTU 1500 (§4.6.4), prefix information
	// 2001:db8:1::/64 L A valid 2592000 preferred 604800 (§4.6.2), RDNSS.
	b := v6hex(t, "86 00 0000 40 c0 0708 00007530 000003e8"+
		v6SLLAHex+
		"0501 0000 000005dc"+
		"0304 40 c0 00278d00 00093a80 00000000"+v6Pfx64+
		"1903 0000 00000e10"+v6LL1Hex)
	m, err := ParseRouterAdvert(b)
	if err != nil {
		t.Fatal(err)
	}
	want := RouterAdvertFields{CurHopLimit: 64, Managed: true, Other: true, RouterLifetime: 1800, ReachableTime: 30000, RetransTimer: 1000}
	if m.Fields() != want {
		t.Errorf("Fields = %+v, want %+v", m.Fields(), want)
	}
	opts := v6Options(m.Options())
	if len(opts) != 4 {
		t.Fatalf("%d options", len(opts))
	}
	if mtu, ok := opts[1].MTU(); !ok || mtu != 1500 {
		t.Errorf("MTU = %d, %v", mtu, ok)
	}
	pi, ok := opts[2].PrefixInfo()
	if !ok {
		t.Fatal("no prefix info")
	}
	wantPI := NDPPrefixInfoFields{PrefixLen: 64, OnLink: true, Autonomous: true, ValidLifetime: 2592000,
		PreferredLifetime: 604800, Prefix: netip.MustParseAddr("2001:db8:1::")}
	if pi.Fields() != wantPI || pi.PrefixValue() != netip.MustParsePrefix("2001:db8:1::/64") {
		t.Errorf("prefix info %+v", pi.Fields())
	}
	// Unknown to the parser's typed accessors, the RDNSS option is kept.
	if opts[3].Type() != NDPRDNSS || opts[3].Len() != 24 || len(opts[3].Data()) != 22 {
		t.Errorf("rdnss option %x", opts[3])
	}
	if _, ok := opts[3].PrefixInfo(); ok {
		t.Error("rdnss as prefix info")
	}
	if o, ok := m.Options().Find(NDPPrefixInfo); !ok || !bytes.Equal(o, opts[2]) {
		t.Errorf("Find(prefix info) = %x, %v", o, ok)
	}
	// Rebuild: fixed part, then each option from its fields.
	out := make([]byte, len(b))
	n, _ := want.Encode(out)
	for _, e := range []interface{ Encode([]byte) (int, error) }{
		&NDPLinkAddrFields{Type: NDPSourceLinkAddr, Addr: v6MAC},
		&NDPMTUFields{MTU: 1500},
		&wantPI,
	} {
		k, err := e.Encode(out[n:])
		if err != nil {
			t.Fatal(err)
		}
		n += k
	}
	copy(out[n:], opts[3])
	if !bytes.Equal(out, b) {
		t.Errorf("rebuilt\n%x, want\n%x", out, b)
	}
}

func TestNeighborSolicitAdvert_RFC4861Sec4_3And4_4(t *testing.T) {
	ns := v6hex(t, "87 00 0000 00000000"+v6LL2Hex+v6SLLAHex)
	m, err := ParseNeighborSolicit(ns)
	if err != nil {
		t.Fatal(err)
	}
	if m.Target() != v6LL2 || len(v6Options(m.Options())) != 1 {
		t.Errorf("NS target %v", m.Target())
	}
	out := make([]byte, 24)
	f := NeighborSolicitFields{Target: v6LL2}
	if n, err := f.Encode(out); err != nil || n != 24 || !bytes.Equal(out, ns[:24]) {
		t.Errorf("NS Encode = %x, %v", out, err)
	}
	// R, S and O set; target link-layer address option (type 2).
	na := v6hex(t, "88 00 0000 e0000000"+v6LL2Hex+"0201"+v6MACHex)
	a, err := ParseNeighborAdvert(na)
	if err != nil {
		t.Fatal(err)
	}
	wantNA := NeighborAdvertFields{Router: true, Solicited: true, Override: true, Target: v6LL2}
	if a.Fields() != wantNA {
		t.Errorf("NA fields %+v", a.Fields())
	}
	if o, ok := a.Options().Find(NDPTargetLinkAddr); !ok {
		t.Error("no TLLA")
	} else if mac, ok := o.LinkAddr(); !ok || mac != v6MAC {
		t.Errorf("TLLA %v", mac)
	}
	if n, err := wantNA.Encode(out); err != nil || n != 24 || !bytes.Equal(out, na[:24]) {
		t.Errorf("NA Encode = %x, %v", out, err)
	}
	// Only S set.
	a2, _ := ParseNeighborAdvert(v6hex(t, "88 00 0000 40000000"+v6LL2Hex))
	if a2.Router() || !a2.Solicited() || a2.Override() {
		t.Errorf("S only: %+v", a2.Fields())
	}
}

func TestRedirect_RFC4861Sec4_5(t *testing.T) {
	inner := v6hex(t, "60000000 0000 3b 40"+v6AddrHex+"0102")
	b := v6hex(t, "89 00 0000 00000000"+v6LL2Hex+"20010db8000000000000000000000063"+
		"0407 000000000000")
	b = append(b, inner...)
	b = append(b, make([]byte, 6)...) // 42 bytes padded to 48
	m, err := ParseRedirect(b)
	if err != nil {
		t.Fatal(err)
	}
	if m.Target() != v6LL2 || m.Destination() != netip.MustParseAddr("2001:db8::63") {
		t.Errorf("target %v dest %v", m.Target(), m.Destination())
	}
	// RFC 4861 §8.1: a target equal to the destination (an
	// on-link destination) need not be link-local.
	onLink := v6hex(t, "89 00 0000 00000000 20010db8000000000000000000000063 20010db8000000000000000000000063")
	if r, err := ParseRedirect(onLink); err != nil || r.Target() != r.Destination() {
		t.Errorf("on-link redirect: %v", err)
	}
	o, ok := m.Options().Find(NDPRedirectedHeader)
	if !ok {
		t.Fatal("no redirected header")
	}
	if pkt, ok := o.RedirectedHeader(); !ok || !bytes.Equal(pkt[:len(inner)], inner) || len(pkt) != 48 {
		t.Errorf("redirected header %x", pkt)
	}
	out := make([]byte, len(b))
	f := RedirectFields{Target: v6LL2, Destination: m.Destination()}
	n, _ := f.Encode(out)
	rh := NDPRedirectedHeaderFields{Packet: inner}
	if k, err := rh.Encode(out[n:]); err != nil || k != 56 || !bytes.Equal(out, b) {
		t.Errorf("Encode = %d, %v\n%x, want\n%x", k, err, out, b)
	}
}

func TestND_Malformed(t *testing.T) {
	mcast := "ff020000000000000000000000000001"
	for _, tc := range []struct {
		name  string
		parse func([]byte) error
		in    string
		want  error
	}{
		// RFC 4861 §4.6: an option with length zero makes the packet invalid.
		{"RS option length zero", v6ParseRS, "85 00 0000 00000000 0100" + v6MACHex, ErrBadOption},
		{"RA option length zero after a good one", v6ParseRA, "86 00 0000 40000708 00000000 00000000" + v6SLLAHex + "0500 0000 000005dc", ErrBadOption},
		{"option past end", v6ParseRS, "85 00 0000 00000000 0102" + v6MACHex, ErrBadOption},
		{"option of one byte", v6ParseRS, "85 00 0000 00000000 01", ErrTruncated},
		// RFC 4861 §6.1.1: ICMP Code is 0.
		{"code 1", v6ParseRS, "85 01 0000 00000000", ErrUnsupported},
		{"wrong type", v6ParseRS, "86 00 0000 00000000", ErrUnsupported},
		// RFC 4861 §6.1.2: ICMP length is 16 or more octets.
		{"short RA", v6ParseRA, "86 00 0000 40000708 00000000", ErrTruncated},
		{"short NS", v6ParseNS, "87 00 0000 00000000" + v6LL2Hex[:30], ErrTruncated},
		// RFC 4861 §7.1.1, §7.1.2, §8.1: no multicast targets or destinations.
		{"NS multicast target", v6ParseNS, "87 00 0000 00000000" + mcast, ErrUnsupported},
		{"NA multicast target", v6ParseNA, "88 00 0000 00000000" + mcast, ErrUnsupported},
		{"redirect multicast destination", v6ParseRedirect, "89 00 0000 00000000" + v6LL2Hex + mcast, ErrUnsupported},
		{"redirect global target not the destination", v6ParseRedirect, "89 00 0000 00000000" + v6AddrHex, ErrUnsupported},
		{"short redirect", v6ParseRedirect, "89 00 0000 00000000" + v6LL2Hex, ErrTruncated},
	} {
		if err := tc.parse(v6hex(t, tc.in)); !errors.Is(err, tc.want) {
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.want)
		}
	}
}

func v6ParseRS(b []byte) error       { _, err := ParseRouterSolicit(b); return err }
func v6ParseRA(b []byte) error       { _, err := ParseRouterAdvert(b); return err }
func v6ParseNS(b []byte) error       { _, err := ParseNeighborSolicit(b); return err }
func v6ParseNA(b []byte) error       { _, err := ParseNeighborAdvert(b); return err }
func v6ParseRedirect(b []byte) error { _, err := ParseRedirect(b); return err }

func TestNDPOption_TypedAccessorsRejectWrongShapes(t *testing.T) {
	// A link-layer option of length 2 (not Ethernet), an MTU option of length 2.
	b := v6hex(t, "85 00 0000 00000000 0102"+v6MACHex+"0000000000000000 0502 0000 000005dc 0000000000000000")
	m, err := ParseRouterSolicit(b)
	if err != nil {
		t.Fatal(err)
	}
	opts := v6Options(m.Options())
	if _, ok := opts[0].LinkAddr(); ok {
		t.Error("16-byte link-layer option read as Ethernet")
	}
	if _, ok := opts[1].MTU(); ok {
		t.Error("16-byte MTU option accepted")
	}
	if _, ok := opts[1].RedirectedHeader(); ok {
		t.Error("MTU option as redirected header")
	}
	if NDPOptionType(99).String() != "opt_99" || NDPPrefixInfo.String() != "prefix info" {
		t.Error("NDPOptionType.String")
	}
}

func TestNDPOptionBuilders_Errors(t *testing.T) {
	b := make([]byte, 64)
	l := NDPLinkAddrFields{Type: NDPMTU}
	if _, err := l.Encode(b); !errors.Is(err, ErrBadOption) {
		t.Errorf("link addr with MTU type: %v", err)
	}
	p := NDPPrefixInfoFields{PrefixLen: 129, Prefix: v6LL1}
	if _, err := p.Encode(b); !errors.Is(err, ErrBadOption) {
		t.Errorf("prefix length 129: %v", err)
	}
	mtu := NDPMTUFields{MTU: 1500}
	if _, err := mtu.Encode(b[:7]); !errors.Is(err, ErrTruncated) {
		t.Errorf("short mtu: %v", err)
	}
	ns := NeighborSolicitFields{}
	if _, err := ns.Encode(b); !errors.Is(err, ErrUnsupported) {
		t.Errorf("zero target: %v", err)
	}
}

func TestND_ParseAllocs(t *testing.T) {
	b := v6hex(t, "86 00 0000 40 c0 0708 00007530 000003e8"+v6SLLAHex+"0501 0000 000005dc"+
		"0304 40 c0 00278d00 00093a80 00000000"+v6Pfx64)
	ns := v6hex(t, "87 00 0000 00000000"+v6LL2Hex+v6SLLAHex)
	var sink int
	allocs := testing.AllocsPerRun(100, func() {
		m, err := ParseRouterAdvert(b)
		if err != nil {
			panic(err)
		}
		it := m.Options()
		for o, ok := it.Next(); ok; o, ok = it.Next() {
			if pi, ok := o.PrefixInfo(); ok {
				sink += int(pi.PrefixLen()) + int(pi.PrefixValue().Bits())
			}
			if mac, ok := o.LinkAddr(); ok {
				sink += int(mac[5])
			}
		}
		s, err := ParseNeighborSolicit(ns)
		if err != nil {
			panic(err)
		}
		if o, ok := s.Options().Find(NDPSourceLinkAddr); ok {
			sink += o.Len()
		}
	})
	if allocs != 0 {
		t.Errorf("ND parse + option iteration: %v allocs, want 0", allocs)
	}
	_ = sink
}

func BenchmarkRouterAdvert_ParseAndOptions(b *testing.B) {
	msg := v6hex(b, "86 00 0000 40 c0 0708 00007530 000003e8"+v6SLLAHex+"0501 0000 000005dc"+
		"0304 40 c0 00278d00 00093a80 00000000"+v6Pfx64)
	b.ReportAllocs()
	for b.Loop() {
		m, err := ParseRouterAdvert(msg)
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := m.Options().Find(NDPPrefixInfo); !ok {
			b.Fatal("no prefix")
		}
	}
}
