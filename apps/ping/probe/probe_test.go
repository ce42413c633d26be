package probe

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"sockstack/wire"
)

func TestEchoPacketV4(t *testing.T) {
	e := NewEcho(false, 0x1234, 56)
	now := time.Unix(1700000000, 123456000)
	b := e.Packet(7, now)
	if len(b) != 64 || b[0] != 8 || b[1] != 0 {
		t.Fatalf("header % x", b[:8])
	}
	if id, seq := binary.BigEndian.Uint16(b[4:]), binary.BigEndian.Uint16(b[6:]); id != 0x1234 || seq != 7 {
		t.Fatalf("id %#x seq %d", id, seq)
	}
	if wire.Checksum(b, 0) != 0 {
		t.Fatalf("checksum does not verify: % x", b)
	}
	if got, ok := Timestamp(b[HeaderLen:]); !ok || !got.Equal(now) {
		t.Fatalf("timestamp %v %v, want %v", got, ok, now)
	}
	for i := TimestampLen; i < 56; i++ {
		if b[HeaderLen+i] != byte(i) {
			t.Fatalf("data[%d] = %#x, want the iputils pattern %#x", i, b[HeaderLen+i], i)
		}
	}
	// The next packet reuses the buffer and still checksums.
	b = e.Packet(8, now.Add(time.Second))
	if wire.Checksum(b, 0) != 0 || binary.BigEndian.Uint16(b[6:]) != 8 {
		t.Fatal("second packet wrong")
	}
}

func TestEchoSmallNoTimestamp(t *testing.T) {
	e := NewEcho(true, 1, 8)
	if e.HasTimestamp() {
		t.Fatal("8 data bytes cannot hold a timeval")
	}
	b := e.Packet(1, time.Now())
	if b[0] != 128 || len(b) != 16 || b[HeaderLen+3] != 3 {
		t.Fatalf("v6 echo % x", b)
	}
	if b[2] != 0 || b[3] != 0 {
		t.Fatal("ICMPv6 checksum must be left to the kernel")
	}
}

func TestEchoNoAllocs(t *testing.T) {
	e := NewEcho(false, 1, 56)
	now := time.Now()
	if n := testing.AllocsPerRun(100, func() { e.Packet(3, now) }); n != 0 {
		t.Fatalf("%v allocations per packet", n)
	}
}

// ipv4 wraps payload in a 20-byte IPv4 header.
func ipv4(proto, ttl byte, src, dst string, payload []byte) []byte {
	b := make([]byte, 20+len(payload))
	b[0], b[8], b[9] = 0x45, ttl, proto
	binary.BigEndian.PutUint16(b[2:], uint16(len(b)))
	s, d := netip.MustParseAddr(src).As4(), netip.MustParseAddr(dst).As4()
	copy(b[12:], s[:])
	copy(b[16:], d[:])
	binary.BigEndian.PutUint16(b[10:], wire.Checksum(b[:20], 0))
	copy(b[20:], payload)
	return b
}

// icmp builds an ICMPv4 message with a valid checksum.
func icmp(typ, code byte, word uint32, body []byte) []byte {
	b := make([]byte, 8+len(body))
	b[0], b[1] = typ, code
	binary.BigEndian.PutUint32(b[4:], word)
	copy(b[8:], body)
	binary.BigEndian.PutUint16(b[2:], wire.Checksum(b, 0))
	return b
}

func TestDecodeIPv4EchoReply(t *testing.T) {
	pkt := ipv4(1, 61, "10.0.0.2", "10.0.0.1", icmp(0, 0, 0xbeef0005, []byte("data")))
	var m Message
	if err := DecodeIPv4(pkt, &m); err != nil {
		t.Fatal(err)
	}
	if !m.IsEchoReply() || m.IsError() || m.ID() != 0xbeef || m.Seq() != 5 || m.HopLimit != 61 ||
		m.From != netip.MustParseAddr("10.0.0.2") || m.Len != 12 || !m.ChecksumOK || string(m.Body) != "data" {
		t.Fatalf("decoded %+v", m)
	}
	pkt[len(pkt)-1] ^= 0xff
	if err := DecodeIPv4(pkt, &m); err != nil || m.ChecksumOK {
		t.Fatalf("corrupted reply: err %v ChecksumOK %v", err, m.ChecksumOK)
	}
}

