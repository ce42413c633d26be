package wirebench

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"

	"gvisor.dev/gvisor/pkg/tcpip/checksum"
	"gvisor.dev/gvisor/pkg/tcpip/header"

	"sockstack/wire"
)

// benchOptions are the TCP options of the benchmark frame: MSS,
// SACK-permitted, Timestamps, Window Scale and two SACK blocks.
var benchOptions = wire.TCPOptions{
	HasMSS: true, MSS: 1460, SACKPermitted: true, HasWindowScale: true, WindowScale: 7,
	HasTimestamps: true, TSVal: 0x01020304, TSEcr: 0x05060708,
	NumSACKBlocks: 2, SACKBlocks: [wire.TCPMaxSACKBlocks]wire.TCPSACKBlock{{Left: 1000, Right: 2000}, {Left: 3000, Right: 4000}},
}

// frame builds a 1514-byte Ethernet+IPv4+TCP frame with benchOptions using
// sockstack's builders.
func frame(tb testing.TB) []byte {
	buf := make([]byte, 1514)
	opts := benchOptions
	off := wire.EthernetHeaderLen + wire.IPv4MinHeaderLen
	tcpLen := wire.TCPMinHeaderLen + opts.Len()
	for i := off + tcpLen; i < len(buf); i++ {
		buf[i] = byte(i)
	}
	hdr := buf[off : off+tcpLen]
	n, err := opts.Encode(hdr[wire.TCPMinHeaderLen:])
	if err != nil {
		tb.Fatal(err)
	}
	tf := wire.TCPFields{SrcPort: 8080, DstPort: 41686, Seq: 1, Ack: 2, Flags: wire.TCPFlagACK | wire.TCPFlagPSH,
		Window: 502, Options: hdr[wire.TCPMinHeaderLen : wire.TCPMinHeaderLen+n]}
	if _, err := tf.Encode(hdr); err != nil {
		tb.Fatal(err)
	}
	src, dst := netip.MustParseAddr("10.213.50.2"), netip.MustParseAddr("10.213.50.1")
	seg, err := wire.ParseTCP(buf[off:])
	if err != nil {
		tb.Fatal(err)
	}
	seg.SetChecksum(src, dst)
	ipf := wire.IPv4Fields{TTL: 64, Protocol: wire.TCPProtocolNumber, Src: src, Dst: dst, PayloadLen: len(seg.Bytes())}
	if _, err := ipf.Encode(buf[wire.EthernetHeaderLen:off]); err != nil {
		tb.Fatal(err)
	}
	ef := wire.EthernetFields{Dst: wire.MAC{2, 0, 0, 0, 0, 1}, Src: wire.MAC{2, 0, 0, 0, 0, 2}, EtherType: wire.EtherTypeIPv4}
	if _, err := ef.Encode(buf[:wire.EthernetHeaderLen]); err != nil {
		tb.Fatal(err)
	}
	return buf
}

// parsed is what both parsers report about the frame.
type parsed struct {
	srcPort       uint16
	seq, ack      uint32
	payload       int
	tsVal, tsEcr  uint32
	sackLeftTotal uint32
}

func parseSockstack(f []byte) (parsed, error) {
	var p parsed
	eth, err := wire.ParseEthernet(f)
	if err != nil {
		return p, err
	}
	if eth.EtherType() != wire.EtherTypeIPv4 {
		return p, wire.ErrUnsupported
	}
	ip, err := wire.ParseIPv4(eth.Payload())
	if err != nil {
		return p, err
	}
	if ip.Protocol() != wire.TCPProtocolNumber {
		return p, wire.ErrUnsupported
	}
	seg, err := wire.ParseTCP(ip.Payload())
	if err != nil {
		return p, err
	}
	p.srcPort, p.seq, p.ack, p.payload = seg.SrcPort(), seg.Seq(), seg.Ack(), len(seg.Payload())
	it := seg.OptionIter()
	for it.Next() {
		o := it.Option()
		if v, e, ok := o.Timestamps(); ok {
			p.tsVal, p.tsEcr = v, e
		}
		if s, ok := o.SACKBlocks(); ok {
			for i := range s.Len() {
				p.sackLeftTotal += s.At(i).Left
			}
		}
	}
	return p, it.Err()
}

