package wire

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// The pcaps in testdata/pcap were recorded from real Linux traffic by
// scripts/capture.sh (with transmit checksum offload off, so every checksum
// is complete). TestPcapAgainstGopacket parses every frame with wire and with
// gopacket and compares the fields; it also requires every checksum the
// capture carries to verify.

// pcapCounts counts what the comparison covered, so the test fails if the
// captures stop exercising a layer.
type pcapCounts map[string]int

func TestPcapAgainstGopacket(t *testing.T) {
	files, err := filepath.Glob("testdata/pcap/*.pcap")
	if err != nil || len(files) == 0 {
		t.Fatalf("no captures in testdata/pcap (run scripts/capture.sh): %v", err)
	}
	counts := pcapCounts{}
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			for i, frame := range readPcap(t, name) {
				pcapCompareFrame(t, i+1, frame, counts)
			}
		})
	}
	// What scripts/capture.sh records, at the least.
	want := pcapCounts{"ethernet": 350, "arp": 2, "ipv4": 280, "ipv4 options": 4, "ipv4 fragment": 8,
		"icmpv4": 8, "igmp": 4, "ipv6": 60, "ipv6 ext": 15, "icmpv6": 25, "ndp": 6, "mld": 6,
		"udp": 8, "tcp": 280, "tcp sack": 20, "tcp syn options": 4}
	for k, n := range want {
		if counts[k] < n {
			t.Errorf("%s compared %d times, want at least %d", k, counts[k], n)
		}
	}
	t.Logf("compared: %v", counts)
}

// readPcap returns the frames of a pcap file, read with gopacket's pure-Go
// reader.
func readPcap(t *testing.T, name string) [][]byte {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if r.LinkType() != layers.LinkTypeEthernet {
		t.Fatalf("link type %v", r.LinkType())
	}
	var frames [][]byte
	for {
		data, ci, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			return frames
		}
		if err != nil {
			t.Fatal(err)
		}
		if ci.CaptureLength != ci.Length {
			t.Fatalf("frame %d truncated by the capture", len(frames)+1)
		}
		frames = append(frames, data)
	}
}

// pcapDiff reports a difference between what wire and gopacket read.
func pcapDiff(t *testing.T, n int, what string, wire, gp any) {
	t.Helper()
	addrs := cmp.Comparer(func(a, b netip.Addr) bool { return a == b })
	if d := cmp.Diff(wire, gp, addrs); d != "" {
		t.Errorf("frame %d: %s differs (-wire +gopacket):\n%s", n, what, d)
	}
}

// gpAddr converts a gopacket IP to a netip.Addr of the family want has.
func gpAddr(ip net.IP, want netip.Addr) netip.Addr {
	if want.Is4() {
		ip = ip.To4()
	}
	a, _ := netip.AddrFromSlice(ip)
	return a
}

func pcapCompareFrame(t *testing.T, n int, frame []byte, counts pcapCounts) {
	pkt := gopacket.NewPacket(frame, layers.LayerTypeEthernet, gopacket.Default)
	eth, err := ParseEthernet(frame)
	if err != nil {
		t.Errorf("frame %d: %v", n, err)
		return
	}
	ge, ok := pkt.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
	if !ok {
		t.Errorf("frame %d: gopacket found no Ethernet layer", n)
		return
	}
	type ethF struct {
		Src, Dst string
		Type     uint16
	}
	src, dst := eth.Src(), eth.Dst()
	pcapDiff(t, n, "ethernet", ethF{net.HardwareAddr(src[:]).String(), net.HardwareAddr(dst[:]).String(), uint16(eth.EtherType())},
		ethF{ge.SrcMAC.String(), ge.DstMAC.String(), uint16(ge.EthernetType)})
	counts["ethernet"]++
	switch eth.EtherType() {
	case EtherTypeARP:
		pcapCompareARP(t, n, eth.Payload(), pkt, counts)
	case EtherTypeIPv4:
		pcapCompareIPv4(t, n, eth.Payload(), pkt, counts)
	case EtherTypeIPv6:
		pcapCompareIPv6(t, n, eth.Payload(), pkt, counts)
	default:
		t.Errorf("frame %d: unexpected EtherType %v", n, eth.EtherType())
	}
}

