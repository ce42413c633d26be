package wire

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// v6gpOpt returns a gopacket ND option: data is everything after the type
// and length octets.
func v6gpOpt(typ layers.ICMPv6Opt, data []byte) layers.ICMPv6Option {
	return layers.ICMPv6Option{Type: typ, Data: data}
}

func TestGopacket_NDP(t *testing.T) {
	mac := v6MAC[:]
	prefix := NDPPrefixInfoFields{PrefixLen: 64, OnLink: true, Autonomous: true, ValidLifetime: 2592000,
		PreferredLifetime: 604800, Prefix: netip.MustParseAddr("2001:db8:1::")}
	prefixData := v6Encode(t, &prefix)[2:]
	solNode := netip.MustParseAddr("ff02::1:ff00:2")
	for _, tc := range []struct {
		name     string
		src, dst netip.Addr
		gp       []gopacket.SerializableLayer
		fixed    v6Builder
		opts     []v6Builder
	}{
		{"router solicitation", v6LL1, v6AllRouters,
			[]gopacket.SerializableLayer{v6gpICMP(133), &layers.ICMPv6RouterSolicitation{
				Options: layers.ICMPv6Options{v6gpOpt(layers.ICMPv6OptSourceAddress, mac)}}},
			&RouterSolicitFields{}, []v6Builder{&NDPLinkAddrFields{Type: NDPSourceLinkAddr, Addr: v6MAC}}},
		{"router advertisement", v6LL1, v6AllNodes,
			[]gopacket.SerializableLayer{v6gpICMP(134), &layers.ICMPv6RouterAdvertisement{
				HopLimit: 64, Flags: 0x80, RouterLifetime: 1800, ReachableTime: 30000, RetransTimer: 1000,
				// gopacket 1.7.7 serializes options last to first.
				Options: layers.ICMPv6Options{
					v6gpOpt(layers.ICMPv6OptPrefixInfo, prefixData),
					v6gpOpt(layers.ICMPv6OptMTU, []byte{0, 0, 0, 0, 0x05, 0xdc}),
					v6gpOpt(layers.ICMPv6OptSourceAddress, mac),
				}}},
			&RouterAdvertFields{CurHopLimit: 64, Managed: true, RouterLifetime: 1800, ReachableTime: 30000, RetransTimer: 1000},
			[]v6Builder{&NDPLinkAddrFields{Type: NDPSourceLinkAddr, Addr: v6MAC}, &NDPMTUFields{MTU: 1500}, &prefix}},
		{"neighbor solicitation", v6LL1, solNode,
			[]gopacket.SerializableLayer{v6gpICMP(135), &layers.ICMPv6NeighborSolicitation{
				TargetAddress: v6LL2.AsSlice(), Options: layers.ICMPv6Options{v6gpOpt(layers.ICMPv6OptSourceAddress, mac)}}},
			&NeighborSolicitFields{Target: v6LL2}, []v6Builder{&NDPLinkAddrFields{Type: NDPSourceLinkAddr, Addr: v6MAC}}},
		{"neighbor advertisement", v6LL2, v6LL1,
			[]gopacket.SerializableLayer{v6gpICMP(136), &layers.ICMPv6NeighborAdvertisement{
				Flags: 0x60, TargetAddress: v6LL2.AsSlice(), Options: layers.ICMPv6Options{v6gpOpt(layers.ICMPv6OptTargetAddress, mac)}}},
			&NeighborAdvertFields{Solicited: true, Override: true, Target: v6LL2},
			[]v6Builder{&NDPLinkAddrFields{Type: NDPTargetLinkAddr, Addr: v6MAC}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// RFC 4861 §6.1, §7.1: ND messages are sent with Hop Limit 255.
			gp := v6gpSerialize(t, append([]gopacket.SerializableLayer{v6gpIP(tc.src, tc.dst, layers.IPProtocolICMPv6, 255)}, tc.gp...)...)
			parts := [][]byte{v6Encode(t, tc.fixed)}
			for _, o := range tc.opts {
				parts = append(parts, v6Encode(t, o))
			}
			w := v6WirePacket(t, tc.src, tc.dst, 255, nil, IPv6ICMP, parts...)
			v6CrossCheck(t, gp, w)
		})
	}
}

