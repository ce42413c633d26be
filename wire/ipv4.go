package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// IPv4MinHeaderLen and IPv4MaxHeaderLen bound the Internet Header Length
// (RFC 791 §3.1: IHL is at least 5 words; it is a 4-bit count of words).
const (
	IPv4MinHeaderLen  = 20
	IPv4MaxHeaderLen  = 60
	IPv4MaxOptionsLen = IPv4MaxHeaderLen - IPv4MinHeaderLen
)

// Protocol numbers of the IPv4 formats in this package (IANA "Assigned
// Internet Protocol Numbers").
const (
	ICMPv4ProtocolNumber = 1 // RFC 792
	IGMPProtocolNumber   = 2 // RFC 1112
)

// IPv4Flags holds the 3-bit Flags field of an IPv4 header.
type IPv4Flags uint8

// RFC 791 §3.1 Flags: bit 0 reserved (must be zero), bit 1 Don't Fragment,
// bit 2 More Fragments.
const (
	IPv4FlagReserved IPv4Flags = 4
	IPv4FlagDF       IPv4Flags = 2
	IPv4FlagMF       IPv4Flags = 1
)

// String lists the set flags, like "DF|MF", or "none".
func (f IPv4Flags) String() string {
	s := ""
	for _, x := range [...]struct {
		f IPv4Flags
		n string
	}{{IPv4FlagReserved, "RF"}, {IPv4FlagDF, "DF"}, {IPv4FlagMF, "MF"}} {
		if f&x.f != 0 {
			if s != "" {
				s += "|"
			}
			s += x.n
		}
	}
	if s == "" {
		return "none"
	}
	return s
}

// IPv4 is a checked view of an IPv4 datagram: a header of HeaderLen bytes and
// a payload, TotalLen bytes in all. Bytes the link carried after TotalLen
// (Ethernet padding) are not part of the view. Make one with ParseIPv4. The
// view aliases the caller's bytes, so the Set and Dec methods edit them.
type IPv4 []byte

// ParseIPv4 checks that b starts with an IPv4 header whose header length and
// total length fit in b and returns a view of the datagram. It does not
// verify the checksum (see ChecksumValid) or the options (see Options).
func ParseIPv4(b []byte) (IPv4, error) {
	if len(b) < IPv4MinHeaderLen {
		return nil, fmt.Errorf("ipv4: %d bytes, need %d: %w", len(b), IPv4MinHeaderLen, ErrTruncated)
	}
	// RFC 791 §3.1: Version is 4.
	if v := b[0] >> 4; v != 4 {
		return nil, fmt.Errorf("ipv4: version %d: %w", v, ErrBadVersion)
	}
	// RFC 791 §3.1: IHL is the header length in 32-bit words, minimum 5.
	hl := int(b[0]&0xf) * 4
	if hl < IPv4MinHeaderLen {
		return nil, fmt.Errorf("ipv4: header length %d below %d: %w", hl, IPv4MinHeaderLen, ErrBadHeaderLength)
	}
	// RFC 791 §3.1: Total Length is the datagram's length, header and data.
	tl := int(binary.BigEndian.Uint16(b[2:]))
	if tl < hl {
		return nil, fmt.Errorf("ipv4: total length %d below header length %d: %w", tl, hl, ErrBadLength)
	}
	if tl > len(b) {
		return nil, fmt.Errorf("ipv4: total length %d exceeds %d bytes: %w", tl, len(b), ErrBadLength)
	}
	return IPv4(b[:tl]), nil
}

// Version returns the version field, always 4 in a parsed view.
func (p IPv4) Version() uint8 { return p[0] >> 4 }

// HeaderLen returns the header length in bytes (IHL times 4).
func (p IPv4) HeaderLen() int { return int(p[0]&0xf) * 4 }

// TOS returns the Type of Service octet, now the DSCP and ECN fields
// (RFC 2474 §3, RFC 3168 §5).
func (p IPv4) TOS() uint8 { return p[1] }

