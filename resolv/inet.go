package resolv

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strconv"

	"golang.org/x/sys/unix"
)

// INADDR_NONE is the value inet_addr returns for an invalid address. It is
// also the value of the valid address 255.255.255.255 (INADDR_BROADCAST):
// inet(3): "the value returned by inet_addr() for an invalid input is
// INADDR_NONE (usually -1), which is also a valid address", which is why
// InetAton or InetPton should be preferred.
const INADDR_NONE uint32 = 0xffffffff

// ErrInvalidAddress reports text that is not an address of the requested
// family: inet_pton(3) returns 0 in that case.
var ErrInvalidAddress = errors.New("resolv: invalid address text")

// Htons converts a 16-bit value from host to network byte order: byteorder(3).
// The result is the value whose in-memory representation on this host is
// big-endian.
func Htons(v uint16) uint16 { return swap16(v) }

// Ntohs converts a 16-bit value from network to host byte order: byteorder(3).
func Ntohs(v uint16) uint16 { return swap16(v) }

// Htonl converts a 32-bit value from host to network byte order: byteorder(3).
func Htonl(v uint32) uint32 { return swap32(v) }

// Ntohl converts a 32-bit value from network to host byte order: byteorder(3).
func Ntohl(v uint32) uint32 { return swap32(v) }

// swap16 and swap32 reverse byte order when the host is little-endian.
func swap16(v uint16) uint16 {
	if !littleEndian() {
		return v
	}
	return v<<8 | v>>8
}

func swap32(v uint32) uint32 {
	if !littleEndian() {
		return v
	}
	return v<<24 | (v<<8)&0xff0000 | (v>>8)&0xff00 | v>>24
}

func littleEndian() bool {
	return binary.NativeEndian.Uint16([]byte{1, 0}) == 1
}

// InetPton converts text to an address of family af (unix.AF_INET or
// unix.AF_INET6): inet_pton(3). It returns unix.EAFNOSUPPORT for another
// family ("-1 ... errno set to EAFNOSUPPORT") and ErrInvalidAddress for text
// that is not a valid address ("0 is returned if src does not contain a
// character string representing a valid network address").
func InetPton(af int, s string) (netip.Addr, error) {
	switch af {
	case unix.AF_INET:
		b, ok := pton4(s)
		if !ok {
			return netip.Addr{}, ErrInvalidAddress
		}
		return netip.AddrFrom4(b), nil
	case unix.AF_INET6:
		b, ok := pton6(s)
		if !ok {
			return netip.Addr{}, ErrInvalidAddress
		}
		return netip.AddrFrom16(b), nil
	}
	return netip.Addr{}, unix.EAFNOSUPPORT
}

// pton4 parses the strict dotted-decimal form of inet_pton(3): "ddd.ddd.ddd.ddd,
// where ddd is a decimal number of up to three digits in the range 0 to
// 255"; glibc also rejects a leading zero in a multi-digit part.
func pton4(s string) ([4]byte, bool) {
	var out [4]byte
	part, digits := 0, 0
	val := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if digits > 0 && val == 0 {
				return out, false // leading zero
			}
			val = val*10 + int(c-'0')
			digits++
			if val > 255 {
				return out, false
			}
		case c == '.':
			if digits == 0 || part == 3 {
				return out, false
			}
			out[part] = byte(val)
			part, digits, val = part+1, 0, 0
		default:
			return out, false
		}
	}
	if part != 3 || digits == 0 {
		return out, false
	}
	out[3] = byte(val)
	return out, true
}