func pcapCompareARP(t *testing.T, n int, b []byte, pkt gopacket.Packet, counts pcapCounts) {
	a, err := ParseARP(b)
	ga, ok := pkt.Layer(layers.LayerTypeARP).(*layers.ARP)
	if err != nil || !ok {
		t.Errorf("frame %d: ARP: wire %v, gopacket found %v", n, err, ok)
		return
	}
	type arpF struct {
		Op       uint16
		SHA, THA string
		SPA, TPA netip.Addr
	}
	sha, tha := a.SHA(), a.THA()
	pcapDiff(t, n, "ARP", arpF{uint16(a.Op()), net.HardwareAddr(sha[:]).String(), net.HardwareAddr(tha[:]).String(), a.SPA(), a.TPA()},
		arpF{ga.Operation, net.HardwareAddr(ga.SourceHwAddress).String(), net.HardwareAddr(ga.DstHwAddress).String(),
			gpAddr(ga.SourceProtAddress, a.SPA()), gpAddr(ga.DstProtAddress, a.TPA())})
	counts["arp"]++
}

func pcapCompareIPv4(t *testing.T, n int, b []byte, pkt gopacket.Packet, counts pcapCounts) {
	ip, err := ParseIPv4(b)
	gi, ok := pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
	if err != nil || !ok {
		t.Errorf("frame %d: IPv4: wire %v, gopacket found %v", n, err, ok)
		return
	}
	type ipF struct {
		IHL, TOS         uint8
		Length, ID       uint16
		Flags            uint8
		FragOff          uint16
		TTL, Proto       uint8
		Checksum         uint16
		Src, Dst         netip.Addr
		Options, Payload []byte
	}
	pcapDiff(t, n, "IPv4",
		ipF{uint8(ip.HeaderLen() / 4), ip.TOS(), ip.TotalLen(), ip.ID(), uint8(ip.Flags()), ip.FragOffset(), ip.TTL(),
			ip.Protocol(), ip.Checksum(), ip.Src(), ip.Dst(), []byte(ip.Options()), ip.Payload()},
		ipF{gi.IHL, gi.TOS, gi.Length, gi.Id, uint8(gi.Flags), gi.FragOffset, gi.TTL, uint8(gi.Protocol), gi.Checksum,
			gpAddr(gi.SrcIP, ip.Src()), gpAddr(gi.DstIP, ip.Dst()), gi.Contents[IPv4MinHeaderLen:], gi.Payload})
	if !ip.ChecksumValid() {
		t.Errorf("frame %d: IPv4 header checksum %#04x does not verify", n, ip.Checksum())
	}
	counts["ipv4"]++
	if ip.HeaderLen() > IPv4MinHeaderLen {
		counts["ipv4 options"]++
	}
	if ip.IsFragment() {
		// The transport header's checksum covers the whole datagram.
		counts["ipv4 fragment"]++
		return
	}
	switch ip.Protocol() {
	case 1:
		pcapCompareICMPv4(t, n, ip.Payload(), pkt, counts)
	case 2:
		pcapCompareIGMP(t, n, ip.Payload(), pkt, counts)
	default:
		pcapCompareTransport(t, n, ip.Protocol(), ip.Src(), ip.Dst(), ip.Payload(), pkt, counts)
	}
}

func pcapCompareICMPv4(t *testing.T, n int, b []byte, pkt gopacket.Packet, counts pcapCounts) {
	m, err := ParseICMPv4(b)
	gm, ok := pkt.Layer(layers.LayerTypeICMPv4).(*layers.ICMPv4)
	if err != nil || !ok {
		t.Errorf("frame %d: ICMPv4: wire %v, gopacket found %v", n, err, ok)
		return
	}
	type icmpF struct {
		Type, Code uint8
		Checksum   uint16
		Rest       uint32
		ID, Seq    uint16
		Body       []byte
	}
	pcapDiff(t, n, "ICMPv4",
		icmpF{uint8(m.Type()), uint8(m.Code()), m.Checksum(), m.RestOfHeader(), m.ID(), m.Seq(), m.Body()},
		icmpF{gm.TypeCode.Type(), gm.TypeCode.Code(), gm.Checksum, uint32(gm.Id)<<16 | uint32(gm.Seq), gm.Id, gm.Seq, gm.Payload})
	if !m.ChecksumValid() {
		t.Errorf("frame %d: ICMPv4 checksum %#04x does not verify", n, m.Checksum())
	}
	counts["icmpv4"]++
}