// TotalLen returns the Total Length field, equal to len(p).
func (p IPv4) TotalLen() uint16 { return binary.BigEndian.Uint16(p[2:]) }

// ID returns the Identification field.
func (p IPv4) ID() uint16 { return binary.BigEndian.Uint16(p[4:]) }

// Flags returns the 3-bit Flags field.
func (p IPv4) Flags() IPv4Flags { return IPv4Flags(p[6] >> 5) }

// FragOffset returns the 13-bit Fragment Offset field, in units of 8 octets
// (RFC 791 §3.1).
func (p IPv4) FragOffset() uint16 { return binary.BigEndian.Uint16(p[6:]) & 0x1fff }

// IsFragment reports whether p is a fragment of a larger datagram: More
// Fragments is set or the offset is non-zero (RFC 791 §3.2).
func (p IPv4) IsFragment() bool { return binary.BigEndian.Uint16(p[6:])&0x3fff != 0 }

// TTL returns the Time to Live field.
func (p IPv4) TTL() uint8 { return p[8] }

// Protocol returns the Protocol field, the payload's protocol number.
func (p IPv4) Protocol() uint8 { return p[9] }

// Checksum returns the Header Checksum field.
func (p IPv4) Checksum() uint16 { return binary.BigEndian.Uint16(p[10:]) }

// ChecksumValid reports whether the header checksum verifies: RFC 791 §3.1,
// the ones'-complement sum of the header, checksum field included, is all
// ones.
func (p IPv4) ChecksumValid() bool { return Fold(Sum(p[:p.HeaderLen()], 0)) == 0xffff }

// Src returns the source address.
func (p IPv4) Src() netip.Addr { return netip.AddrFrom4([4]byte(p[12:16])) }

// Dst returns the destination address.
func (p IPv4) Dst() netip.Addr { return netip.AddrFrom4([4]byte(p[16:20])) }

// Options returns the raw options and padding, between the fixed header and
// the payload; Options().Iter() walks them.
func (p IPv4) Options() IPv4Options { return IPv4Options(p[IPv4MinHeaderLen:p.HeaderLen()]) }

// Payload returns the bytes after the header, up to TotalLen.
func (p IPv4) Payload() []byte { return p[p.HeaderLen():] }

// SetTTL sets the TTL in place and updates the checksum incrementally
// (RFC 1624 §3 eqn. 3 over the TTL/Protocol word).
func (p IPv4) SetTTL(ttl uint8) {
	old := binary.BigEndian.Uint16(p[8:])
	p[8] = ttl
	c := ChecksumUpdate16(p.Checksum(), old, binary.BigEndian.Uint16(p[8:]))
	binary.BigEndian.PutUint16(p[10:], c)
}

// DecTTL decrements the TTL in place, as a router does when forwarding
// (RFC 791 §3.2, RFC 1812 §5.3.1), updates the checksum incrementally and
// returns the new TTL. A TTL already zero is left alone.
func (p IPv4) DecTTL() uint8 {
	if p[8] == 0 {
		return 0
	}
	p.SetTTL(p[8] - 1)
	return p[8]
}

// SetSrc sets the source address in place and updates the checksum
// incrementally (RFC 1624 §3). Transport checksums that cover the address
// through the pseudo-header are the caller's to update.
func (p IPv4) SetSrc(a netip.Addr) { p.setAddr(12, a) }

// SetDst sets the destination address in place; see SetSrc.
func (p IPv4) SetDst(a netip.Addr) { p.setAddr(16, a) }

func (p IPv4) setAddr(off int, a netip.Addr) {
	n := a.As4()
	old := binary.BigEndian.Uint32(p[off:])
	copy(p[off:off+4], n[:])
	c := ChecksumUpdate32(p.Checksum(), old, binary.BigEndian.Uint32(n[:]))
	binary.BigEndian.PutUint16(p[10:], c)
}