// pton6 parses the text forms of RFC 4291 §2.2: eight groups of up to four
// hex digits, one "::" standing for one or more zero groups, and an
// optional dotted-quad tail for the last 32 bits.
func pton6(s string) ([16]byte, bool) {
	var out [16]byte
	if len(s) == 0 {
		return out, false
	}
	i, n, gap := 0, 0, -1 // n: bytes written; gap: where "::" stands
	if s[0] == ':' {
		if len(s) < 2 || s[1] != ':' {
			return out, false
		}
		gap, i = 0, 2
	}
	for i < len(s) {
		start, val := i, 0
		for i < len(s) && i-start < 5 && hexVal(s[i]) >= 0 {
			val = val<<4 | hexVal(s[i])
			i++
		}
		if i < len(s) && s[i] == '.' {
			// RFC 4291 §2.2 (3): the dotted-quad tail.
			v4, ok := pton4(s[start:])
			if !ok || n+4 > 16 {
				return out, false
			}
			copy(out[n:], v4[:])
			n += 4
			i = len(s)
			break
		}
		if i == start || i-start > 4 || n+2 > 16 {
			return out, false
		}
		out[n], out[n+1] = byte(val>>8), byte(val)
		n += 2
		if i == len(s) {
			break
		}
		if s[i] != ':' || i+1 == len(s) {
			return out, false
		}
		i++
		if s[i] == ':' {
			if gap >= 0 {
				return out, false
			}
			gap = n
			i++
		}
	}
	if gap >= 0 {
		if n == 16 {
			return out, false // "::" must stand for at least one group
		}
		tail := n - gap
		copy(out[16-tail:], out[gap:n])
		clear(out[gap : 16-tail])
		return out, true
	}
	return out, n == 16
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// InetNtop formats an address as inet_ntop(3) does: dotted decimal for IPv4;
// for IPv6 the RFC 5952 §4 form (lowercase hex, no leading zeros, the
// longest run of two or more zero groups compressed, the first on a tie)
// with glibc's dotted-quad tail for IPv4-mapped (::ffff:a.b.c.d, RFC 5952
// §5) and deprecated IPv4-compatible (::a.b.c.d, RFC 4291 §2.5.5.1)
// addresses. An invalid Addr yields unix.EAFNOSUPPORT.
func InetNtop(a netip.Addr) (string, error) {
	if a.Is4() {
		return ntop4(a.As4()), nil
	}
	if !a.Is6() {
		return "", unix.EAFNOSUPPORT
	}
	return ntop6(a.As16()), nil
}

func ntop4(b [4]byte) string {
	buf := make([]byte, 0, 15)
	for i, v := range b {
		if i > 0 {
			buf = append(buf, '.')
		}
		buf = strconv.AppendUint(buf, uint64(v), 10)
	}
	return string(buf)
}

func ntop6(b [16]byte) string {
	var w [8]uint16
	for i := range w {
		w[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	// RFC 5952 §4.2.1-§4.2.3: the longest run of at least two zero groups,
	// the first one when runs tie.
	best, bestLen := -1, 1
	for i := 0; i < 8; {
		if w[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && w[j] == 0 {
			j++
		}
		if j-i > bestLen {
			best, bestLen = i, j-i
		}
		i = j
	}
	buf := make([]byte, 0, 46)
	for i := 0; i < 8; i++ {
		if i == best {
			buf = append(buf, ':')
			if i+bestLen == 8 {
				buf = append(buf, ':')
			}
			i += bestLen - 1
			continue
		}
		if i > 0 {
			buf = append(buf, ':')
		}
		if i == 6 && best == 0 && (bestLen == 6 || bestLen == 5 && w[5] == 0xffff) {
			// RFC 5952 §5: IPv4-mapped (and glibc's IPv4-compatible)
			// addresses end in dotted decimal.
			buf = append(buf, ntop4([4]byte{b[12], b[13], b[14], b[15]})...)
			break
		}
		// RFC 5952 §4.1, §4.3: no leading zeros, lowercase.
		buf = strconv.AppendUint(buf, uint64(w[i]), 16)
	}
	return string(buf)
}

// InetAton converts an IPv4 address in the numbers-and-dots notation of
// inet(3) to an address. It accepts the forms a.b.c.d, a.b.c (c is 16 bits),
// a.b (b is 24 bits) and a (32 bits), each part decimal, octal (leading 0)
// or hexadecimal (leading 0x), and, as glibc does, anything after the
// address once a whitespace character follows it. ok is false for invalid
// text.
func InetAton(s string) (addr netip.Addr, ok bool) {
	v, _, ok := atonEnd(s)
	if !ok {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// InetAddr converts numbers-and-dots text as InetAton does and returns the
// address as a 32-bit value in host order, or INADDR_NONE for invalid text.
// inet(3): INADDR_NONE is also 255.255.255.255, so a caller cannot tell the
// broadcast address from an error; use InetAton or InetPton instead.
func InetAddr(s string) uint32 {
	v, _, ok := atonEnd(s)
	if !ok {
		return INADDR_NONE
	}
	return v
}

// InetNtoa formats an IPv4 address in dotted decimal: inet_ntoa(3).
func InetNtoa(a netip.Addr) string {
	return ntop4(a.Unmap().As4())
}

// atonExact is glibc's stricter inet_aton used by getaddrinfo: the whole
// text must be the address.
func atonExact(s string) (netip.Addr, bool) {
	v, rest, ok := atonEnd(s)
	if !ok || rest != len(s) {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// atonEnd parses the inet(3) numbers-and-dots notation and returns the value
// in host order and the index where parsing stopped.
func atonEnd(s string) (uint32, int, bool) {
	var parts [3]uint32
	np, i := 0, 0
	for {
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return 0, 0, false
		}
		v, n, ok := cNumber(s[i:])
		if !ok {
			return 0, 0, false
		}
		i += n
		if i < len(s) && s[i] == '.' {
			if np == 3 || v > 0xff {
				return 0, 0, false
			}
			parts[np] = uint32(v)
			np++
			i++
			continue
		}
		// inet(3): trailing text is accepted only after whitespace.
		if i < len(s) && !isSpace(s[i]) {
			return 0, 0, false
		}
		// inet(3): the last part fills the remaining bytes.
		max := [4]uint64{0xffffffff, 0xffffff, 0xffff, 0xff}[np]
		if v > max {
			return 0, 0, false
		}
		r := uint32(v)
		for k := 0; k < np; k++ {
			r |= parts[k] << (24 - 8*k)
		}
		return r, i, true
	}
}

// cNumber reads an unsigned number as strtoul(3) with base 0 does: 0x for
// hexadecimal, a leading 0 for octal, otherwise decimal. It fails above
// 32 bits.
func cNumber(s string) (uint64, int, bool) {
	base, i := uint64(10), 0
	if len(s) > 1 && s[0] == '0' {
		base, i = 8, 1
		if (s[1] == 'x' || s[1] == 'X') && len(s) > 2 && hexVal(s[2]) >= 0 {
			base, i = 16, 2
		}
	}
	var v uint64
	for ; i < len(s); i++ {
		d := hexVal(s[i])
		if d < 0 || uint64(d) >= base {
			break
		}
		v = v*base + uint64(d)
		if v > 0xffffffff {
			return 0, 0, false
		}
	}
	return v, i, true
}

// isSpace is isspace(3) in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