func pcapCompareIGMP(t *testing.T, n int, b []byte, pkt gopacket.Packet, counts pcapCounts) {
	m, err := ParseIGMP(b)
	if err != nil {
		t.Errorf("frame %d: IGMP: %v", n, err)
		return
	}
	if !m.ChecksumValid() {
		t.Errorf("frame %d: IGMP checksum %#04x does not verify", n, m.Checksum())
	}
	type igmpF struct {
		Type     uint8
		Checksum uint16
		Groups   []netip.Addr
	}
	w := igmpF{Type: uint8(m.Type()), Checksum: m.Checksum()}
	var g igmpF
	switch gl := pkt.Layer(layers.LayerTypeIGMP).(type) {
	case *layers.IGMPv1or2:
		w.Groups = []netip.Addr{m.Group()}
		g = igmpF{uint8(gl.Type), gl.Checksum, []netip.Addr{gpAddr(gl.GroupAddress, m.Group())}}
	case *layers.IGMP:
		for it := m.Records(); ; {
			r, ok := it.Next()
			if !ok {
				break
			}
			w.Groups = append(w.Groups, r.Group())
		}
		g = igmpF{Type: uint8(gl.Type), Checksum: gl.Checksum}
		for _, r := range gl.GroupRecords {
			g.Groups = append(g.Groups, gpAddr(r.MulticastAddress, netip.IPv4Unspecified()))
		}
	default:
		t.Errorf("frame %d: gopacket found no IGMP layer", n)
		return
	}
	pcapDiff(t, n, "IGMP", w, g)
	counts["igmp"]++
}

func pcapCompareIPv6(t *testing.T, n int, b []byte, pkt gopacket.Packet, counts pcapCounts) {
	ip, err := ParseIPv6(b)
	gi, ok := pkt.Layer(layers.LayerTypeIPv6).(*layers.IPv6)
	if err != nil || !ok {
		t.Errorf("frame %d: IPv6: wire %v, gopacket found %v", n, err, ok)
		return
	}
	type ipF struct {
		TrafficClass, NextHeader, HopLimit uint8
		FlowLabel                          uint32
		Length                             uint16
		Src, Dst                           netip.Addr
	}
	pcapDiff(t, n, "IPv6",
		ipF{ip.TrafficClass(), ip.NextHeader(), ip.HopLimit(), ip.FlowLabel(), ip.PayloadLen(), ip.Src(), ip.Dst()},
		ipF{gi.TrafficClass, uint8(gi.NextHeader), gi.HopLimit, gi.FlowLabel, gi.Length,
			gpAddr(gi.SrcIP, ip.Src()), gpAddr(gi.DstIP, ip.Dst())})
	counts["ipv6"]++

	// The extension headers, in order, against gopacket's extension layers.
	type extF struct {
		Type  uint8
		Bytes []byte
	}
	var wext, gext []extF
	fragmented := false
	it := ip.ExtHeaders()
	for it.Next() {
		h := it.Header()
		wext = append(wext, extF{h.Type, h.Bytes})
		if fh, err := h.Fragment(); err == nil && (fh.FragmentOffset() != 0 || fh.MoreFragments()) {
			fragmented = true
			gf, _ := pkt.Layer(layers.LayerTypeIPv6Fragment).(*layers.IPv6Fragment)
			if gf == nil || gf.FragmentOffset != fh.FragmentOffset() || gf.MoreFragments != fh.MoreFragments() ||
				gf.Identification != fh.Identification() || uint8(gf.NextHeader) != fh.NextHeader() {
				t.Errorf("frame %d: fragment header differs: wire % x, gopacket %+v", n, []byte(fh), gf)
			}
		}
	}
	if it.Err() != nil {
		t.Errorf("frame %d: extension headers: %v", n, it.Err())
		return
	}
	for _, l := range pkt.Layers() {
		switch l.LayerType() {
		case layers.LayerTypeIPv6HopByHop:
			gext = append(gext, extF{IPv6HopByHop, l.LayerContents()})
		case layers.LayerTypeIPv6Fragment:
			gext = append(gext, extF{IPv6Fragment, l.LayerContents()})
		case layers.LayerTypeIPv6Destination:
			gext = append(gext, extF{IPv6DestOpts, l.LayerContents()})
		case layers.LayerTypeIPv6Routing:
			gext = append(gext, extF{IPv6Routing, l.LayerContents()})
		}
	}
	pcapDiff(t, n, "IPv6 extension headers", wext, gext)
	counts["ipv6 ext"] += len(wext)
	if fragmented {
		return
	}
	proto, off := it.Upper()
	if proto == IPv6ICMP {
		pcapCompareICMPv6(t, n, ip.Src(), ip.Dst(), []byte(ip)[off:], pkt, counts)
		return
	}
	pcapCompareTransport(t, n, proto, ip.Src(), ip.Dst(), []byte(ip)[off:], pkt, counts)
}

