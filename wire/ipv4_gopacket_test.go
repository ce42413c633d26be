package wire

import (
	"bytes"
	"math/rand/v2"
	"net"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

func randAddr4(r *rand.Rand) netip.Addr {
	var a [4]byte
	for i := range a {
		a[i] = byte(r.Uint32())
	}
	return netip.AddrFrom4(a)
}

func ipOf(a netip.Addr) net.IP { return net.IP(a.AsSlice()) }

// TestGopacketBuildsWireParses serializes Ethernet/802.1Q/IPv4 (with
// options)/ICMPv4 and ARP frames with gopacket and checks wire's views.
func TestGopacketBuildsWireParses(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	for i := 0; i < 200; i++ {
		src, dst := randAddr4(r), randAddr4(r)
		eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, byte(i)}, DstMAC: net.HardwareAddr{0xff, 1, 2, 3, 4, 5}, EthernetType: layers.EthernetTypeDot1Q}
		vlan := &layers.Dot1Q{Priority: uint8(i % 8), DropEligible: i%2 == 1, VLANIdentifier: uint16(r.IntN(4096)), Type: layers.EthernetTypeIPv4}
		ip := &layers.IPv4{Version: 4, TOS: uint8(r.Uint32()), Id: uint16(r.Uint32()), Flags: layers.IPv4Flag(r.IntN(4)),
			FragOffset: uint16(r.IntN(0x2000)), TTL: uint8(r.Uint32()), Protocol: layers.IPProtocolICMPv4, SrcIP: ipOf(src), DstIP: ipOf(dst),
			Options: []layers.IPv4Option{{OptionType: 148, OptionLength: 4, OptionData: []byte{0, 0}}, {OptionType: 7, OptionLength: 7, OptionData: []byte{4, 0, 0, 0, 0}}}}
		icmp := &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(layers.ICMPv4TypeEchoRequest, 0), Id: uint16(i), Seq: uint16(i * 3)}
		buf := gopacket.NewSerializeBuffer()
		if err := gopacket.SerializeLayers(buf, opts, eth, vlan, ip, icmp, gopacket.Payload("abcdefgh")); err != nil {
			t.Fatal(err)
		}
		e, err := ParseEthernet(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		tag := e.Tag(0)
		if e.Src() != MAC(eth.SrcMAC) || e.Dst() != MAC(eth.DstMAC) || e.EtherType() != EtherTypeIPv4 ||
			tag.VID != vlan.VLANIdentifier || tag.PCP != vlan.Priority || tag.DEI != vlan.DropEligible {
			t.Fatalf("ethernet %v, want %v %v", e, eth, vlan)
		}
		p, err := ParseIPv4(e.Payload())
		if err != nil {
			t.Fatal(err)
		}
		if p.TOS() != ip.TOS || p.ID() != ip.Id || p.Flags() != IPv4Flags(ip.Flags) || p.FragOffset() != ip.FragOffset ||
			p.TTL() != ip.TTL || p.Protocol() != 1 || p.Src() != src || p.Dst() != dst || !p.ChecksumValid() || p.HeaderLen() != 32 {
			t.Fatalf("ipv4 %v, want %v", p, ip)
		}
		it := p.Options().Iter()
		o1, _ := it.Next()
		o2, _ := it.Next()
		if o1.Type != IPv4OptRouterAlert || o2.Type != IPv4OptRecordRoute || o2.NumAddrs() != 1 || it.Err() != nil {
			t.Fatalf("options %v %v %v", o1, o2, it.Err())
		}
		m, err := ParseICMPv4(p.Payload())
		if err != nil || m.Type() != ICMPv4Echo || m.ID() != icmp.Id || m.Seq() != icmp.Seq || !m.ChecksumValid() || string(m.Data()) != "abcdefgh" {
			t.Fatalf("icmp %v %v", m, err)
		}
	}
	arp := &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
		Operation: 2, SourceHwAddress: []byte{2, 0, 0, 0, 0, 9}, SourceProtAddress: []byte{10, 0, 0, 9},
		DstHwAddress: []byte{2, 0, 0, 0, 0, 1}, DstProtAddress: []byte{10, 0, 0, 1}}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, opts, arp); err != nil {
		t.Fatal(err)
	}
	a, err := ParseARP(buf.Bytes())
	if err != nil || a.Op() != ARPReply || a.SHA() != (MAC{2, 0, 0, 0, 0, 9}) || a.SPA() != addr4("10.0.0.9") ||
		a.THA() != (MAC{2, 0, 0, 0, 0, 1}) || a.TPA() != addr4("10.0.0.1") {
		t.Fatalf("arp %v %v", a, err)
	}
}

