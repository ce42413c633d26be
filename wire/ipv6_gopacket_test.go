package wire

import (
	"bytes"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Cross-checks against github.com/gopacket/gopacket/layers: every case is
// built once with gopacket and once with this package's builders; the bytes
// must agree, and each side's decoding of both must agree with the other's.

var (
	v6AllNodes   = netip.MustParseAddr("ff02::1")
	v6AllRouters = netip.MustParseAddr("ff02::2")
	v6MLDv2Rtrs  = netip.MustParseAddr("ff02::16")
)

// v6gpSerialize serializes gopacket layers with lengths and checksums fixed.
func v6gpSerialize(t *testing.T, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	for _, l := range ls {
		if c, ok := l.(*layers.ICMPv6); ok {
			if err := c.SetNetworkLayerForChecksum(ls[0].(*layers.IPv6)); err != nil {
				t.Fatal(err)
			}
		}
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// v6gpIP returns a gopacket IPv6 header.
func v6gpIP(src, dst netip.Addr, nh layers.IPProtocol, hl uint8) *layers.IPv6 {
	return &layers.IPv6{Version: 6, NextHeader: nh, HopLimit: hl, SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
}

// v6gpICMP returns a gopacket ICMPv6 header.
func v6gpICMP(typ uint8) *layers.ICMPv6 {
	return &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(typ, 0)}
}

// v6WirePacket assembles an IPv6 packet with this package's builders: the
// extension headers and ICMPv6 message, then the checksum.
func v6WirePacket(t *testing.T, src, dst netip.Addr, hl uint8, ext []interface {
	Len() int
	Encode([]byte) (int, error)
}, first uint8, icmp ...[]byte) []byte {
	t.Helper()
	var payload []byte
	for _, e := range ext {
		payload = append(payload, v6Encode(t, e)...)
	}
	off := len(payload)
	for _, m := range icmp {
		payload = append(payload, m...)
	}
	ICMPv6(payload[off:]).SetChecksum(src, dst)
	ip := IPv6Fields{PayloadLen: uint16(len(payload)), NextHeader: first, HopLimit: hl, Src: src, Dst: dst}
	return append(v6Encode(t, &ip), payload...)
}

// v6RouterAlert is the Hop-by-Hop header MLD messages carry (RFC 2710 §3,
// RFC 2711 §2.1).
func v6RouterAlert() *IPv6OptionsFields {
	return &IPv6OptionsFields{NextHeader: IPv6ICMP, Options: []IPv6Option{{Type: IPv6OptRouterAlert, Data: []byte{0, 0}}}}
}

func v6gpRouterAlert() *layers.IPv6HopByHop {
	h := &layers.IPv6HopByHop{}
	h.NextHeader = layers.IPProtocolICMPv6
	h.Options = []*layers.IPv6HopByHopOption{
		{OptionType: 5, OptionLength: 2, OptionData: []byte{0, 0}},
		{OptionType: 1, OptionLength: 0},
	}
	return h
}

type v6Builder = interface {
	Len() int
	Encode([]byte) (int, error)
}

func TestGopacket_IPv6Fragment(t *testing.T) {
	// RFC 8200 §4.5: a middle fragment, offset 185 (1480 bytes), M set.
	fr := &layers.IPv6Fragment{NextHeader: layers.IPProtocolUDP, FragmentOffset: 185, MoreFragments: true, Identification: 0x12345678}
	gp := v6gpSerialize(t, v6gpIP(v6Src, v6Dst, layers.IPProtocolIPv6Fragment, 64), fr, gopacket.Payload("0123456789abcdef"))
	f := IPv6FragmentFields{NextHeader: 17, FragmentOffset: 185, More: true, Identification: 0x12345678}
	payload := append(v6Encode(t, &f), "0123456789abcdef"...)
	ip := IPv6Fields{PayloadLen: uint16(len(payload)), NextHeader: IPv6Fragment, HopLimit: 64, Src: v6Src, Dst: v6Dst}
	w := append(v6Encode(t, &ip), payload...)
	if !bytes.Equal(gp, w) {
		t.Errorf("gopacket built\n%x\nwire built\n%x", gp, w)
	}
	for _, b := range [][]byte{gp, w} {
		v6CompareDecoders(t, "fragment", b)
		p, _ := ParseIPv6(b)
		if proto, off, err := p.UpperLayer(); err != nil || proto != 17 || off != 48 {
			t.Errorf("UpperLayer = %d, %d, %v", proto, off, err)
		}
	}
}

func TestGopacket_IPv6ExtensionHeadersAndEcho(t *testing.T) {
	ip := v6gpIP(v6Src, v6Dst, layers.IPProtocolIPv6HopByHop, 64)
	ip.TrafficClass, ip.FlowLabel = 0xb8, 0x12345
	hbh := &layers.IPv6HopByHop{}
	hbh.NextHeader = layers.IPProtocolIPv6Routing
	hbh.Options = []*layers.IPv6HopByHopOption{{OptionType: 5, OptionLength: 2, OptionData: []byte{0, 7}}, {OptionType: 1}}
	rt := &layers.IPv6Routing{RoutingType: 0, SegmentsLeft: 1, Reserved: make([]byte, 4),
		SourceRoutingIPs: []net.IP{v6AllRouters.AsSlice(), v6Dst.AsSlice()}}
	rt.NextHeader = layers.IPProtocolIPv6Destination
	do := &layers.IPv6Destination{}
	do.NextHeader = layers.IPProtocolICMPv6
	do.Options = []*layers.IPv6DestinationOption{{OptionType: 0x1e, OptionLength: 4, OptionData: []byte{1, 2, 3, 4}}}
	gp := v6gpSerialize(t, ip, hbh, rt, do, v6gpICMP(128),
		&layers.ICMPv6Echo{Identifier: 7, SeqNumber: 1}, gopacket.Payload("hello"))

	routing := append(make([]byte, 4), append(v6AllRouters.AsSlice(), v6Dst.AsSlice()...)...)
	echo := ICMPv6Fields{Type: ICMPv6EchoRequest, ID: 7, Seq: 1}
	w := v6WirePacket(t, v6Src, v6Dst, 64, []v6Builder{
		&IPv6OptionsFields{NextHeader: IPv6Routing, Options: []IPv6Option{{Type: IPv6OptRouterAlert, Data: []byte{0, 7}}}},
		&IPv6RoutingFields{NextHeader: IPv6DestOpts, RoutingType: 0, SegmentsLeft: 1, Data: routing},
		&IPv6OptionsFields{NextHeader: IPv6ICMP, Options: []IPv6Option{{Type: 0x1e, Data: []byte{1, 2, 3, 4}}}},
	}, IPv6HopByHop, v6Encode(t, &echo), []byte("hello"))
	// Traffic class and flow label are not in v6WirePacket's arguments.
	p, _ := ParseIPv6(w)
	fl := p.Fields()
	fl.TrafficClass, fl.FlowLabel = 0xb8, 0x12345
	if _, err := fl.Encode(w); err != nil {
		t.Fatal(err)
	}
	v6CrossCheck(t, gp, w)
}

// v6CrossCheck requires gopacket's and this package's bytes to agree and
// both decoders to agree on each.
func v6CrossCheck(t *testing.T, gp, w []byte) {
	t.Helper()
	if !bytes.Equal(gp, w) {
		t.Errorf("gopacket built\n%x\nwire built\n%x", gp, w)
	}
	for name, b := range map[string][]byte{"gopacket-built": gp, "wire-built": w} {
		v6CompareDecoders(t, name, b)
	}
}

// v6CompareDecoders decodes b with gopacket and with wire and compares the
// IPv6 header, each extension header and the ICMPv6 message.
func v6CompareDecoders(t *testing.T, name string, b []byte) {
	t.Helper()
	pkt := gopacket.NewPacket(b, layers.LayerTypeIPv6, gopacket.Default)
	if el := pkt.ErrorLayer(); el != nil {
		t.Fatalf("%s: gopacket: %v", name, el.Error())
	}
	p, err := ParseIPv6(b)
	if err != nil {
		t.Fatalf("%s: wire: %v", name, err)
	}
	gip := pkt.Layer(layers.LayerTypeIPv6).(*layers.IPv6)
	if gip.TrafficClass != p.TrafficClass() || gip.FlowLabel != p.FlowLabel() || gip.Length != p.PayloadLen() ||
		uint8(gip.NextHeader) != p.NextHeader() || gip.HopLimit != p.HopLimit() ||
		!gip.SrcIP.Equal(p.Src().AsSlice()) || !gip.DstIP.Equal(p.Dst().AsSlice()) {
		t.Errorf("%s: IPv6 header: gopacket %+v, wire %+v", name, gip, p.Fields())
	}
	var gext []gopacket.Layer
	for _, l := range pkt.Layers()[1:] {
		switch l.LayerType() {
		case layers.LayerTypeIPv6HopByHop, layers.LayerTypeIPv6Routing, layers.LayerTypeIPv6Fragment, layers.LayerTypeIPv6Destination:
			gext = append(gext, l)
		}
	}
	it := p.ExtHeaders()
	i := 0
	for ; it.Next(); i++ {
		if i >= len(gext) {
			t.Fatalf("%s: wire found more extension headers than gopacket's %d: %v", name, len(gext), pkt.Layers())
		}
		v6CompareExt(t, name, gext[i], it.Header())
		if it.Header().Type == IPv6Fragment {
			// gopacket hands everything after a Fragment header to its
			// reassembler undecoded; compare the fragment's payload only.
			if !bytes.Equal(gext[i].LayerPayload(), p[it.Header().Offset+8:]) {
				t.Errorf("%s: fragment payload differs", name)
			}
			return
		}
	}
	if it.Err() != nil || i != len(gext) {
		t.Fatalf("%s: wire walked %d headers (%v), gopacket %d", name, i, it.Err(), len(gext))
	}
	proto, off := it.Upper()
	gicmp, _ := pkt.Layer(layers.LayerTypeICMPv6).(*layers.ICMPv6)
	if proto != IPv6ICMP || gicmp == nil {
		t.Fatalf("%s: upper layer %d, gopacket ICMPv6 %v", name, proto, gicmp)
	}
	m, err := ParseICMPv6(p[off:])
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if gicmp.TypeCode.Type() != uint8(m.Type()) || gicmp.TypeCode.Code() != m.Code() || gicmp.Checksum != m.Checksum() {
		t.Errorf("%s: ICMPv6 header: gopacket %v %#x, wire %v %d %#x", name, gicmp.TypeCode, gicmp.Checksum, m.Type(), m.Code(), m.Checksum())
	}
	if err := m.VerifyChecksum(p.Src(), p.Dst()); err != nil {
		t.Errorf("%s: wire: %v", name, err)
	}
	if err := gicmp.SetNetworkLayerForChecksum(gip); err != nil {
		t.Fatal(err)
	}
	if err, res := gicmp.VerifyChecksum(); err != nil || !res.Valid {
		t.Errorf("%s: gopacket checksum: %v %+v", name, err, res)
	}
	v6CompareICMP(t, name, pkt, m)
}

// v6CompareExt compares one extension header as gopacket and wire see it.
func v6CompareExt(t *testing.T, name string, gl gopacket.Layer, h IPv6Ext) {
	t.Helper()
	if !bytes.Equal(gl.LayerContents(), h.Bytes) {
		t.Errorf("%s: extension header bytes: gopacket %x, wire %x", name, gl.LayerContents(), h.Bytes)
	}
	switch g := gl.(type) {
	case *layers.IPv6HopByHop:
		o, err := h.Options()
		if err != nil || h.Type != IPv6HopByHop || uint8(g.NextHeader) != o.NextHeader() {
			t.Errorf("%s: hop-by-hop: %v, next %d vs %d", name, err, g.NextHeader, o.NextHeader())
			return
		}
		v6CompareTLVs(t, name, len(g.Options), func(i int) (uint8, []byte) { return g.Options[i].OptionType, g.Options[i].OptionData }, o)
	case *layers.IPv6Destination:
		o, err := h.Options()
		if err != nil || h.Type != IPv6DestOpts || uint8(g.NextHeader) != o.NextHeader() {
			t.Errorf("%s: destination options: %v", name, err)
			return
		}
		v6CompareTLVs(t, name, len(g.Options), func(i int) (uint8, []byte) { return g.Options[i].OptionType, g.Options[i].OptionData }, o)
	case *layers.IPv6Routing:
		r, err := h.Routing()
		if err != nil || uint8(g.NextHeader) != r.NextHeader() || g.RoutingType != r.RoutingType() || g.SegmentsLeft != r.SegmentsLeft() {
			t.Errorf("%s: routing: %v, %+v", name, err, g)
		}
	case *layers.IPv6Fragment:
		f, err := h.Fragment()
		if err != nil || uint8(g.NextHeader) != f.NextHeader() || g.FragmentOffset != f.FragmentOffset() ||
			g.MoreFragments != f.MoreFragments() || g.Identification != f.Identification() {
			t.Errorf("%s: fragment: %v, %+v", name, err, g)
		}
	}
}

// v6CompareTLVs compares gopacket's list of options with wire's iterator.
func v6CompareTLVs(t *testing.T, name string, n int, g func(int) (uint8, []byte), o IPv6Options) {
	t.Helper()
	it := o.Options()
	i := 0
	for opt, ok := it.Next(); ok; opt, ok = it.Next() {
		if i >= n {
			t.Errorf("%s: wire has more options than gopacket's %d", name, n)
			return
		}
		typ, data := g(i)
		if typ != uint8(opt.Type) || !bytes.Equal(data, opt.Data) {
			t.Errorf("%s: option %d: gopacket %d %x, wire %v %x", name, i, typ, data, opt.Type, opt.Data)
		}
		i++
	}
	if i != n {
		t.Errorf("%s: wire has %d options, gopacket %d", name, i, n)
	}
}

// v6ToAddr converts a gopacket address.
func v6ToAddr(ip net.IP) netip.Addr {
	a, _ := netip.AddrFromSlice(ip.To16())
	return a
}

// v6CompareNDOpts compares gopacket's option list with wire's iterator.
func v6CompareNDOpts(t *testing.T, name string, g layers.ICMPv6Options, it NDPOptionIter) {
	t.Helper()
	i := 0
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		if i >= len(g) || uint8(g[i].Type) != uint8(o.Type()) || !bytes.Equal(g[i].Data, o.Data()) {
			t.Errorf("%s: ND option %d: wire %v %x, gopacket %v", name, i, o.Type(), o.Data(), g)
			return
		}
		i++
	}
	if i != len(g) {
		t.Errorf("%s: wire has %d ND options, gopacket %d", name, i, len(g))
	}
}

// v6CompareICMP compares the ICMPv6 message body as both decoders see it.
func v6CompareICMP(t *testing.T, name string, pkt gopacket.Packet, m ICMPv6) {
	t.Helper()
	bad := func(what string, g any) { t.Errorf("%s: %s: gopacket %+v, wire %x", name, what, g, []byte(m)) }
	switch m.Type() {
	case ICMPv6EchoRequest, ICMPv6EchoReply:
		g := pkt.Layer(layers.LayerTypeICMPv6Echo).(*layers.ICMPv6Echo)
		if g.Identifier != m.ID() || g.SeqNumber != m.Seq() || !bytes.Equal(g.Payload, m.Body()) {
			bad("echo", g)
		}
	case ICMPv6RouterSolicit:
		g := pkt.Layer(layers.LayerTypeICMPv6RouterSolicitation).(*layers.ICMPv6RouterSolicitation)
		w, err := ParseRouterSolicit(m)
		if err != nil {
			bad(err.Error(), g)
			return
		}
		v6CompareNDOpts(t, name, g.Options, w.Options())
	case ICMPv6RouterAdvert:
		g := pkt.Layer(layers.LayerTypeICMPv6RouterAdvertisement).(*layers.ICMPv6RouterAdvertisement)
		w, err := ParseRouterAdvert(m)
		if err != nil || g.HopLimit != w.CurHopLimit() || g.ManagedAddressConfig() != w.Managed() || g.OtherConfig() != w.Other() ||
			g.RouterLifetime != w.RouterLifetime() || g.ReachableTime != w.ReachableTime() || g.RetransTimer != w.RetransTimer() {
			bad("router advertisement", g)
			return
		}
		v6CompareNDOpts(t, name, g.Options, w.Options())
	case ICMPv6NeighborSolicit:
		g := pkt.Layer(layers.LayerTypeICMPv6NeighborSolicitation).(*layers.ICMPv6NeighborSolicitation)
		w, err := ParseNeighborSolicit(m)
		if err != nil || v6ToAddr(g.TargetAddress) != w.Target() {
			bad("neighbor solicitation", g)
			return
		}
		v6CompareNDOpts(t, name, g.Options, w.Options())
	case ICMPv6NeighborAdvert:
		g := pkt.Layer(layers.LayerTypeICMPv6NeighborAdvertisement).(*layers.ICMPv6NeighborAdvertisement)
		w, err := ParseNeighborAdvert(m)
		if err != nil || v6ToAddr(g.TargetAddress) != w.Target() || g.Router() != w.Router() ||
			g.Solicited() != w.Solicited() || g.Override() != w.Override() {
			bad("neighbor advertisement", g)
			return
		}
		v6CompareNDOpts(t, name, g.Options, w.Options())
	default:
		v6CompareMLD(t, name, pkt, m)
	}
}

// v6CompareMLD compares MLD messages as both decoders see them.
func v6CompareMLD(t *testing.T, name string, pkt gopacket.Packet, m ICMPv6) {
	t.Helper()
	bad := func(what string, g any) { t.Errorf("%s: %s: gopacket %+v, wire %x", name, what, g, []byte(m)) }
	if l := pkt.Layer(layers.LayerTypeMLDv2MulticastListenerQuery); l != nil {
		g := l.(*layers.MLDv2MulticastListenerQueryMessage)
		q, err := ParseMLDv2Query(m)
		if err != nil || g.MaximumResponseCode != q.MaxRespCode() || v6ToAddr(g.MulticastAddress) != q.MulticastAddr() ||
			g.SuppressRoutersideProcessing != q.SuppressRouterSide() || g.QueriersRobustnessVariable != q.QRV() ||
			g.QueriersQueryIntervalCode != q.QQIC() || int(g.NumberOfSources) != q.NumSources() {
			bad("mldv2 query", g)
			return
		}
		for i, s := range g.SourceAddresses {
			if v6ToAddr(s) != q.Source(i) {
				bad("mldv2 query source", g)
			}
		}
		return
	}
	if l := pkt.Layer(layers.LayerTypeMLDv2MulticastListenerReport); l != nil {
		g := l.(*layers.MLDv2MulticastListenerReportMessage)
		r, err := ParseMLDv2Report(m)
		if err != nil || int(g.NumberOfMulticastAddressRecords) != r.NumRecords() {
			bad("mldv2 report", g)
			return
		}
		it := r.Records()
		for _, gr := range g.MulticastAddressRecords {
			rec, ok := it.Next()
			if !ok || uint8(gr.RecordType) != uint8(rec.Type()) || v6ToAddr(gr.MulticastAddress) != rec.MulticastAddr() ||
				int(gr.N) != rec.NumSources() || !bytes.Equal(gr.AuxiliaryData, rec.AuxData()) {
				bad("mldv2 record", gr)
				return
			}
			for i, s := range gr.SourceAddresses {
				if v6ToAddr(s) != rec.Source(i) {
					bad("mldv2 record source", gr)
				}
			}
		}
		return
	}
	w, err := ParseMLD(m)
	if err != nil {
		bad(err.Error(), nil)
		return
	}
	var g *layers.MLDv1Message
	for _, l := range pkt.Layers() {
		switch l := l.(type) {
		case *layers.MLDv1MulticastListenerQueryMessage:
			g = &l.MLDv1Message
		case *layers.MLDv1MulticastListenerReportMessage:
			g = &l.MLDv1Message
		case *layers.MLDv1MulticastListenerDoneMessage:
			g = &l.MLDv1Message
		}
	}
	if g == nil || g.MaximumResponseDelay != time.Duration(w.MaxResponseDelay())*time.Millisecond || v6ToAddr(g.MulticastAddress) != w.MulticastAddr() {
		bad("mldv1", g)
	}
}
