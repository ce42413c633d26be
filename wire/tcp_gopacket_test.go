package wire

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"net"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// gpNetwork returns a gopacket network layer for src and dst, for checksums.
func gpNetwork(src, dst netip.Addr, proto layers.IPProtocol) gopacket.NetworkLayer {
	if src.Is4() {
		return &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: proto,
			SrcIP: net.IP(src.AsSlice()), DstIP: net.IP(dst.AsSlice())}
	}
	return &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: proto,
		SrcIP: net.IP(src.AsSlice()), DstIP: net.IP(dst.AsSlice())}
}

// randTCPOptions draws a set of options, each present or not.
func randTCPOptions(r *rand.Rand) TCPOptions {
	var o TCPOptions
	o.HasMSS, o.MSS = r.IntN(2) == 0, uint16(r.Uint32())
	o.HasWindowScale, o.WindowScale = r.IntN(2) == 0, uint8(r.IntN(16))
	o.HasTimestamps, o.TSVal, o.TSEcr = r.IntN(2) == 0, r.Uint32(), r.Uint32()
	o.SACKPermitted = r.IntN(2) == 0
	max := (TCPMaxOptionsLen - o.Len() - 4) / 8
	if max > 0 {
		o.NumSACKBlocks = r.IntN(min(max, TCPMaxSACKBlocks) + 1)
	}
	for i := range o.NumSACKBlocks {
		o.SACKBlocks[i] = TCPSACKBlock{r.Uint32(), r.Uint32()}
	}
	if !o.HasMSS {
		o.MSS = 0
	}
	if !o.HasWindowScale {
		o.WindowScale = 0
	}
	if !o.HasTimestamps {
		o.TSVal, o.TSEcr = 0, 0
	}
	return o
}

// gpTCPOptions lists o as gopacket options, encoded by hand, in a shuffled
// order with a NOP and an unknown option mixed in and an End at the end.
func gpTCPOptions(r *rand.Rand, o TCPOptions) []layers.TCPOption {
	var opts []layers.TCPOption
	add := func(kind layers.TCPOptionKind, data []byte) {
		opts = append(opts, layers.TCPOption{OptionType: kind, OptionLength: uint8(2 + len(data)), OptionData: data})
	}
	if o.HasMSS {
		add(layers.TCPOptionKindMSS, binary.BigEndian.AppendUint16(nil, o.MSS))
	}
	if o.HasWindowScale {
		add(layers.TCPOptionKindWindowScale, []byte{o.WindowScale})
	}
	if o.HasTimestamps {
		add(layers.TCPOptionKindTimestamps, binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, o.TSVal), o.TSEcr))
	}
	if o.SACKPermitted {
		add(layers.TCPOptionKindSACKPermitted, nil)
	}
	if o.NumSACKBlocks > 0 {
		var d []byte
		for _, b := range o.SACKBlocks[:o.NumSACKBlocks] {
			d = binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(d, b.Left), b.Right)
		}
		add(layers.TCPOptionKindSACK, d)
	}
	r.Shuffle(len(opts), func(i, j int) { opts[i], opts[j] = opts[j], opts[i] })
	if r.IntN(2) == 0 {
		opts = append([]layers.TCPOption{{OptionType: layers.TCPOptionKindNop, OptionLength: 1}}, opts...)
	}
	n := 0
	for _, op := range opts {
		n += int(op.OptionLength)
	}
	if n+4+1 <= TCPMaxOptionsLen && r.IntN(2) == 0 {
		add(253, []byte{0xde, 0xad}) // RFC 4727 experimental kind
		n += 4
	}
	if n+1 <= TCPMaxOptionsLen {
		opts = append(opts, layers.TCPOption{OptionType: layers.TCPOptionKindEndList, OptionLength: 1})
	}
	return opts
}

func TestTCPGopacketBuildsWireParses(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 400 {
		src, dst := udpSrc4, udpDst4
		if i%2 == 1 {
			src, dst = udpSrc6, udpDst6
		}
		o := randTCPOptions(r)
		gp := &layers.TCP{SrcPort: layers.TCPPort(r.Uint32()), DstPort: layers.TCPPort(r.Uint32()),
			Seq: r.Uint32(), Ack: r.Uint32(), Window: uint16(r.Uint32()), Urgent: uint16(r.Uint32()),
			SYN: r.IntN(2) == 0, ACK: r.IntN(2) == 0, FIN: r.IntN(4) == 0, RST: r.IntN(8) == 0,
			PSH: r.IntN(2) == 0, URG: r.IntN(4) == 0, ECE: r.IntN(4) == 0, CWR: r.IntN(4) == 0,
			Options: gpTCPOptions(r, o)}
		if err := gp.SetNetworkLayerForChecksum(gpNetwork(src, dst, layers.IPProtocolTCP)); err != nil {
			t.Fatal(err)
		}
		payload := make([]byte, r.IntN(64))
		for j := range payload {
			payload[j] = byte(r.Uint32())
		}
		buf := gopacket.NewSerializeBuffer()
		err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
			gp, gopacket.Payload(payload))
		if err != nil {
			t.Fatal(err)
		}
		seg, err := ParseTCP(buf.Bytes())
		if err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		compareTCPWithGopacket(t, seg, gp, payload)
		if !seg.VerifyChecksum(src, dst) {
			t.Errorf("packet %d: gopacket's checksum %#04x does not verify", i, seg.Checksum())
		}
		got, err := ParseTCPOptions(seg.Options())
		if err != nil || got != o {
			t.Errorf("packet %d: options %+v, %v; want %+v", i, got, err, o)
		}
	}
}

