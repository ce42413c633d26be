package wire

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
)

// Sum adds b to the running RFC 1071 ones'-complement sum initial and returns
// the new sum, not yet complemented, folded to 16 bits (pass it to Fold or
// Checksum; Fold leaves it as it is). An odd final byte is padded with zero
// on the right (RFC 1071 §4.1). Sums of several pieces may be chained
// through initial as long as every piece but the last has even length.
//
// RFC 1071 §2(B): the sum is independent of byte order, so Sum adds the data
// as little-endian 64-bit words (one plain load each on common hardware) with
// end-around carry (RFC 1071 §2(C): deferred carries), folds, and swaps the
// 16-bit result back to network order.
func Sum(b []byte, initial uint32) uint32 {
	return uint32(bits.ReverseBytes16(fold64(sum64(b, initial))))
}

// sum64 returns the ones'-complement sum of b and initial as a 64-bit
// value in the byte-swapped domain, not folded.
func sum64(b []byte, initial uint32) uint64 {
	// initial is in network order. Reversing all four bytes swaps the
	// bytes of each 16-bit half into the domain the loop works in (RFC
	// 1071 §2(B)) and exchanges the halves, which a sum does not notice
	// (§2(A)).
	acc := uint64(bits.ReverseBytes32(initial))
	// 128 bytes per iteration through an array pointer, so the compiler
	// drops every bounds check. Each block's final carry is counted apart
	// (RFC 1071 §2(C), deferred carries) rather than added back at once,
	// which keeps it off the chain of additions the next block waits on.
	var carries uint64
	n := len(b) &^ 127
	for i := 0; i < n; i += 128 {
		var c uint64
		acc, c = add128(acc, (*[128]byte)(b[i:i+128]))
		carries += c
	}
	b = b[n:]
	// The remainder (under 128 bytes) in unrolled steps of 64, 32, 16 and 8.
	var c uint64
	if len(b) >= 64 {
		x := (*[64]byte)(b[:64])
		acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[0:8]), c)
		acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[8:16]), c)
		acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[16:24]), c)
		acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[24:32]), c)
		acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[32:40]), c)
		acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[40:48]), c)
		acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[48:56]), c)
		acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[56:64]), c)
		b = b[64:]
	}
	if len(b) >= 32 {
		x := (*[32]byte)(b[:32])
		acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[0:8]), c)
		acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[8:16]), c)
		acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[16:24]), c)
		acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[24:32]), c)
		b = b[32:]
	}
	if len(b) >= 16 {
		x := (*[16]byte)(b[:16])
		acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[0:8]), c)
		acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[8:16]), c)
		b = b[16:]
	}
	if len(b) >= 8 {
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
	// End-around carry of the counted carries and the last one; the sum
	// of these is at most one per 128 bytes plus one, and adding it wraps
	// at most once.
	acc, c = bits.Add64(acc, carries+c, 0)
	return acc + c
}

// fold64 folds a 64-bit ones'-complement sum to 16 bits with end-around
// carry (RFC 1071 §2(C)): adding a word to itself rotated by half its
// width leaves the end-around sum of its two halves in the upper half.
func fold64(acc uint64) uint16 {
	s := uint32((acc + bits.RotateLeft64(acc, 32)) >> 32)
	return uint16((s + bits.RotateLeft32(s, 16)) >> 16)
}

// add128 adds sixteen little-endian words to acc and returns the sum and
// the final carry, which the caller adds back (end-around carry).
func add128(acc uint64, x *[128]byte) (uint64, uint64) {
	var c uint64
	acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[0:8]), 0)
	acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[8:16]), c)
	acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[16:24]), c)
	acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[24:32]), c)
	acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[32:40]), c)
	acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[40:48]), c)
	acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[48:56]), c)
	acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[56:64]), c)
	acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[64:72]), c)
	acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[72:80]), c)
	acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[80:88]), c)
	acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[88:96]), c)
	acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[96:104]), c)
	acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[104:112]), c)
	acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[112:120]), c)
	acc, c = bits.Add64(acc, binary.LittleEndian.Uint64(x[120:128]), c)
	return acc, c
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
	return ^bits.ReverseBytes16(fold64(sum64(b, initial)))
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