// TestWireBuildsGopacketParses builds frames with wire and decodes them with
// gopacket.
func TestWireBuildsGopacketParses(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for i := 0; i < 200; i++ {
		src, dst := randAddr4(r), randAddr4(r)
		opt, _ := AppendIPv4Timestamp(nil, IPv4TSAddr, 1, []IPv4TSEntry{{Addr: src, Time: r.Uint32()}}, 1, 1)
		ipf := IPv4Fields{TOS: uint8(r.Uint32()), ID: uint16(r.Uint32()), Flags: IPv4Flags(r.IntN(2) << 1), // gopacket decodes no transport in fragments
			TTL: uint8(r.Uint32()), Protocol: ICMPv4ProtocolNumber, Src: src, Dst: dst, Options: opt}
		icf := ICMPv4Fields{Type: ICMPv4DestUnreachable, Code: ICMPv4FragmentationNeeded, NextHopMTU: uint16(r.Uint32())}
		quote := []byte{0x45, 0, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
		ipf.PayloadLen = icf.Len() + len(quote)
		ef := EthernetFields{Dst: MAC{1, 0, 0x5e, 0, 0, 1}, Src: MAC{2, 0, 0, 0, 0, byte(i)},
			Tags: []VLANTag{{TPID: EtherTypeQinQ, VID: uint16(r.IntN(4096))}, {PCP: 3, VID: 10}}, EtherType: EtherTypeIPv4}
		frame := make([]byte, ef.Len()+ipf.Len()+ipf.PayloadLen)
		off := ef.Len() + ipf.Len()
		copy(frame[off+icf.Len():], quote)
		mustEncode(t, icf.Encode, frame[off:])
		mustEncode(t, ipf.Encode, frame[ef.Len():])
		mustEncode(t, ef.Encode, frame)
		pkt := gopacket.NewPacket(frame, layers.LayerTypeEthernet, gopacket.Default)
		if el := pkt.ErrorLayer(); el != nil {
			t.Fatalf("gopacket: %v", el.Error())
		}
		ip, _ := pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		ic, _ := pkt.Layer(layers.LayerTypeICMPv4).(*layers.ICMPv4)
		if ip == nil || ic == nil {
			t.Fatalf("layers %v", pkt.Layers())
		}
		if ip.TOS != ipf.TOS || ip.Id != ipf.ID || uint8(ip.Flags) != uint8(ipf.Flags) || ip.FragOffset != ipf.FragOffset ||
			ip.TTL != ipf.TTL || !ip.SrcIP.Equal(ipOf(src)) || !ip.DstIP.Equal(ipOf(dst)) || int(ip.Length) != len(frame)-ef.Len() ||
			len(ip.Options) < 1 || ip.Options[0].OptionType != 68 || !bytes.Equal(ip.Options[0].OptionData, opt[2:]) {
			t.Fatalf("gopacket ipv4 %+v", ip)
		}
		if ic.TypeCode.Type() != 3 || ic.TypeCode.Code() != 4 || ic.Seq != icf.NextHopMTU {
			t.Fatalf("gopacket icmp %+v", ic)
		}
		d1, _ := pkt.Layers()[1].(*layers.Dot1Q)
		if d1 == nil || d1.VLANIdentifier != ef.Tags[0].VID {
			t.Fatalf("gopacket dot1q %v", pkt.Layers())
		}
	}
	// IGMPv3 report decoded by gopacket.
	f := IGMPFields{Type: IGMPv3Report, Records: []IGMPRecordFields{
		{Type: IGMPModeIsExclude, Group: addr4("239.9.9.9"), Sources: []netip.Addr{addr4("10.0.0.1"), addr4("10.0.0.2")}}}}
	b := make([]byte, f.Len())
	mustEncode(t, f.Encode, b)
	pkt := gopacket.NewPacket(b, layers.LayerTypeIGMP, gopacket.Default)
	g, _ := pkt.Layer(layers.LayerTypeIGMP).(*layers.IGMP)
	if g == nil || g.NumberOfGroupRecords != 1 || len(g.GroupRecords) != 1 || g.GroupRecords[0].NumberOfSources != 2 ||
		!g.GroupRecords[0].MulticastAddress.Equal(net.IP{239, 9, 9, 9}) || !g.GroupRecords[0].SourceAddresses[1].Equal(net.IP{10, 0, 0, 2}) {
		t.Fatalf("gopacket igmp %+v", pkt)
	}
}

func mustEncode(t *testing.T, enc func([]byte) (int, error), b []byte) {
	t.Helper()
	if _, err := enc(b); err != nil {
		t.Fatal(err)
	}
}
