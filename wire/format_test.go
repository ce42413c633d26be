package wire

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
)

// fmtV4 builds an IPv4 datagram: 20-byte header with the given id and
// flags/fragment-offset word, then payload. The checksum is left zero:
// Format does not check it.
func fmtV4(proto uint8, src, dst string, id, frag uint16, payload []byte) []byte {
	b := make([]byte, 20, 20+len(payload))
	b[0] = 0x45
	binary.BigEndian.PutUint16(b[2:], uint16(20+len(payload)))
	binary.BigEndian.PutUint16(b[4:], id)
	binary.BigEndian.PutUint16(b[6:], frag)
	b[8], b[9] = 64, proto
	s, d := netip.MustParseAddr(src).As4(), netip.MustParseAddr(dst).As4()
	copy(b[12:], s[:])
	copy(b[16:], d[:])
	return append(b, payload...)
}

// fmtV6 builds an IPv6 packet.
func fmtV6(nh uint8, src, dst string, payload []byte) []byte {
	b := make([]byte, 40, 40+len(payload))
	b[0] = 0x60
	binary.BigEndian.PutUint16(b[4:], uint16(len(payload)))
	b[6], b[7] = nh, 64
	s, d := netip.MustParseAddr(src).As16(), netip.MustParseAddr(dst).As16()
	copy(b[8:], s[:])
	copy(b[24:], d[:])
	return append(b, payload...)
}

// fmtEther builds an Ethernet II frame, with an optional 802.1Q tag.
func fmtEther(dst, src string, tag uint16, typ uint16, payload []byte) []byte {
	var b []byte
	for _, s := range []string{dst, src} {
		m, err := net.ParseMAC(s)
		if err != nil {
			panic(err)
		}
		b = append(b, m...)
	}
	if tag != 0 {
		b = binary.BigEndian.AppendUint16(b, 0x8100)
		b = binary.BigEndian.AppendUint16(b, tag)
	}
	b = binary.BigEndian.AppendUint16(b, typ)
	return append(b, payload...)
}

// fmtTCP builds a TCP segment; opts must be a multiple of 4 bytes.
func fmtTCP(sport, dport uint16, seq, ack uint32, flags uint8, win uint16, opts, data []byte) []byte {
	b := make([]byte, 20)
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint32(b[4:], seq)
	binary.BigEndian.PutUint32(b[8:], ack)
	b[12] = uint8((20+len(opts))/4) << 4
	b[13] = flags
	binary.BigEndian.PutUint16(b[14:], win)
	return append(append(b, opts...), data...)
}

// fmtICMPEcho builds an ICMP or ICMPv6 echo message of total length n.
func fmtICMPEcho(typ uint8, id, seq uint16, n int) []byte {
	b := make([]byte, n)
	b[0] = typ
	binary.BigEndian.PutUint16(b[4:], id)
	binary.BigEndian.PutUint16(b[6:], seq)
	return b
}

// fmtCase is a frame and the line Format must print for it.
type fmtCase struct {
	name  string
	frame []byte
	first Layer
	want  string
}

