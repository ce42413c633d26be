package wire

import (
	"encoding/binary"
	"net/netip"
)

// Sum adds b to the running RFC 1071 ones'-complement sum initial and returns
// the new sum, not yet folded. An odd final byte is padded with zero
// (RFC 1071 §4.1). Sums of several pieces may be added together as long as
// every piece but the last has even length.
func Sum(b []byte, initial uint32) uint32 {
	acc := uint64(initial)
	for len(b) >= 8 {
		v := binary.BigEndian.Uint64(b)
		acc += v >> 32
		acc += v & 0xffffffff
		b = b[8:]
	}
	for len(b) >= 2 {
		acc += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		acc += uint64(b[0]) << 8
	}
	for acc>>32 != 0 {
		acc = acc&0xffffffff + acc>>32
	}
	return uint32(acc)
}

// Fold folds a 32-bit sum into 16 bits with end-around carry (RFC 1071 §2).
// It does not complement.
func Fold(sum uint32) uint16 {
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return uint16(sum)
}

// Checksum returns the Internet checksum of b with initial added: the
// ones'-complement of the folded ones'-complement sum (RFC 1071).
func Checksum(b []byte, initial uint32) uint16 {
	return ^Fold(Sum(b, initial))
}

// PseudoSum returns the sum of the pseudo-header used by UDP, TCP and ICMPv6
// checksums: RFC 9293 §3.1 and RFC 768 for IPv4 (source, destination, zero,
// protocol, length), RFC 8200 §8.1 for IPv6 (source, destination, 32-bit
// length, three zero bytes, next header). src and dst must be the same family.
func PseudoSum(src, dst netip.Addr, proto uint8, length int) uint32 {
	var sum uint32
	if src.Is4() {
		s, d := src.As4(), dst.As4()
		sum = Sum(s[:], 0)
		sum = Sum(d[:], sum)
	} else {
		s, d := src.As16(), dst.As16()
		sum = Sum(s[:], 0)
		sum = Sum(d[:], sum)
	}
	sum += uint32(proto)
	sum += uint32(length>>16) + uint32(length&0xffff)
	return sum
}