func pcapCompareICMPv6(t *testing.T, n int, src, dst netip.Addr, b []byte, pkt gopacket.Packet, counts pcapCounts) {
	m, err := ParseICMPv6(b)
	gm, ok := pkt.Layer(layers.LayerTypeICMPv6).(*layers.ICMPv6)
	if err != nil || !ok {
		t.Errorf("frame %d: ICMPv6: wire %v, gopacket found %v", n, err, ok)
		return
	}
	type icmpF struct {
		Type, Code uint8
		Checksum   uint16
		Body       []byte
	}
	// gopacket keeps the 4 bytes after the checksum in the next layer.
	pcapDiff(t, n, "ICMPv6", icmpF{uint8(m.Type()), m.Code(), m.Checksum(), b[4:]},
		icmpF{gm.TypeCode.Type(), gm.TypeCode.Code(), gm.Checksum, gm.Payload})
	if err := m.VerifyChecksum(src, dst); err != nil {
		t.Errorf("frame %d: %v", n, err)
	}
	counts["icmpv6"]++
	pcapCompareNDPMLD(t, n, m, pkt, counts)
}

// pcapCompareNDPMLD compares the target of neighbour solicitations and
// advertisements (RFC 4861 §4.3, §4.4) and the addresses of MLD messages
// (RFC 2710 §3, RFC 3810 §5.2).
func pcapCompareNDPMLD(t *testing.T, n int, m ICMPv6, pkt gopacket.Packet, counts pcapCounts) {
	var w, g []netip.Addr
	switch m.Type() {
	case ICMPv6NeighborSolicit:
		ns, err := ParseNeighborSolicit(m)
		gl, _ := pkt.Layer(layers.LayerTypeICMPv6NeighborSolicitation).(*layers.ICMPv6NeighborSolicitation)
		if err != nil || gl == nil {
			t.Errorf("frame %d: NS: wire %v, gopacket %v", n, err, gl)
			return
		}
		w, g = []netip.Addr{ns.Target()}, []netip.Addr{gpAddr(gl.TargetAddress, ns.Target())}
		counts["ndp"]++
	case ICMPv6NeighborAdvert:
		na, err := ParseNeighborAdvert(m)
		gl, _ := pkt.Layer(layers.LayerTypeICMPv6NeighborAdvertisement).(*layers.ICMPv6NeighborAdvertisement)
		if err != nil || gl == nil {
			t.Errorf("frame %d: NA: wire %v, gopacket %v", n, err, gl)
			return
		}
		w, g = []netip.Addr{na.Target()}, []netip.Addr{gpAddr(gl.TargetAddress, na.Target())}
		if na.Solicited() != gl.Solicited() || na.Override() != gl.Override() || na.Router() != gl.Router() {
			t.Errorf("frame %d: NA flags differ", n)
		}
		counts["ndp"]++
	case ICMPv6MLDReport, ICMPv6MLDDone:
		ml, err := ParseMLD(m)
		if err != nil {
			t.Errorf("frame %d: MLD: %v", n, err)
			return
		}
		w = []netip.Addr{ml.MulticastAddr()}
		for _, l := range pkt.Layers() {
			if v1, ok := l.(*layers.MLDv1MulticastListenerReportMessage); ok {
				g = append(g, gpAddr(v1.MulticastAddress, ml.MulticastAddr()))
			}
			if v1, ok := l.(*layers.MLDv1MulticastListenerDoneMessage); ok {
				g = append(g, gpAddr(v1.MulticastAddress, ml.MulticastAddr()))
			}
		}
		counts["mld"]++
	case ICMPv6MLDv2Report:
		r, err := ParseMLDv2Report(m)
		gl, _ := pkt.Layer(layers.LayerTypeMLDv2MulticastListenerReport).(*layers.MLDv2MulticastListenerReportMessage)
		if err != nil || gl == nil {
			t.Errorf("frame %d: MLDv2 report: wire %v, gopacket %v", n, err, gl)
			return
		}
		for it := r.Records(); ; {
			rec, ok := it.Next()
			if !ok {
				break
			}
			w = append(w, rec.MulticastAddr())
		}
		for _, rec := range gl.MulticastAddressRecords {
			g = append(g, gpAddr(rec.MulticastAddress, netip.IPv6Unspecified()))
		}
		counts["mld"]++
	default:
		return
	}
	pcapDiff(t, n, m.Type().String()+" addresses", w, g)
}