func TestGopacket_MLD(t *testing.T) {
	group := netip.MustParseAddr("ff05::1")
	for _, tc := range []struct {
		name string
		dst  netip.Addr
		gp   []gopacket.SerializableLayer
		w    []v6Builder
	}{
		{"mldv1 general query", v6AllNodes,
			[]gopacket.SerializableLayer{v6gpICMP(130), &layers.MLDv1MulticastListenerQueryMessage{
				MLDv1Message: layers.MLDv1Message{MaximumResponseDelay: 10 * time.Second, MulticastAddress: net.IPv6zero}}},
			[]v6Builder{&MLDFields{Type: ICMPv6MLDQuery, MaxResponseDelay: 10000, MulticastAddr: netip.IPv6Unspecified()}}},
		{"mldv1 report", group,
			[]gopacket.SerializableLayer{v6gpICMP(131), &layers.MLDv1MulticastListenerReportMessage{
				MLDv1Message: layers.MLDv1Message{MulticastAddress: group.AsSlice()}}},
			[]v6Builder{&MLDFields{Type: ICMPv6MLDReport, MulticastAddr: group}}},
		{"mldv1 done", v6AllRouters,
			[]gopacket.SerializableLayer{v6gpICMP(132), &layers.MLDv1MulticastListenerDoneMessage{
				MLDv1Message: layers.MLDv1Message{MulticastAddress: group.AsSlice()}}},
			[]v6Builder{&MLDFields{Type: ICMPv6MLDDone, MulticastAddr: group}}},
		{"mldv2 query", group,
			[]gopacket.SerializableLayer{v6gpICMP(130), &layers.MLDv2MulticastListenerQueryMessage{
				MaximumResponseCode: 0x8123, MulticastAddress: group.AsSlice(), SuppressRoutersideProcessing: true,
				QueriersRobustnessVariable: 2, QueriersQueryIntervalCode: 125, NumberOfSources: 2,
				SourceAddresses: []net.IP{v6Src.AsSlice(), v6Dst.AsSlice()}}},
			[]v6Builder{&MLDv2QueryFields{MaxRespCode: 0x8123, MulticastAddr: group, SuppressRouterSide: true, QRV: 2, QQIC: 125,
				Sources: []netip.Addr{v6Src, v6Dst}}}},
		{"mldv2 report", v6MLDv2Rtrs,
			[]gopacket.SerializableLayer{v6gpICMP(143), &layers.MLDv2MulticastListenerReportMessage{
				MulticastAddressRecords: []layers.MLDv2MulticastAddressRecord{
					{RecordType: 4, MulticastAddress: v6SolNode.AsSlice()},
					{RecordType: 5, N: 1, MulticastAddress: group.AsSlice(), SourceAddresses: []net.IP{v6Src.AsSlice()},
						AuxDataLen: 1, AuxiliaryData: []byte{0xca, 0xfe, 0xba, 0xbe}},
				}}},
			[]v6Builder{&MLDv2ReportFields{NumRecords: 2},
				&MLDv2RecordFields{Type: MLDv2ChangeToExclude, MulticastAddr: v6SolNode},
				&MLDv2RecordFields{Type: MLDv2AllowNewSources, MulticastAddr: group, Sources: []netip.Addr{v6Src}, AuxData: []byte{0xca, 0xfe, 0xba, 0xbe}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// RFC 2710 §3, RFC 3810 §5: link-local source, Hop Limit 1 and a
			// Router Alert in a Hop-by-Hop header.
			ip := v6gpIP(v6LL1, tc.dst, layers.IPProtocolIPv6HopByHop, 1)
			gp := v6gpSerialize(t, append([]gopacket.SerializableLayer{ip, v6gpRouterAlert()}, tc.gp...)...)
			var parts [][]byte
			for _, b := range tc.w {
				parts = append(parts, v6Encode(t, b))
			}
			w := v6WirePacket(t, v6LL1, tc.dst, 1, []v6Builder{v6RouterAlert()}, IPv6HopByHop, parts...)
			v6CrossCheck(t, gp, w)
		})
	}
}
