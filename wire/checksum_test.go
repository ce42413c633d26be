package wire

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
)

// refSum is the trivial RFC 1071 §4.1 reference: add 16-bit big-endian words
// one at a time with end-around carry.
func refSum(b []byte, initial uint32) uint16 {
	s := uint64(initial)
	for i := 0; i+1 < len(b); i += 2 {
		s += uint64(b[i])<<8 | uint64(b[i+1])
	}
	if len(b)%2 == 1 {
		s += uint64(b[len(b)-1]) << 8
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}

func TestSumRFC1071Example(t *testing.T) {
	// RFC 1071 §3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0x2ddf0, which
	// folds to 0xddf2; the checksum is its complement 0x220d.
	b := []byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}
	if got := Fold(Sum(b, 0)); got != 0xddf2 {
		t.Fatalf("Fold(Sum) = %#04x, want 0xddf2", got)
	}
	if got := Checksum(b, 0); got != 0x220d {
		t.Fatalf("Checksum = %#04x, want 0x220d", got)
	}
	// RFC 1071 §2(B): byte-order independence, swapped input gives the
	// swapped sum.
	sw := []byte{0x01, 0x00, 0x03, 0xf2, 0xf5, 0xf4, 0xf7, 0xf6}
	if got := Fold(Sum(sw, 0)); got != 0xf2dd {
		t.Fatalf("swapped Fold(Sum) = %#04x, want 0xf2dd", got)
	}
}

func TestSumTable(t *testing.T) {
	tests := []struct {
		name    string
		b       []byte
		initial uint32
		want    uint16 // folded, not complemented
	}{
		{"empty", nil, 0, 0},
		{"empty initial", nil, 0x12345, 0x2346},
		{"odd byte padded right (RFC 1071 §4.1)", []byte{0xab}, 0, 0xab00},
		{"three bytes", []byte{0x01, 0x02, 0x03}, 0, 0x0402},
		{"end-around carry", []byte{0xff, 0xff, 0x00, 0x01}, 0, 0x0001},
		{"all ones stays 0xffff", []byte{0xff, 0xff, 0xff, 0xff}, 0, 0xffff},
		{"initial all ones", make([]byte, 64), 0xffff, 0xffff},
		{"initial unfolded", []byte{0x00, 0x01}, 0xffffffff, 0x0001},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Fold(Sum(tc.b, tc.initial)); got != tc.want {
				t.Errorf("Fold(Sum(% x, %#x)) = %#04x, want %#04x", tc.b, tc.initial, got, tc.want)
			}
			if ref := refSum(tc.b, tc.initial); ref != tc.want {
				t.Errorf("reference = %#04x, want %#04x (bad table row)", ref, tc.want)
			}
		})
	}
}

func TestSumLengthsAndSplits(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, 300)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	for n := 0; n <= len(b); n++ {
		for _, off := range []int{0, 1, 3} { // unaligned starts
			if off > n {
				continue
			}
			p := b[off:n]
			if got, want := Fold(Sum(p, 0)), refSum(p, 0); got != want {
				t.Fatalf("len %d off %d: %#04x, want %#04x", len(p), off, got, want)
			}
		}
		// Chaining at every even split point equals one sum.
		for k := 0; k <= n; k += 2 {
			got := Fold(Sum(b[k:n], Sum(b[:k], 0)))
			if want := refSum(b[:n], 0); got != want {
				t.Fatalf("split %d/%d: %#04x, want %#04x", k, n, got, want)
			}
		}
	}
}

func TestPseudoSum(t *testing.T) {
	// RFC 768 / RFC 9293 §3.1: src, dst, zero+protocol, length as 16-bit words.
	src := netip.MustParseAddr("192.0.2.1")
	dst := netip.MustParseAddr("198.51.100.7")
	ph := []byte{192, 0, 2, 1, 198, 51, 100, 7, 0, 17, 0x01, 0x2c}
	if got, want := Fold(PseudoSum(src, dst, 17, 300)), refSum(ph, 0); got != want {
		t.Fatalf("IPv4 pseudo sum %#04x, want %#04x", got, want)
	}
	// RFC 8200 §8.1: 32-bit length, three zero bytes, next header.
	s6 := netip.MustParseAddr("2001:db8::1")
	d6 := netip.MustParseAddr("2001:db8::ffff:2")
	a, c := s6.As16(), d6.As16()
	ph6 := append(append(a[:], c[:]...), 0, 1, 0, 4, 0, 0, 0, 58)
	if got, want := Fold(PseudoSum(s6, d6, 58, 0x10004)), refSum(ph6, 0); got != want {
		t.Fatalf("IPv6 pseudo sum %#04x, want %#04x", got, want)
	}
}