// pcapCompareTransport compares a TCP or UDP header, options and payload
// with gopacket's and verifies its checksum both ways.
func pcapCompareTransport(t *testing.T, n int, proto uint8, src, dst netip.Addr, b []byte, pkt gopacket.Packet, counts pcapCounts) {
	switch proto {
	case TCPProtocolNumber:
		seg, err := ParseTCP(b)
		gt, ok := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if err != nil || !ok {
			t.Errorf("frame %d: TCP: wire %v, gopacket found %v", n, err, ok)
			return
		}
		compareTCPWithGopacket(t, seg, gt, gt.Payload)
		if !seg.VerifyChecksum(src, dst) {
			t.Errorf("frame %d: TCP checksum %#04x does not verify", n, seg.Checksum())
		}
		if err := gt.SetNetworkLayerForChecksum(pkt.NetworkLayer()); err != nil {
			t.Fatal(err)
		}
		if err, res := gt.VerifyChecksum(); err != nil || !res.Valid {
			t.Errorf("frame %d: gopacket rejects the TCP checksum: %v %+v", n, err, res)
		}
		o, err := ParseTCPOptions(seg.Options())
		if err != nil {
			t.Errorf("frame %d: TCP options: %v", n, err)
		}
		if o.NumSACKBlocks > 0 {
			counts["tcp sack"]++
		}
		if o.HasMSS && o.HasWindowScale && o.HasTimestamps && o.SACKPermitted {
			counts["tcp syn options"]++
		}
		counts["tcp"]++
	case UDPProtocolNumber:
		u, err := ParseUDP(b)
		gu, ok := pkt.Layer(layers.LayerTypeUDP).(*layers.UDP)
		if err != nil || !ok {
			t.Errorf("frame %d: UDP: wire %v, gopacket found %v", n, err, ok)
			return
		}
		type udpF struct {
			SrcPort, DstPort, Length, Checksum uint16
			Payload                            []byte
		}
		pcapDiff(t, n, "UDP", udpF{u.SrcPort(), u.DstPort(), u.Length(), u.Checksum(), u.Payload()},
			udpF{uint16(gu.SrcPort), uint16(gu.DstPort), gu.Length, gu.Checksum, gu.Payload})
		if u.Checksum() == 0 || !u.VerifyChecksum(src, dst) {
			t.Errorf("frame %d: UDP checksum %#04x does not verify", n, u.Checksum())
		}
		if err := gu.SetNetworkLayerForChecksum(pkt.NetworkLayer()); err != nil {
			t.Fatal(err)
		}
		if err, res := gu.VerifyChecksum(); err != nil || !res.Valid {
			t.Errorf("frame %d: gopacket rejects the UDP checksum: %v %+v", n, err, res)
		}
		counts["udp"]++
	default:
		t.Errorf("frame %d: unexpected protocol %d", n, proto)
	}
}

// TestPcapCorruptionDetected flips one bit in the TCP payload of a captured
// frame and checks that the comparison's checksum test sees it.
func TestPcapCorruptionDetected(t *testing.T) {
	frames := readPcap(t, "testdata/pcap/tcp4-http.pcap")
	for _, f := range frames {
		ip, err := ParseIPv4(f[EthernetHeaderLen:])
		if err != nil || ip.Protocol() != TCPProtocolNumber {
			continue
		}
		seg, err := ParseTCP(ip.Payload())
		if err != nil || len(seg.Payload()) == 0 {
			continue
		}
		if !seg.VerifyChecksum(ip.Src(), ip.Dst()) {
			t.Fatal("captured segment does not verify")
		}
		c := bytes.Clone(f)
		cip, _ := ParseIPv4(c[EthernetHeaderLen:])
		cseg, _ := ParseTCP(cip.Payload())
		cseg.Payload()[0] ^= 0x10
		if cseg.VerifyChecksum(cip.Src(), cip.Dst()) {
			t.Fatal("corrupted segment verifies")
		}
		return
	}
	t.Fatal("no TCP segment with data in the capture")
}
