package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
)

// v6RefChecksum computes the ICMPv6 checksum the slow way, straight from
// RFC 8200 §8.1's pseudo-header layout and RFC 1071's definition, without
// PseudoSum or Sum.
func v6RefChecksum(src, dst netip.Addr, msg []byte) uint16 {
	var buf []byte
	s, d := src.As16(), dst.As16()
	buf = append(buf, s[:]...)
	buf = append(buf, d[:]...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(msg)))
	buf = append(buf, 0, 0, 0, 58)
	m := append([]byte(nil), msg...)
	m[2], m[3] = 0, 0
	buf = append(buf, m...)
	if len(buf)%2 == 1 {
		buf = append(buf, 0)
	}
	var sum uint32
	for i := 0; i < len(buf); i += 2 {
		sum += uint32(buf[i])<<8 | uint32(buf[i+1])
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

func TestICMPv6_RFC4443Messages(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     string
		typ    ICMPv6Type
		code   uint8
		check  func(m ICMPv6) bool
		fields ICMPv6Fields
	}{
		// RFC 4443 §4.1: Echo Request, identifier 7, sequence 1, data.
		{"echo request", "80 00 0000 0007 0001 61626364", ICMPv6EchoRequest, 0,
			func(m ICMPv6) bool { return m.ID() == 7 && m.Seq() == 1 && string(m.Body()) == "abcd" },
			ICMPv6Fields{Type: ICMPv6EchoRequest, ID: 7, Seq: 1}},
		// RFC 4443 §4.2: Echo Reply.
		{"echo reply", "81 00 0000 ffff 8000", ICMPv6EchoReply, 0,
			func(m ICMPv6) bool { return m.ID() == 0xffff && m.Seq() == 0x8000 && len(m.Body()) == 0 },
			ICMPv6Fields{Type: ICMPv6EchoReply, ID: 0xffff, Seq: 0x8000}},
		// RFC 4443 §3.1: Destination Unreachable, code 4 port unreachable, unused word.
		{"port unreachable", "01 04 0000 00000000 60000000", ICMPv6DstUnreachable, ICMPv6PortUnreachable,
			func(m ICMPv6) bool { return bytes.Equal(m.Body(), []byte{0x60, 0, 0, 0}) },
			ICMPv6Fields{Type: ICMPv6DstUnreachable, Code: ICMPv6PortUnreachable}},
		// RFC 4443 §3.2: Packet Too Big, MTU 1280.
		{"packet too big", "02 00 0000 00000500 60", ICMPv6PacketTooBig, 0,
			func(m ICMPv6) bool { return m.MTU() == 1280 },
			ICMPv6Fields{Type: ICMPv6PacketTooBig, MTU: 1280}},
		// RFC 4443 §3.3: Time Exceeded, code 1 reassembly.
		{"time exceeded", "03 01 0000 00000000", ICMPv6TimeExceeded, ICMPv6ReassemblyExceeded,
			func(m ICMPv6) bool { return m.MTU() == 0 },
			ICMPv6Fields{Type: ICMPv6TimeExceeded, Code: ICMPv6ReassemblyExceeded}},
		// RFC 4443 §3.4: Parameter Problem, code 1, pointer 6 (Next Header).
		{"parameter problem", "04 01 0000 00000006", ICMPv6ParamProblem, ICMPv6UnknownNextHeader,
			func(m ICMPv6) bool { return m.Pointer() == 6 },
			ICMPv6Fields{Type: ICMPv6ParamProblem, Code: ICMPv6UnknownNextHeader, Pointer: 6}},
	} {
		b := v6hex(t, tc.in)
		m, err := ParseICMPv6(b)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if m.Type() != tc.typ || m.Code() != tc.code || !tc.check(m) {
			t.Errorf("%s: type %v code %d fields %+v", tc.name, m.Type(), m.Code(), m.Fields())
		}
		if m.Fields() != tc.fields {
			t.Errorf("%s: Fields() = %+v, want %+v", tc.name, m.Fields(), tc.fields)
		}
		out := make([]byte, 8)
		if n, err := tc.fields.Encode(out); err != nil || n != 8 || !bytes.Equal(out, b[:8]) {
			t.Errorf("%s: Encode = %d, %v, %x; want %x", tc.name, n, err, out, b[:8])
		}
	}
}

func TestICMPv6_Checksum_RFC4443Sec2_3(t *testing.T) {
	src, dst := netip.MustParseAddr("fe80::1"), netip.MustParseAddr("ff02::1")
	for _, in := range []string{
		"80 00 0000 0007 0001 61626364",
		"80 00 0000 0007 0001 616263", // odd length: RFC 1071 pads with zero
		"87 00 0000 00000000 fe800000000000000000000000000002 0101 020000000001",
	} {
		b := v6hex(t, in)
		m, _ := ParseICMPv6(b)
		m.SetChecksum(src, dst)
		if want := v6RefChecksum(src, dst, b); m.Checksum() != want {
			t.Errorf("%s: checksum %#04x, reference %#04x", in, m.Checksum(), want)
		}
		if err := m.VerifyChecksum(src, dst); err != nil {
			t.Errorf("%s: verify after set: %v", in, err)
		}
		if err := m.VerifyChecksum(src, netip.MustParseAddr("ff02::2")); !errors.Is(err, ErrBadChecksum) {
			t.Errorf("%s: wrong destination verified: %v", in, err)
		}
		b[len(b)-1] ^= 0x10
		if err := m.VerifyChecksum(src, dst); !errors.Is(err, ErrBadChecksum) {
			t.Errorf("%s: corrupted message verified: %v", in, err)
		}
	}
}

func TestICMPv6_Errors(t *testing.T) {
	if _, err := ParseICMPv6(v6hex(t, "80000000 000700")); !errors.Is(err, ErrTruncated) {
		t.Errorf("7 bytes: %v", err)
	}
	f := ICMPv6Fields{Type: ICMPv6EchoRequest}
	if _, err := f.Encode(make([]byte, 7)); !errors.Is(err, ErrTruncated) {
		t.Errorf("encode into 7 bytes: %v", err)
	}
}

func TestICMPv6Type_String(t *testing.T) {
	for typ, want := range map[ICMPv6Type]string{
		ICMPv6EchoRequest:     "echo request",
		ICMPv6NeighborSolicit: "neighbor solicitation",
		ICMPv6MLDv2Report:     "multicast listener report v2",
		200:                   "icmp6-type-200",
	} {
		if typ.String() != want {
			t.Errorf("%d: %q, want %q", uint8(typ), typ.String(), want)
		}
	}
	// RFC 4443 §2.1: error messages have types 0 to 127.
	if !ICMPv6ParamProblem.IsError() || ICMPv6EchoRequest.IsError() {
		t.Error("IsError")
	}
}

func TestICMPv6_ParseAllocs(t *testing.T) {
	src, dst := netip.MustParseAddr("fe80::1"), netip.MustParseAddr("ff02::1")
	b := v6hex(t, "80 00 0000 0007 0001 61626364")
	ICMPv6(b).SetChecksum(src, dst)
	var sink int
	allocs := testing.AllocsPerRun(100, func() {
		m, err := ParseICMPv6(b)
		if err != nil {
			panic(err)
		}
		if m.VerifyChecksum(src, dst) != nil {
			panic("checksum")
		}
		sink += int(m.ID()) + int(m.Seq()) + len(m.Body())
	})
	if allocs != 0 {
		t.Errorf("ParseICMPv6 + VerifyChecksum: %v allocs, want 0", allocs)
	}
	_ = sink
}