func TestFormat_Frames(t *testing.T) {
	for _, tc := range fmtFrameCases(t) {
		if got := Format(tc.frame, tc.first); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

// fmtFrameCases returns well-formed frames of every kind Format decodes.
func fmtFrameCases(t *testing.T) []fmtCase {
	synOpts := v6hex(t, "020405b4 0402 080a0000000100000000 01 030307")
	udp := v6hex(t, "14e9 0035 0014 0000 000000000000000000000000")
	arpReq := v6hex(t, "0001 0800 06 04 0001 020000000001 0a000001 000000000000 0a000002")
	arpRep := v6hex(t, "0001 0800 06 04 0002 020000000002 0a000002 020000000001 0a000001")
	quoted := fmtV4(17, "10.0.0.1", "10.0.0.2", 1, 0, v6hex(t, "d4310035 0014 0000"))
	unreach := append(v6hex(t, "0303 0000 00000000"), quoted[:28]...)
	mldv2 := v6hex(t, "3a00 05020000 0100"+"8f 00 0000 0000 0002 04 00 0000"+v6SolNodeHex+
		"05 01 0001 ff050000000000000000000000000001"+v6AddrHex[:32]+"cafebabe")
	ns := v6hex(t, "87 00 0000 00000000"+v6LL2Hex+v6SLLAHex)
	ra := v6hex(t, "86 00 0000 40 c0 0708 00007530 000003e8"+v6SLLAHex+"0501 0000 000005dc"+
		"0304 40 c0 00278d00 00093a80 00000000"+v6Pfx64)
	return []fmtCase{
		{"icmp echo", fmtV4(1, "10.0.0.1", "10.0.0.2", 1, 0, fmtICMPEcho(8, 7, 1, 64)), LayerIPv4,
			"IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 64"},
		{"tcp syn", fmtV4(6, "10.0.0.1", "10.0.0.2", 1, 0x4000, fmtTCP(1234, 80, 1000, 0, 0x02, 65535, synOpts, nil)), LayerIP,
			"IP 10.0.0.1.1234 > 10.0.0.2.80: Flags [S], seq 1000, win 65535, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0"},
		{"tcp data", fmtV4(6, "10.0.0.2", "10.0.0.1", 2, 0, fmtTCP(80, 1234, 2001, 1001, 0x18, 502, nil, []byte("hello"))), LayerIPv4,
			"IP 10.0.0.2.80 > 10.0.0.1.1234: Flags [P.], seq 2001:2006, ack 1001, win 502, length 5"},
		{"udp", fmtV4(17, "10.0.0.1", "10.0.0.2", 3, 0, udp), LayerIPv4,
			"IP 10.0.0.1.5353 > 10.0.0.2.53: UDP, length 12"},
		{"unknown protocol", fmtV4(253, "10.0.0.1", "10.0.0.2", 4, 0, make([]byte, 20)), LayerIPv4,
			"IP 10.0.0.1 > 10.0.0.2: ip-proto-253 20"},
		{"first fragment", fmtV4(1, "10.0.0.1", "10.0.0.2", 1234, 0x2000, fmtICMPEcho(8, 7, 1, 1480)), LayerIPv4,
			"IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 1480 (frag 1234:1480@0+)"},
		{"last fragment", fmtV4(1, "10.0.0.1", "10.0.0.2", 1234, 185, make([]byte, 528)), LayerIPv4,
			"IP 10.0.0.1 > 10.0.0.2: (frag 1234:528@1480)"},
		{"port unreachable", fmtV4(1, "10.0.0.2", "10.0.0.1", 5, 0, unreach), LayerIPv4,
			"IP 10.0.0.2 > 10.0.0.1: ICMP 10.0.0.2 udp port 53 unreachable, length 36"},
		{"igmp v2 report", fmtV4(2, "10.0.0.1", "239.1.1.1", 6, 0, v6hex(t, "16 00 0000 ef010101")), LayerIPv4,
			"IP 10.0.0.1 > 239.1.1.1: igmp v2 report 239.1.1.1"},
		{"arp request", fmtEther("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 0, 0x0806, arpReq), LayerEthernet,
			"02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.2 tell 10.0.0.1, length 28"},
		{"arp reply padded", fmtEther("02:00:00:00:00:01", "02:00:00:00:00:02", 0, 0x0806, append(arpRep, make([]byte, 18)...)), LayerEthernet,
			"02:00:00:00:00:02 > 02:00:00:00:00:01, ethertype ARP (0x0806), length 60: Reply 10.0.0.2 is-at 02:00:00:00:00:02, length 46"},
		{"vlan", fmtEther("02:00:00:00:00:02", "02:00:00:00:00:01", 0x600a, 0x0800, fmtV4(1, "10.0.0.1", "10.0.0.2", 1, 0, fmtICMPEcho(0, 7, 1, 64))), LayerEthernet,
			"02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype 802.1Q (0x8100), length 102: vlan 10, p 3, ethertype IPv4 (0x0800), 10.0.0.1 > 10.0.0.2: ICMP echo reply, id 7, seq 1, length 64"},
		{"neighbor solicitation", fmtV6(58, "fe80::1", "ff02::1:ff00:2", ns), LayerIPv6,
			"IP6 fe80::1 > ff02::1:ff00:2: ICMP6, neighbor solicitation, who has fe80::2, length 32"},
		{"neighbor advertisement", fmtV6(58, "fe80::2", "fe80::1", v6hex(t, "88 00 0000 60000000"+v6LL2Hex+"0201"+v6MACHex)), LayerIP,
			"IP6 fe80::2 > fe80::1: ICMP6, neighbor advertisement, tgt is fe80::2, length 32"},
		{"router advertisement", fmtV6(58, "fe80::1", "ff02::1", ra), LayerIPv6,
			"IP6 fe80::1 > ff02::1: ICMP6, router advertisement, length 64"},
		{"icmp6 echo", fmtV6(58, "2001:db8::1", "2001:db8::2", fmtICMPEcho(128, 7, 1, 64)), LayerIPv6,
			"IP6 2001:db8::1 > 2001:db8::2: ICMP6, echo request, id 7, seq 1, length 64"},
		{"packet too big", fmtV6(58, "2001:db8::fe", "2001:db8::1", v6hex(t, "02 00 0000 00000500")), LayerIPv6,
			"IP6 2001:db8::fe > 2001:db8::1: ICMP6, packet too big, mtu 1280, length 8"},
		{"icmp6 port unreachable", fmtV6(58, "2001:db8::2", "2001:db8::1", append(v6hex(t, "01 04 0000 00000000"),
			fmtV6(17, "2001:db8::1", "2001:db8::2", v6hex(t, "d431 0035 0010 0000 6162636465666768"))...)), LayerIPv6,
			"IP6 2001:db8::2 > 2001:db8::1: ICMP6, destination unreachable, unreachable port, 2001:db8::2 udp port 53, length 64"},
		{"icmp6 no route", fmtV6(58, "2001:db8::fe", "2001:db8::1", append(v6hex(t, "01 00 0000 00000000"),
			fmtV6(59, "2001:db8::1", "2001:db8::2", nil)...)), LayerIPv6,
			"IP6 2001:db8::fe > 2001:db8::1: ICMP6, destination unreachable, unreachable route 2001:db8::2, length 48"},
		{"icmp6 time exceeded", fmtV6(58, "2001:db8::fe", "2001:db8::1", v6hex(t, "03 00 0000 00000000")), LayerIPv6,
			"IP6 2001:db8::fe > 2001:db8::1: ICMP6, time exceeded in-transit, length 8"},
		{"icmp6 parameter problem", fmtV6(58, "2001:db8::fe", "2001:db8::1", v6hex(t, "04 01 0000 00000028")), LayerIPv6,
			"IP6 2001:db8::fe > 2001:db8::1: ICMP6, parameter problem, next header - octet 40, length 8"},
		{"mldv2 report", fmtV6(0, "fe80::1", "ff02::16", mldv2), LayerIPv6,
			"IP6 fe80::1 > ff02::16: HBH ICMP6, multicast listener report v2, 2 group record(s), length 68"},
		{"mldv1 report", fmtV6(58, "fe80::1", "ff02::1:ff00:2", v6hex(t, "83 00 0000 0000 0000"+v6SolNodeHex)), LayerIPv6,
			"IP6 fe80::1 > ff02::1:ff00:2: ICMP6, multicast listener report max resp delay: 0 addr: ff02::1:ff00:2, length 24"},
		{"ipv6 tcp over ethernet", fmtEther("02:00:00:00:00:02", "02:00:00:00:00:01", 0, 0x86dd,
			fmtV6(6, "2001:db8::1", "2001:db8::2", fmtTCP(80, 1234, 5000, 1001, 0x12, 65535, v6hex(t, "020405a0"), nil))), LayerEthernet,
			"02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv6 (0x86dd), length 78: 2001:db8::1.80 > 2001:db8::2.1234: Flags [S.], seq 5000, ack 1001, win 65535, options [mss 1440], length 0"},
		{"ipv6 later fragment", fmtV6(44, "2001:db8::1", "2001:db8::2", v6hex(t, "11 00 05c9 12345678 0000000000000000")), LayerIPv6,
			"IP6 2001:db8::1 > 2001:db8::2: frag (0x12345678:1480|8+)"},
		{"ipv6 first fragment udp", fmtV6(44, "2001:db8::1", "2001:db8::2", v6hex(t, "11 00 0001 12345678 14e9 0035 0014 0000 00000000")), LayerIPv6,
			"IP6 2001:db8::1 > 2001:db8::2: frag (0x12345678:0|12+) 2001:db8::1.5353 > 2001:db8::2.53: UDP, bad length 20 > 12"},
	}
}

func TestFormat_Malformed(t *testing.T) {
	full := fmtV4(6, "10.0.0.1", "10.0.0.2", 1, 0, fmtTCP(1234, 80, 1, 0, 2, 100, nil, nil))
	badOpt := fmtV4(6, "10.0.0.1", "10.0.0.2", 1, 0, fmtTCP(1234, 80, 1, 0, 2, 100, v6hex(t, "02050000"), nil))
	for _, tc := range []struct {
		name  string
		frame []byte
		first Layer
		want  string
	}{
		{"empty ethernet", nil, LayerEthernet, "[|ether]"},
		{"empty ip", nil, LayerIP, "[|ip]"},
		{"bad version", []byte{0x10, 0, 0}, LayerIP, "IP1, length 3 [|ip]"},
		{"short ipv4", full[:12], LayerIPv4, "IP [|ip]"},
		{"ipv4 total length past end", full[:30], LayerIPv4, "IP 10.0.0.1 > 10.0.0.2: [|ip]"},
		{"tcp header cut", fmtV4(6, "10.0.0.1", "10.0.0.2", 1, 0, full[20:30]), LayerIPv4, "IP 10.0.0.1.1234 > 10.0.0.2.80: [|tcp]"},
		{"tcp bad option", badOpt, LayerIPv4, "IP 10.0.0.1.1234 > 10.0.0.2.80: Flags [S], seq 1, win 100, options [[bad opt]], length 0"},
		{"ipv6 cut", fmtV6(58, "fe80::1", "ff02::1", nil)[:30], LayerIPv6, "IP6 [|ip6]"},
		{"ipv6 payload past end", fmtV6(58, "fe80::1", "ff02::1", make([]byte, 8))[:44], LayerIPv6, "IP6 fe80::1 > ff02::1: [|ip6]"},
		{"ipv6 ext past end", fmtV6(60, "fe80::1", "ff02::1", v6hex(t, "3a01 01040000 0000")), LayerIPv6, "IP6 fe80::1 > ff02::1: [|ip6]"},
		{"icmp6 short", fmtV6(58, "fe80::1", "ff02::1", v6hex(t, "8000")), LayerIPv6, "IP6 fe80::1 > ff02::1: ICMP6 [|icmp6]"},
		// RFC 4861 §4.6: an option of length zero invalidates the message.
		{"nd zero-length option", fmtV6(58, "fe80::1", "ff02::2", v6hex(t, "85 00 0000 00000000 0100"+v6MACHex)), LayerIPv6,
			"IP6 fe80::1 > ff02::2: ICMP6, router solicitation [|icmp6]"},
		{"icmp short", fmtV4(1, "10.0.0.1", "10.0.0.2", 1, 0, []byte{8, 0}), LayerIPv4, "IP 10.0.0.1 > 10.0.0.2: ICMP [|icmp]"},
		{"802.3 frame", fmtEther("02:00:00:00:00:02", "02:00:00:00:00:01", 0, 0x0030, make([]byte, 48)), LayerEthernet,
			"02:00:00:00:00:01 > 02:00:00:00:00:02, 802.3, length 62"},
		{"unknown ethertype", fmtEther("02:00:00:00:00:02", "02:00:00:00:00:01", 0, 0x88b5, make([]byte, 46)), LayerEthernet,
			"02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype Unknown (0x88b5), length 60"},
		{"bad layer", []byte{1}, Layer(9), "layer-9, length 1"},
	} {
		if got := Format(tc.frame, tc.first); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

func FuzzFormat(f *testing.F) {
	f.Add(fmtV4(1, "10.0.0.1", "10.0.0.2", 1, 0, fmtICMPEcho(8, 7, 1, 64)), uint8(LayerIPv4))
	f.Add(fmtV4(6, "10.0.0.1", "10.0.0.2", 1, 0, fmtTCP(1234, 80, 1000, 0, 0x02, 65535, v6hex(f, "020405b4 0402 080a0000000100000000 01 030307"), nil)), uint8(LayerIP))
	f.Add(fmtEther("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 0, 0x0806, v6hex(f, "0001 0800 06 04 0001 020000000001 0a000001 000000000000 0a000002")), uint8(LayerEthernet))
	f.Add(fmtV6(0, "fe80::1", "ff02::16", v6hex(f, "3a00 05020000 0100 8f00 0000 0000 0001 04000000"+v6SolNodeHex)), uint8(LayerIPv6))
	f.Add(fmtV6(44, "2001:db8::1", "2001:db8::2", v6hex(f, "11 00 0001 12345678 14e9 0035 0014 0000 00000000")), uint8(LayerIP))
	f.Add(fmtEther("02:00:00:00:00:02", "02:00:00:00:00:01", 0x600a, 0x86dd, fmtV6(58, "fe80::1", "ff02::1", fmtICMPEcho(128, 1, 1, 8))), uint8(LayerEthernet))
	f.Fuzz(func(t *testing.T, b []byte, layer uint8) {
		s := Format(b, Layer(layer%5))
		if s == "" {
			t.Fatalf("empty description of %x", b)
		}
	})
}