// String formats the header like "192.0.2.1 > 192.0.2.2 proto 6 ttl 64 id 7 len 40 DF".
func (p IPv4) String() string {
	s := fmt.Sprintf("%v > %v proto %d ttl %d id %d len %d", p.Src(), p.Dst(), p.Protocol(), p.TTL(), p.ID(), p.TotalLen())
	if fl := p.Flags(); fl != 0 {
		s += " " + fl.String()
	}
	if off := p.FragOffset(); off != 0 {
		s += fmt.Sprintf(" frag %d", int(off)*8)
	}
	if len(p.Options()) != 0 {
		s += fmt.Sprintf(" optlen %d", len(p.Options()))
	}
	return s
}

// Fields returns the header fields of p. Options aliases p's bytes.
func (p IPv4) Fields() IPv4Fields {
	return IPv4Fields{
		TOS:        p.TOS(),
		ID:         p.ID(),
		Flags:      p.Flags(),
		FragOffset: p.FragOffset(),
		TTL:        p.TTL(),
		Protocol:   p.Protocol(),
		Src:        p.Src(),
		Dst:        p.Dst(),
		Options:    p.Options(),
		PayloadLen: len(p.Payload()),
	}
}

// IPv4Fields holds the fields of an IPv4 header for building one. Encode
// derives IHL from Options, Total Length from PayloadLen, and computes the
// checksum.
type IPv4Fields struct {
	TOS        uint8
	ID         uint16
	Flags      IPv4Flags
	FragOffset uint16 // in units of 8 octets, 13 bits
	TTL        uint8
	Protocol   uint8
	Src, Dst   netip.Addr
	Options    []byte // encoded options, zero-padded to a 4-byte multiple by Encode
	PayloadLen int    // bytes after the header
}

// Len returns the length of the header Encode writes: 20 bytes plus the
// options rounded up to a multiple of 4.
func (f *IPv4Fields) Len() int { return IPv4MinHeaderLen + (len(f.Options)+3)&^3 }

// Encode writes the header, checksum included, at the start of b and returns
// its length.
func (f *IPv4Fields) Encode(b []byte) (int, error) {
	n := f.Len()
	if len(b) < n {
		return 0, fmt.Errorf("ipv4: encode into %d bytes, need %d: %w", len(b), n, ErrTruncated)
	}
	if n > IPv4MaxHeaderLen {
		return 0, fmt.Errorf("ipv4: %d bytes of options, at most %d: %w", len(f.Options), IPv4MaxOptionsLen, ErrBadOption)
	}
	if f.PayloadLen < 0 || n+f.PayloadLen > 0xffff {
		return 0, fmt.Errorf("ipv4: total length %d: %w", n+f.PayloadLen, ErrBadLength)
	}
	if f.FragOffset > 0x1fff || f.Flags > 7 {
		return 0, fmt.Errorf("ipv4: flags %#x offset %#x out of range: %w", uint8(f.Flags), f.FragOffset, ErrBadLength)
	}
	if !f.Src.Is4() || !f.Dst.Is4() {
		return 0, fmt.Errorf("ipv4: addresses %v > %v are not IPv4: %w", f.Src, f.Dst, ErrUnsupported)
	}
	b[0] = 4<<4 | uint8(n/4)
	b[1] = f.TOS
	binary.BigEndian.PutUint16(b[2:], uint16(n+f.PayloadLen))
	binary.BigEndian.PutUint16(b[4:], f.ID)
	binary.BigEndian.PutUint16(b[6:], uint16(f.Flags)<<13|f.FragOffset)
	b[8] = f.TTL
	b[9] = f.Protocol
	b[10], b[11] = 0, 0
	s, d := f.Src.As4(), f.Dst.As4()
	copy(b[12:16], s[:])
	copy(b[16:20], d[:])
	// RFC 791 §3.1: the padding after the options is zero.
	clear(b[IPv4MinHeaderLen+copy(b[IPv4MinHeaderLen:n], f.Options) : n])
	// RFC 791 §3.1: the checksum is computed with the field itself zero.
	binary.BigEndian.PutUint16(b[10:], Checksum(b[:n], 0))
	return n, nil
}
