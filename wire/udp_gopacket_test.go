package wire

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

func TestUDPGopacketBothWays(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 400 {
		src, dst := udpSrc4, udpDst4
		if i%2 == 1 {
			src, dst = udpSrc6, udpDst6
		}
		payload := make([]byte, r.IntN(300))
		for j := range payload {
			payload[j] = byte(r.Uint32())
		}
		sport, dport := uint16(r.Uint32()), uint16(r.Uint32())

		// gopacket builds, wire parses.
		gp := &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
		if err := gp.SetNetworkLayerForChecksum(gpNetwork(src, dst, layers.IPProtocolUDP)); err != nil {
			t.Fatal(err)
		}
		sb := gopacket.NewSerializeBuffer()
		err := gopacket.SerializeLayers(sb, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
			gp, gopacket.Payload(payload))
		if err != nil {
			t.Fatal(err)
		}
		u, err := ParseUDP(sb.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		want := UDPFields{SrcPort: sport, DstPort: dport, Length: uint16(8 + len(payload)), Checksum: gp.Checksum}
		if u.Fields() != want || !bytes.Equal(u.Payload(), payload) {
			t.Errorf("packet %d: wire reads %+v, gopacket built %+v", i, u.Fields(), want)
		}
		if !u.VerifyChecksum(src, dst) {
			t.Errorf("packet %d: gopacket's checksum %#04x does not verify", i, u.Checksum())
		}

		// wire builds, gopacket parses.
		buf := make([]byte, 8+len(payload))
		copy(buf[8:], payload)
		f := UDPFields{SrcPort: sport, DstPort: dport, Length: uint16(len(buf))}
		if _, err := f.Encode(buf); err != nil {
			t.Fatal(err)
		}
		w, err := ParseUDP(buf)
		if err != nil {
			t.Fatal(err)
		}
		w.SetChecksum(src, dst)
		if w.Checksum() != gp.Checksum {
			t.Errorf("packet %d: wire checksum %#04x, gopacket %#04x", i, w.Checksum(), gp.Checksum)
		}
		pkt := gopacket.NewPacket(buf, layers.LayerTypeUDP, gopacket.Default)
		g, ok := pkt.Layer(layers.LayerTypeUDP).(*layers.UDP)
		if !ok || pkt.ErrorLayer() != nil {
			t.Fatalf("packet %d: gopacket: %v", i, pkt.ErrorLayer())
		}
		if uint16(g.SrcPort) != sport || uint16(g.DstPort) != dport || g.Length != f.Length ||
			g.Checksum != w.Checksum() || !bytes.Equal(g.Payload, payload) {
			t.Errorf("packet %d: gopacket reads %+v", i, g)
		}
		if err := g.SetNetworkLayerForChecksum(gpNetwork(src, dst, layers.IPProtocolUDP)); err != nil {
			t.Fatal(err)
		}
		if err, res := g.VerifyChecksum(); err != nil || !res.Valid {
			t.Errorf("packet %d: gopacket rejects wire's checksum: %v %+v", i, err, res)
		}
	}
}