func TestChecksumUpdate(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, 40)
	for iter := 0; iter < 20000; iter++ {
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if iter%7 == 0 { // exercise the 0xffff/0x0000 corner
			clear(b[2:])
		}
		binary.BigEndian.PutUint16(b[0:], 0)
		binary.BigEndian.PutUint16(b[0:], Checksum(b, 0))
		old := binary.BigEndian.Uint16(b[0:])
		w := 2 + 2*r.IntN(9)
		if iter%2 == 0 {
			o16, n16 := binary.BigEndian.Uint16(b[w:]), uint16(r.Uint32())
			binary.BigEndian.PutUint16(b[w:], n16)
			checkUpdated(t, b, ChecksumUpdate16(old, o16, n16))
		} else {
			o32, n32 := binary.BigEndian.Uint32(b[w:]), r.Uint32()
			binary.BigEndian.PutUint32(b[w:], n32)
			checkUpdated(t, b, ChecksumUpdate32(old, o32, n32))
		}
	}
}

// checkUpdated checks an incrementally updated checksum against full
// recomputation: RFC 1624 §3 eqn. 3 gives the same value except that it
// keeps 0x0000 (not 0xffff) when all the other data is zero.
func checkUpdated(t *testing.T, b []byte, got uint16) {
	t.Helper()
	c := append([]byte(nil), b...)
	binary.BigEndian.PutUint16(c[0:], 0)
	want := Checksum(c, 0)
	if allZero(c) {
		want = 0
	}
	if got != want {
		t.Fatalf("incremental %#04x, recomputed %#04x for % x", got, want, c)
	}
	binary.BigEndian.PutUint16(c[0:], got)
	if Fold(Sum(c, 0)) != 0xffff && !allZero(c) {
		t.Fatalf("updated packet does not verify: % x", c)
	}
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

func FuzzChecksum(f *testing.F) {
	f.Add([]byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}, uint32(0), uint16(4))
	f.Add([]byte{0xff}, uint32(0xffffffff), uint16(0))
	f.Add(make([]byte, 130), uint32(0x1ffff), uint16(65))
	f.Fuzz(func(t *testing.T, b []byte, initial uint32, split uint16) {
		want := refSum(b, initial)
		if got := Fold(Sum(b, initial)); got != want {
			t.Fatalf("Sum(% x, %#x) folds to %#04x, reference %#04x", b, initial, got, want)
		}
		k := int(split) &^ 1
		if k > len(b) {
			k = len(b) &^ 1
		}
		if got := Fold(Sum(b[k:], Sum(b[:k], initial))); got != want {
			t.Fatalf("split at %d: %#04x, reference %#04x", k, got, want)
		}
	})
}

func TestSumAllocs(t *testing.T) {
	b := make([]byte, 1500)
	if n := testing.AllocsPerRun(100, func() { _ = Checksum(b, 0) }); n != 0 {
		t.Fatalf("Checksum allocates %v times", n)
	}
}

func BenchmarkChecksum(b *testing.B) {
	for _, n := range []int{64, 1500, 65536} {
		buf := make([]byte, n)
		for i := range buf {
			buf[i] = byte(i * 7)
		}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				_ = Checksum(buf, 0)
			}
		})
	}
}

// Long runs of 0xff make every 64-bit addition carry, so the carries Sum
// counts apart per block add up to the most they can; the result must
// still match the reference, for every initial value's extremes.
func TestSumAllOnesLong(t *testing.T) {
	for _, n := range []int{127, 128, 129, 1500, 4096 + 3, 65536, 65535 + 128} {
		b := make([]byte, n)
		for i := range b {
			b[i] = 0xff
		}
		for _, initial := range []uint32{0, 1, 0xffff, 0x1fffe, 0xffffffff} {
			if got, want := Fold(Sum(b, initial)), refSum(b, initial); got != want {
				t.Errorf("len %d initial %#x: Sum folds to %#04x, reference %#04x", n, initial, got, want)
			}
		}
	}
}