func TestTCPWireBuildsGopacketParses(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 400 {
		src, dst := udpSrc4, udpDst4
		if i%2 == 1 {
			src, dst = udpSrc6, udpDst6
		}
		o := randTCPOptions(r)
		payload := make([]byte, r.IntN(64))
		buf := make([]byte, TCPMaxHeaderLen+len(payload))
		off := TCPMaxHeaderLen
		copy(buf[off:], payload)
		f := TCPFields{SrcPort: uint16(r.Uint32()), DstPort: uint16(r.Uint32()), Seq: r.Uint32(), Ack: r.Uint32(),
			Flags: TCPFlags(r.Uint32()), Window: uint16(r.Uint32()), Urgent: uint16(r.Uint32())}
		hdr := buf[off-TCPMinHeaderLen-o.Len() : off]
		n, err := o.Encode(hdr[TCPMinHeaderLen:])
		if err != nil {
			t.Fatal(err)
		}
		f.Options = hdr[TCPMinHeaderLen : TCPMinHeaderLen+n]
		if _, err := f.Encode(hdr); err != nil {
			t.Fatal(err)
		}
		seg, err := ParseTCP(buf[off-len(hdr):])
		if err != nil {
			t.Fatal(err)
		}
		seg.SetChecksum(src, dst)

		pkt := gopacket.NewPacket(seg.Bytes(), layers.LayerTypeTCP, gopacket.Default)
		gp, ok := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if !ok || pkt.ErrorLayer() != nil {
			t.Fatalf("packet %d: gopacket: %v", i, pkt.ErrorLayer())
		}
		compareTCPWithGopacket(t, seg, gp, gp.Payload)
		if !bytes.Equal(gp.Payload, payload) {
			t.Errorf("packet %d: gopacket payload % x, want % x", i, gp.Payload, payload)
		}
		if err := gp.SetNetworkLayerForChecksum(gpNetwork(src, dst, layers.IPProtocolTCP)); err != nil {
			t.Fatal(err)
		}
		if err, res := gp.VerifyChecksum(); err != nil || !res.Valid {
			t.Errorf("packet %d: gopacket rejects wire's checksum: %v %+v", i, err, res)
		}
		checkGopacketOptionValues(t, gp.Options, o)
	}
}

// compareTCPWithGopacket compares every header field and every option, and
// the payload with payload.
func compareTCPWithGopacket(t *testing.T, seg TCP, gp *layers.TCP, payload []byte) {
	t.Helper()
	fl := seg.Flags()
	if seg.SrcPort() != uint16(gp.SrcPort) || seg.DstPort() != uint16(gp.DstPort) || seg.Seq() != gp.Seq ||
		seg.Ack() != gp.Ack || seg.DataOffset() != gp.DataOffset || seg.Window() != gp.Window ||
		seg.Checksum() != gp.Checksum || seg.Urgent() != gp.Urgent || seg.Reserved()&1 == 1 != gp.NS {
		t.Errorf("header mismatch: wire %+v, gopacket %+v", seg.Fields(), gp)
	}
	gflags := []bool{gp.FIN, gp.SYN, gp.RST, gp.PSH, gp.ACK, gp.URG, gp.ECE, gp.CWR}
	for bit, set := range gflags {
		if fl.Has(TCPFlags(1<<bit)) != set {
			t.Errorf("flag bit %d: wire %v gopacket %v", bit, fl, set)
		}
	}
	if !bytes.Equal(seg.Payload(), payload) {
		t.Errorf("payload % x != % x", seg.Payload(), payload)
	}
	it := seg.OptionIter()
	i := 0
	for ; it.Next(); i++ {
		o := it.Option()
		if i >= len(gp.Options) {
			t.Errorf("wire has extra option %+v", o)
			break
		}
		g := gp.Options[i]
		if o.Kind != uint8(g.OptionType) || o.Len() != int(g.OptionLength) || !bytes.Equal(o.Data, g.OptionData) {
			t.Errorf("option %d: wire kind %d len %d % x, gopacket %d %d % x",
				i, o.Kind, o.Len(), o.Data, g.OptionType, g.OptionLength, g.OptionData)
		}
	}
	if it.Err() != nil || i != len(gp.Options) {
		t.Errorf("wire saw %d options (err %v), gopacket %d", i, it.Err(), len(gp.Options))
	}
}

// checkGopacketOptionValues reads the typed values out of gopacket's raw
// option data by hand and compares them with what wire encoded.
func checkGopacketOptionValues(t *testing.T, gopts []layers.TCPOption, o TCPOptions) {
	t.Helper()
	var got TCPOptions
	for _, g := range gopts {
		d := g.OptionData
		switch g.OptionType {
		case layers.TCPOptionKindMSS:
			got.HasMSS, got.MSS = true, binary.BigEndian.Uint16(d)
		case layers.TCPOptionKindWindowScale:
			got.HasWindowScale, got.WindowScale = true, d[0]
		case layers.TCPOptionKindTimestamps:
			got.HasTimestamps, got.TSVal, got.TSEcr = true, binary.BigEndian.Uint32(d), binary.BigEndian.Uint32(d[4:])
		case layers.TCPOptionKindSACKPermitted:
			got.SACKPermitted = true
		case layers.TCPOptionKindSACK:
			got.NumSACKBlocks = len(d) / 8
			for i := range got.NumSACKBlocks {
				got.SACKBlocks[i] = TCPSACKBlock{binary.BigEndian.Uint32(d[8*i:]), binary.BigEndian.Uint32(d[8*i+4:])}
			}
		case layers.TCPOptionKindNop:
		default:
			t.Errorf("unexpected option kind %d from wire's encoder", g.OptionType)
		}
	}
	if got != o {
		t.Errorf("gopacket reads %+v, wire encoded %+v", got, o)
	}
}
