package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// UDPHeaderLen is the length of the UDP header (RFC 768).
const UDPHeaderLen = 8

// UDPProtocolNumber is the IP protocol (IPv4) or next header (IPv6) number
// of UDP (RFC 768).
const UDPProtocolNumber = 17

// UDP is a checked view of a UDP datagram, header and payload (RFC 768). It is
// made only by ParseUDP and covers exactly the bytes the Length field names;
// after that its accessors never panic. The zero UDP is not a view of anything
// and must not be used.
type UDP struct {
	b []byte
}

// ParseUDP validates b as a UDP datagram and returns a view over it. b is the
// IP payload; bytes past the UDP Length field (link padding) are left out of
// the view. Nothing is copied or allocated.
func ParseUDP(b []byte) (UDP, error) {
	if len(b) < UDPHeaderLen {
		return UDP{}, fmt.Errorf("udp: %d bytes < header %d: %w", len(b), UDPHeaderLen, ErrTruncated)
	}
	// RFC 768: Length is the length in octets of this user datagram including
	// this header and the data; the minimum value is eight.
	n := int(binary.BigEndian.Uint16(b[4:]))
	if n < UDPHeaderLen {
		// A zero length only means something in an IPv6 jumbogram
		// (RFC 2675 §4), which this package does not handle.
		return UDP{}, fmt.Errorf("udp: length %d < %d: %w", n, UDPHeaderLen, ErrBadLength)
	}
	if n > len(b) {
		return UDP{}, fmt.Errorf("udp: length %d > %d bytes: %w", n, len(b), ErrTruncated)
	}
	return UDP{b: b[:n:n]}, nil
}

// SrcPort returns the source port.
func (u UDP) SrcPort() uint16 { return binary.BigEndian.Uint16(u.b[0:]) }

// DstPort returns the destination port.
func (u UDP) DstPort() uint16 { return binary.BigEndian.Uint16(u.b[2:]) }

// Length returns the Length field: header plus data, in octets.
func (u UDP) Length() uint16 { return binary.BigEndian.Uint16(u.b[4:]) }

// Checksum returns the Checksum field as transmitted.
func (u UDP) Checksum() uint16 { return binary.BigEndian.Uint16(u.b[6:]) }

// Payload returns the data following the header, aliasing the parsed buffer.
func (u UDP) Payload() []byte { return u.b[UDPHeaderLen:] }

// Bytes returns the whole datagram, header and payload, aliasing the parsed
// buffer.
func (u UDP) Bytes() []byte { return u.b }

// Fields returns the header fields of u.
func (u UDP) Fields() UDPFields {
	return UDPFields{SrcPort: u.SrcPort(), DstPort: u.DstPort(), Length: u.Length(), Checksum: u.Checksum()}
}

// VerifyChecksum reports whether the checksum of u is correct for a datagram
// from src to dst, which must both be IPv4 or both IPv6.
func (u UDP) VerifyChecksum(src, dst netip.Addr) bool {
	if u.Checksum() == 0 {
		// RFC 768: an all zero transmitted checksum value means that the
		// transmitter generated no checksum. RFC 8200 §8.1: for IPv6 the
		// UDP checksum is not optional, and a zero checksum must be
		// discarded.
		return src.Is4()
	}
	// RFC 768: the checksum covers the pseudo header, the UDP header and
	// the data; summing a correct datagram gives all ones.
	sum := PseudoSum(src, dst, UDPProtocolNumber, len(u.b))
	return Fold(Sum(u.b, sum)) == 0xffff
}

// SetChecksum computes the checksum of u for a datagram from src to dst and
// writes it into u's Checksum field, modifying the parsed buffer.
func (u UDP) SetChecksum(src, dst netip.Addr) {
	u.b[6], u.b[7] = 0, 0
	c := Checksum(u.b, PseudoSum(src, dst, UDPProtocolNumber, len(u.b)))
	if c == 0 {
		// RFC 768: if the computed checksum is zero, it is transmitted
		// as all ones (zero means "no checksum").
		c = 0xffff
	}
	binary.BigEndian.PutUint16(u.b[6:], c)
}

// UDPFields holds the header fields of a UDP datagram for Encode.
type UDPFields struct {
	// SrcPort is the source port, or zero if none (RFC 768).
	SrcPort uint16
	// DstPort is the destination port.
	DstPort uint16
	// Length is the length of header plus data; at least UDPHeaderLen.
	Length uint16
	// Checksum is written as is; leave it zero and call UDP.SetChecksum
	// once the payload is in place.
	Checksum uint16
}

// Len returns the encoded length of the header: UDPHeaderLen.
func (f *UDPFields) Len() int { return UDPHeaderLen }

// Encode writes the UDP header at the start of b and returns the number of
// bytes written.
func (f *UDPFields) Encode(b []byte) (int, error) {
	if len(b) < UDPHeaderLen {
		return 0, fmt.Errorf("udp: encode into %d bytes: %w", len(b), ErrTruncated)
	}
	if f.Length < UDPHeaderLen {
		return 0, fmt.Errorf("udp: length %d < %d: %w", f.Length, UDPHeaderLen, ErrBadLength)
	}
	binary.BigEndian.PutUint16(b[0:], f.SrcPort)
	binary.BigEndian.PutUint16(b[2:], f.DstPort)
	binary.BigEndian.PutUint16(b[4:], f.Length)
	binary.BigEndian.PutUint16(b[6:], f.Checksum)
	return UDPHeaderLen, nil
}
