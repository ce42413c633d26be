package wire

import (
	"net/netip"
	"testing"
)

// tcpBenchOptions are the options of the benchmark frame: MSS, SACK-permitted,
// Timestamps, Window Scale and two SACK blocks, 36 bytes.
var tcpBenchOptions = TCPOptions{
	HasMSS: true, MSS: 1460, SACKPermitted: true, HasWindowScale: true, WindowScale: 7,
	HasTimestamps: true, TSVal: 0x01020304, TSEcr: 0x05060708,
	NumSACKBlocks: 2, SACKBlocks: [TCPMaxSACKBlocks]TCPSACKBlock{{1000, 2000}, {3000, 4000}},
}

// tcpBenchFrame builds a full-size Ethernet+IPv4+TCP frame carrying
// tcpBenchOptions with wire's own builders, back to front into headroom.
func tcpBenchFrame(tb testing.TB) []byte {
	const frameLen = 1514
	buf := make([]byte, frameLen)
	opts := tcpBenchOptions
	tcpLen := TCPMinHeaderLen + opts.Len()
	off := EthernetHeaderLen + IPv4MinHeaderLen
	payload := buf[off+tcpLen:]
	for i := range payload {
		payload[i] = byte(i)
	}
	hdr := buf[off : off+tcpLen]
	n, err := opts.Encode(hdr[TCPMinHeaderLen:])
	if err != nil {
		tb.Fatal(err)
	}
	tf := TCPFields{SrcPort: 8080, DstPort: 41686, Seq: 1, Ack: 2, Flags: TCPFlagACK | TCPFlagPSH,
		Window: 502, Options: hdr[TCPMinHeaderLen : TCPMinHeaderLen+n]}
	if _, err := tf.Encode(hdr); err != nil {
		tb.Fatal(err)
	}
	src, dst := netip.MustParseAddr("10.213.50.2"), netip.MustParseAddr("10.213.50.1")
	seg, err := ParseTCP(buf[off:])
	if err != nil {
		tb.Fatal(err)
	}
	seg.SetChecksum(src, dst)
	ipf := IPv4Fields{TTL: 64, Protocol: TCPProtocolNumber, Src: src, Dst: dst, Flags: IPv4FlagDF,
		PayloadLen: len(seg.Bytes())}
	if _, err := ipf.Encode(buf[EthernetHeaderLen:off]); err != nil {
		tb.Fatal(err)
	}
	ef := EthernetFields{Dst: MAC{2, 0, 0, 0, 0, 1}, Src: MAC{2, 0, 0, 0, 0, 2}, EtherType: EtherTypeIPv4}
	if _, err := ef.Encode(buf[:EthernetHeaderLen]); err != nil {
		tb.Fatal(err)
	}
	return buf
}

// parseEthIPv4TCP parses the three layers and walks the options, returning
// a value derived from every field it read so nothing is optimised away.
func parseEthIPv4TCP(frame []byte) (uint64, error) {
	eth, err := ParseEthernet(frame)
	if err != nil {
		return 0, err
	}
	if eth.EtherType() != EtherTypeIPv4 {
		return 0, ErrUnsupported
	}
	ip, err := ParseIPv4(eth.Payload())
	if err != nil {
		return 0, err
	}
	if ip.Protocol() != TCPProtocolNumber {
		return 0, ErrUnsupported
	}
	seg, err := ParseTCP(ip.Payload())
	if err != nil {
		return 0, err
	}
	acc := uint64(seg.SrcPort()) + uint64(seg.Seq()) + uint64(seg.Ack()) + uint64(seg.Flags()) +
		uint64(len(seg.Payload()))
	it := seg.OptionIter()
	for it.Next() {
		o := it.Option()
		switch o.Kind {
		case TCPOptMSS:
			v, _ := o.MSS()
			acc += uint64(v)
		case TCPOptTimestamps:
			v, e, _ := o.Timestamps()
			acc += uint64(v) + uint64(e)
		case TCPOptWindowScale:
			v, _ := o.WindowScale()
			acc += uint64(v)
		case TCPOptSACK:
			s, _ := o.SACKBlocks()
			for i := range s.Len() {
				acc += uint64(s.At(i).Left)
			}
		}
	}
	return acc, it.Err()
}

func TestParseEthIPv4TCPFrame(t *testing.T) {
	frame := tcpBenchFrame(t)
	ip, _ := ParseIPv4(frame[EthernetHeaderLen:])
	seg, err := ParseTCP(ip.Payload())
	if err != nil {
		t.Fatal(err)
	}
	if !ip.ChecksumValid() || !seg.VerifyChecksum(ip.Src(), ip.Dst()) {
		t.Error("benchmark frame has bad checksums")
	}
	o, err := ParseTCPOptions(seg.Options())
	if err != nil || o != tcpBenchOptions {
		t.Errorf("options %+v, %v", o, err)
	}
	want := uint64(8080) + 1 + 2 + uint64(TCPFlagACK|TCPFlagPSH) + uint64(len(seg.Payload())) +
		1460 + 0x01020304 + 0x05060708 + 7 + 1000 + 3000
	if got, err := parseEthIPv4TCP(frame); err != nil || got != want {
		t.Errorf("parseEthIPv4TCP = %d, %v; want %d", got, err, want)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := parseEthIPv4TCP(frame); err != nil {
			panic(err)
		}
	})
	if allocs != 0 {
		t.Errorf("parsing Ethernet+IPv4+TCP allocates %v times", allocs)
	}
}

func BenchmarkParseEthIPv4TCP(b *testing.B) {
	frame := tcpBenchFrame(b)
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	var sink uint64
	for b.Loop() {
		v, err := parseEthIPv4TCP(frame)
		if err != nil {
			b.Fatal(err)
		}
		sink += v
	}
	_ = sink
}

func BenchmarkTCPOptions(b *testing.B) {
	raw := make([]byte, TCPMaxOptionsLen)
	n, err := tcpBenchOptions.Encode(raw)
	if err != nil {
		b.Fatal(err)
	}
	raw = raw[:n]
	b.Run("iterate", func(b *testing.B) {
		b.SetBytes(int64(n))
		b.ReportAllocs()
		var sink int
		for b.Loop() {
			it := IterTCPOptions(raw)
			for it.Next() {
				sink += int(it.Option().Kind)
			}
		}
		_ = sink
	})
	b.Run("parse", func(b *testing.B) {
		b.SetBytes(int64(n))
		b.ReportAllocs()
		var sink uint16
		for b.Loop() {
			o, err := ParseTCPOptions(raw)
			if err != nil {
				b.Fatal(err)
			}
			sink += o.MSS
		}
		_ = sink
	})
	b.Run("encode", func(b *testing.B) {
		b.SetBytes(int64(n))
		b.ReportAllocs()
		out := make([]byte, TCPMaxOptionsLen)
		for b.Loop() {
			if _, err := tcpBenchOptions.Encode(out); err != nil {
				b.Fatal(err)
			}
		}
	})
}