func parseGvisor(f []byte) (parsed, error) {
	var p parsed
	eth := header.Ethernet(f)
	if len(f) < header.EthernetMinimumSize || eth.Type() != header.IPv4ProtocolNumber {
		return p, fmt.Errorf("gvisor: not IPv4")
	}
	ip := header.IPv4(f[header.EthernetMinimumSize:])
	if !ip.IsValid(len(ip)) || ip.Protocol() != uint8(header.TCPProtocolNumber) {
		return p, fmt.Errorf("gvisor: bad IPv4")
	}
	tcp := header.TCP(ip.Payload())
	if len(tcp) < header.TCPMinimumSize || int(tcp.DataOffset()) < header.TCPMinimumSize || int(tcp.DataOffset()) > len(tcp) {
		return p, fmt.Errorf("gvisor: bad TCP")
	}
	p.srcPort, p.seq, p.ack, p.payload = tcp.SourcePort(), tcp.SequenceNumber(), tcp.AckNumber(), len(tcp.Payload())
	o := tcp.ParsedOptions()
	p.tsVal, p.tsEcr = o.TSVal, o.TSEcr
	for _, b := range o.SACKBlocks {
		p.sackLeftTotal += uint32(b.Start)
	}
	return p, nil
}

// TestParsersAgree checks that both sides of the parse benchmark read the
// same values from the frame.
func TestParsersAgree(t *testing.T) {
	f := frame(t)
	a, err := parseSockstack(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := parseGvisor(f)
	if err != nil {
		t.Fatal(err)
	}
	want := parsed{srcPort: 8080, seq: 1, ack: 2, payload: 1514 - 14 - 20 - 20 - benchOptions.Len(),
		tsVal: 0x01020304, tsEcr: 0x05060708, sackLeftTotal: 4000}
	if a != want || b != want {
		t.Errorf("sockstack %+v, gvisor %+v, want %+v", a, b, want)
	}
}

// TestChecksumsAgree checks that both checksum functions compute the same
// RFC 1071 checksum (gVisor's is not complemented).
func TestChecksumsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	buf := make([]byte, 70000)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	for range 500 {
		n := r.IntN(len(buf))
		s := r.IntN(len(buf) - n + 1)
		b := buf[s : s+n]
		if got, want := wire.Checksum(b, 0), ^checksum.Checksum(b, 0); got != want {
			t.Fatalf("len %d: sockstack %#04x, gvisor %#04x", n, got, want)
		}
	}
}

func BenchmarkChecksum(b *testing.B) {
	for _, n := range []int{64, 1500, 64 << 10} {
		buf := make([]byte, n)
		for i := range buf {
			buf[i] = byte(i * 7)
		}
		name := fmt.Sprint(n)
		b.Run(name+"/sockstack", func(b *testing.B) {
			b.SetBytes(int64(n))
			b.ReportAllocs()
			var sink uint16
			for b.Loop() {
				sink += wire.Checksum(buf, 0)
			}
			_ = sink
		})
		b.Run(name+"/gvisor", func(b *testing.B) {
			b.SetBytes(int64(n))
			b.ReportAllocs()
			var sink uint16
			for b.Loop() {
				sink += ^checksum.Checksum(buf, 0)
			}
			_ = sink
		})
	}
}

func BenchmarkParseEthIPv4TCP(b *testing.B) {
	f := frame(b)
	for _, side := range []struct {
		name  string
		parse func([]byte) (parsed, error)
	}{{"sockstack", parseSockstack}, {"gvisor", parseGvisor}} {
		b.Run(side.name, func(b *testing.B) {
			b.SetBytes(int64(len(f)))
			b.ReportAllocs()
			var sink uint32
			for b.Loop() {
				p, err := side.parse(f)
				if err != nil {
					b.Fatal(err)
				}
				sink += p.seq
			}
			_ = sink
		})
	}
}