func TestDecodeIPv4TimeExceededQuotesEcho(t *testing.T) {
	req := NewEcho(false, 0x4242, 56).Packet(9, time.Now())
	inner := ipv4(1, 1, "10.0.0.1", "10.0.3.2", req)[:28] // RFC 792: header + 64 bits
	pkt := ipv4(1, 64, "10.0.1.1", "10.0.0.1", icmp(11, 0, 0, inner))
	var m Message
	if err := DecodeIPv4(pkt, &m); err != nil {
		t.Fatal(err)
	}
	id, seq, ok := m.QuotedEcho()
	if !m.IsTimeExceeded() || !ok || id != 0x4242 || seq != 9 || m.Quote.Dst != netip.MustParseAddr("10.0.3.2") {
		t.Fatalf("quoted echo %#x %d %v, msg %+v", id, seq, ok, m)
	}
	if _, _, ok := m.QuotedUDP(); ok {
		t.Fatal("an echo quote is not a UDP quote")
	}
}

func TestDecodeIPv4PortUnreachQuotesUDP(t *testing.T) {
	udp := []byte{0x9c, 0x40, 0x82, 0x9a, 0, 40, 0, 0}
	inner := ipv4(17, 1, "10.0.0.1", "10.0.3.2", udp)
	pkt := ipv4(1, 62, "10.0.3.2", "10.0.0.1", icmp(3, 3, 0, inner))
	var m Message
	if err := DecodeIPv4(pkt, &m); err != nil {
		t.Fatal(err)
	}
	src, dst, ok := m.QuotedUDP()
	if !m.IsUnreachable() || m.Code != 3 || !ok || src != 40000 || dst != 33434 {
		t.Fatalf("quoted udp %d %d %v", src, dst, ok)
	}
}

func TestDecodeRejects(t *testing.T) {
	var m Message
	for name, b := range map[string][]byte{
		"empty":     nil,
		"not ipv4":  append([]byte{0x60}, make([]byte, 30)...),
		"not icmp":  ipv4(17, 1, "1.1.1.1", "2.2.2.2", make([]byte, 8)),
		"short":     ipv4(1, 1, "1.1.1.1", "2.2.2.2", make([]byte, 4)),
		"bad ihl":   append([]byte{0x4f}, make([]byte, 30)...),
		"truncated": ipv4(1, 1, "1.1.1.1", "2.2.2.2", make([]byte, 8))[:19],
	} {
		if err := DecodeIPv4(b, &m); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	if err := DecodeICMPv6([]byte{129, 0, 0}, netip.IPv6Loopback(), 64, &m); err == nil {
		t.Error("short ICMPv6 decoded")
	}
}

func TestDecodeICMPv6(t *testing.T) {
	req := NewEcho(true, 0x77, 16).Packet(3, time.Now())
	inner := make([]byte, 40+len(req))
	inner[0], inner[6], inner[7] = 0x60, 58, 1
	src, dst := netip.MustParseAddr("fd7a:213:1::2").As16(), netip.MustParseAddr("fd7a:213:3::2").As16()
	copy(inner[8:], src[:])
	copy(inner[24:], dst[:])
	copy(inner[40:], req)
	msg := append([]byte{3, 0, 0, 0, 0, 0, 0, 0}, inner...)
	var m Message
	from := netip.MustParseAddr("fd7a:213:1::1")
	if err := DecodeICMPv6(msg, from, 64, &m); err != nil {
		t.Fatal(err)
	}
	id, seq, ok := m.QuotedEcho()
	if !m.IsTimeExceeded() || !ok || id != 0x77 || seq != 3 || m.From != from || m.Quote.Dst != netip.AddrFrom16(dst) {
		t.Fatalf("v6 quote %v %v %v %+v", id, seq, ok, m)
	}
	reply := []byte{129, 0, 0, 0, 0, 0x77, 0, 3}
	if err := DecodeICMPv6(reply, from, 63, &m); err != nil || !m.IsEchoReply() || m.ID() != 0x77 || m.Seq() != 3 || m.HopLimit != 63 {
		t.Fatalf("v6 reply %+v %v", m, err)
	}
}

func TestHopLimitCmsg(t *testing.T) {
	if got := hopLimit(nil); got != -1 {
		t.Fatalf("no cmsg: %d", got)
	}
}
