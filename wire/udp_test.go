package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
)

var (
	udpSrc4 = netip.MustParseAddr("10.213.50.1")
	udpDst4 = netip.MustParseAddr("10.213.50.2")
	udpSrc6 = netip.MustParseAddr("fd7a:213:50::1")
	udpDst6 = netip.MustParseAddr("fd7a:213:50::2")
)

// xportRefChecksum is an independent RFC 1071 checksum: 16-bit words summed
// one at a time into a 64-bit accumulator, folded at the end.
func xportRefChecksum(pieces ...[]byte) uint16 {
	var all []byte
	for _, p := range pieces {
		all = append(all, p...)
	}
	if len(all)%2 == 1 {
		all = append(all, 0)
	}
	var s uint64
	for i := 0; i < len(all); i += 2 {
		s += uint64(all[i])<<8 | uint64(all[i+1])
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

// xportRefPseudo builds the pseudo-header bytes of RFC 768 / RFC 8200 §8.1.
func xportRefPseudo(src, dst netip.Addr, proto uint8, n int) []byte {
	var p []byte
	p = append(p, src.AsSlice()...)
	p = append(p, dst.AsSlice()...)
	if src.Is4() {
		return append(p, 0, proto, byte(n>>8), byte(n))
	}
	return append(p, byte(n>>24), byte(n>>16), byte(n>>8), byte(n), 0, 0, 0, proto)
}

func TestParseUDPLayout(t *testing.T) {
	// RFC 768 "Format": source port, destination port, length, checksum,
	// each 16 bits, then data octets. Two bytes of link padding follow.
	b := []byte{0x30, 0x39, 0x00, 0x35, 0x00, 0x0b, 0xab, 0xcd, 'h', 'e', 'y', 0, 0}
	u, err := ParseUDP(b)
	if err != nil {
		t.Fatal(err)
	}
	got := u.Fields()
	want := UDPFields{SrcPort: 12345, DstPort: 53, Length: 11, Checksum: 0xabcd}
	if got != want {
		t.Errorf("fields = %+v, want %+v", got, want)
	}
	if string(u.Payload()) != "hey" {
		t.Errorf("payload = %q, want %q (padding excluded)", u.Payload(), "hey")
	}
	if len(u.Bytes()) != 11 {
		t.Errorf("len(Bytes) = %d, want 11", len(u.Bytes()))
	}
	if &u.Payload()[0] != &b[8] {
		t.Error("Payload does not alias the input")
	}
}

func TestParseUDPErrors(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"short header", []byte{0, 1, 0, 2, 0, 8, 0}, ErrTruncated},
		// RFC 768: the minimum value of the length is eight.
		{"length 7", []byte{0, 1, 0, 2, 0, 7, 0, 0}, ErrBadLength},
		{"length 0 (jumbogram)", []byte{0, 1, 0, 2, 0, 0, 0, 0, 1}, ErrBadLength},
		{"length past buffer", []byte{0, 1, 0, 2, 0, 10, 0, 0, 1}, ErrTruncated},
	}
	for _, tt := range tests {
		if _, err := ParseUDP(tt.b); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	if _, err := ParseUDP([]byte{0, 1, 0, 2, 0, 8, 0, 0}); err != nil {
		t.Errorf("empty payload: %v", err)
	}
}

func TestUDPChecksum(t *testing.T) {
	for _, fam := range []struct {
		name     string
		src, dst netip.Addr
	}{{"v4", udpSrc4, udpDst4}, {"v6", udpSrc6, udpDst6}} {
		for _, n := range []int{0, 1, 2, 7, 100, 1473} {
			payload := make([]byte, n)
			for i := range payload {
				payload[i] = byte(i*7 + 3)
			}
			f := UDPFields{SrcPort: 40000, DstPort: 33434, Length: uint16(8 + n)}
			b := make([]byte, 8+n)
			copy(b[8:], payload)
			if _, err := f.Encode(b); err != nil {
				t.Fatal(err)
			}
			u, err := ParseUDP(b)
			if err != nil {
				t.Fatal(err)
			}
			u.SetChecksum(fam.src, fam.dst)
			want := xportRefChecksum(xportRefPseudo(fam.src, fam.dst, 17, 8+n), b[:6], payload)
			if want == 0 {
				want = 0xffff
			}
			if u.Checksum() != want {
				t.Errorf("%s/%d: checksum %#04x, want %#04x", fam.name, n, u.Checksum(), want)
			}
			if !u.VerifyChecksum(fam.src, fam.dst) {
				t.Errorf("%s/%d: own checksum does not verify", fam.name, n)
			}
			b[len(b)-1] ^= 0x40 // any single-bit flip must be caught
			if n > 0 && u.VerifyChecksum(fam.src, fam.dst) {
				t.Errorf("%s/%d: corrupted datagram verifies", fam.name, n)
			}
			if u.VerifyChecksum(fam.src, netip.MustParseAddr(map[bool]string{true: "10.0.0.9", false: "fd00::9"}[fam.src.Is4()])) {
				t.Errorf("%s/%d: wrong pseudo-header verifies", fam.name, n)
			}
		}
	}
}

func TestUDPZeroChecksum(t *testing.T) {
	b := []byte{0, 7, 0, 9, 0, 10, 0, 0, 'h', 'i'}
	u, err := ParseUDP(b)
	if err != nil {
		t.Fatal(err)
	}
	// RFC 768: zero means no checksum was generated (IPv4).
	if !u.VerifyChecksum(udpSrc4, udpDst4) {
		t.Error("IPv4 datagram without checksum rejected")
	}
	// RFC 8200 §8.1: IPv6 receivers must discard a zero UDP checksum.
	if u.VerifyChecksum(udpSrc6, udpDst6) {
		t.Error("IPv6 datagram with zero checksum accepted")
	}
}

func TestUDPChecksumZeroSentAsOnes(t *testing.T) {
	// Pick the last payload word so that the ones'-complement sum of the
	// whole datagram is 0xffff: its checksum computes to zero, which
	// RFC 768 transmits as all ones.
	b := []byte{0x12, 0x34, 0x56, 0x78, 0, 12, 0, 0, 0xde, 0xad, 0, 0}
	s := xportRefChecksum(xportRefPseudo(udpSrc4, udpDst4, 17, len(b)), b) // ^sum
	binary.BigEndian.PutUint16(b[10:], s)
	if c := xportRefChecksum(xportRefPseudo(udpSrc4, udpDst4, 17, len(b)), b); c != 0 {
		t.Fatalf("setup: checksum %#04x, want 0", c)
	}
	u, err := ParseUDP(b)
	if err != nil {
		t.Fatal(err)
	}
	u.SetChecksum(udpSrc4, udpDst4)
	if u.Checksum() != 0xffff {
		t.Errorf("checksum %#04x, want 0xffff", u.Checksum())
	}
	if !u.VerifyChecksum(udpSrc4, udpDst4) {
		t.Error("all-ones checksum does not verify")
	}
}

func TestUDPEncode(t *testing.T) {
	f := UDPFields{SrcPort: 0xbeef, DstPort: 7, Length: 12, Checksum: 0x1234}
	if f.Len() != UDPHeaderLen {
		t.Errorf("Len = %d", f.Len())
	}
	buf := make([]byte, 32)
	off := 20 // build into headroom in front of a 4-byte payload
	copy(buf[off:], "data")
	n, err := f.Encode(buf[off-f.Len() : off])
	if err != nil || n != 8 {
		t.Fatalf("Encode = %d, %v", n, err)
	}
	want := []byte{0xbe, 0xef, 0, 7, 0, 12, 0x12, 0x34, 'd', 'a', 't', 'a'}
	if !bytes.Equal(buf[off-8:off+4], want) {
		t.Errorf("encoded % x, want % x", buf[off-8:off+4], want)
	}
	if _, err := f.Encode(make([]byte, 7)); !errors.Is(err, ErrTruncated) {
		t.Errorf("short buffer: err = %v", err)
	}
	f.Length = 7
	if _, err := f.Encode(make([]byte, 8)); !errors.Is(err, ErrBadLength) {
		t.Errorf("length 7: err = %v", err)
	}
}

func TestUDPParseAllocs(t *testing.T) {
	b := []byte{0, 7, 0, 9, 0, 10, 0, 0, 'h', 'i'}
	var sink uint16
	allocs := testing.AllocsPerRun(100, func() {
		u, err := ParseUDP(b)
		if err != nil {
			panic(err)
		}
		sink += u.SrcPort() + u.Length() + uint16(len(u.Payload()))
	})
	if allocs != 0 {
		t.Errorf("ParseUDP allocates %v times", allocs)
	}
	_ = sink
}
