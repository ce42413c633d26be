package wire

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
)

// Sum adds b to the running RFC 1071 ones'-complement sum initial and returns
// the new sum, not yet complemented and possibly not folded to 16 bits (pass
// it to Fold or Checksum). An odd final byte is padded with zero on the right
// (RFC 1071 §4.1). Sums of several pieces may be chained through initial as
// long as every piece but the last has even length.
//
// RFC 1071 §2(B): the sum is independent of byte order, so Sum adds the data
// as little-endian 64-bit words (one plain load each on common hardware) with
// end-around carry (RFC 1071 §2(C): deferred carries), folds, and swaps the
// 16-bit result back to network order.
func Sum(b []byte, initial uint32) uint32 {
	// The initial sum is in network order; swap it into the byte-swapped
	// domain the loop works in.
	acc := uint64(bits.ReverseBytes16(Fold(initial)))
	var c uint64
	for len(b) >= 64 {
		acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(b[0:8]), c)
		acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(b[8:16]), c)
		acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(b[16:24]), c)
		acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(b[24:32]), c)
		acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(b[32:40]), c)
		acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(b[40:48]), c)
		acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(b[48:56]), c)
		acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(b[56:64]), c)
		b = b[64:]
	}
	for len(b) >= 8 {
		acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(b), c)
		b = b[8:]
	}
	if len(b) >= 4 {
		acc, c = bits.Add64(acc, uint64(binary.LittleEndian.Uint32(b)), c)
		b = b[4:]
	}
	if len(b) >= 2 {
		acc, c = bits.Add64(acc, uint64(binary.LittleEndian.Uint16(b)), c)
		b = b[2:]
	}
	if len(b) == 1 {
		// RFC 1071 §4.1: pad the odd byte with zero; in the swapped domain
		// it is the low byte.
		acc, c = bits.Add64(acc, uint64(b[0]), c)
	}
	// End-around carry: acc+c cannot carry again, since c is 1 only when
	// the last addition wrapped, leaving acc < 2^64-1.
	acc += c
	s := acc>>32 + acc&0xffffffff // at most 33 bits
	s = s>>32 + s&0xffffffff      // fits in 32 bits
	return uint32(bits.ReverseBytes16(Fold(uint32(s))))
}

// Fold folds a 32-bit sum into 16 bits with end-around carry (RFC 1071 §2).
// It does not complement.
func Fold(sum uint32) uint16 {
	sum = sum>>16 + sum&0xffff // at most 0x1fffe
	sum = sum>>16 + sum&0xffff // at most 0xffff
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

// ChecksumUpdate16 returns the checksum field that results from changing one
// 16-bit word covered by checksum from oldField to newField, without
// recomputing the sum.
//
// RFC 1624 §3: HC' = ~(~HC + ~m + m') (eqn. 3), which unlike eqn. 2 never
// yields the -0 form 0x0000 from a non-zero sum.
func ChecksumUpdate16(checksum, oldField, newField uint16) uint16 {
	s := uint32(^checksum) + uint32(^oldField) + uint32(newField)
	return ^Fold(s)
}

// ChecksumUpdate32 is ChecksumUpdate16 for a 32-bit field (an IPv4 address,
// say) changed from oldField to newField: RFC 1624 §3 eqn. 3 applied to both
// of its 16-bit halves.
func ChecksumUpdate32(checksum uint16, oldField, newField uint32) uint16 {
	s := uint32(^checksum) +
		uint32(^uint16(oldField>>16)) + uint32(^uint16(oldField)) +
		uint32(newField>>16) + uint32(newField&0xffff)
	return ^Fold(s)
}
