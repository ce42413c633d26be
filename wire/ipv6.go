package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// IPv6HeaderLen is the length of the IPv6 fixed header (RFC 8200 §3).
const IPv6HeaderLen = 40

// Next Header values that name IPv6 extension headers or end the chain
// (RFC 8200 §4 and the IANA "Assigned Internet Protocol Numbers" registry).
const (
	IPv6HopByHop     uint8 = 0   // Hop-by-Hop Options header (RFC 8200 §4.3)
	IPv6Routing      uint8 = 43  // Routing header (RFC 8200 §4.4)
	IPv6Fragment     uint8 = 44  // Fragment header (RFC 8200 §4.5)
	IPv6ESP          uint8 = 50  // Encapsulating Security Payload (RFC 4303)
	IPv6AH           uint8 = 51  // Authentication Header (RFC 4302)
	IPv6ICMP         uint8 = 58  // ICMPv6 (RFC 4443)
	IPv6NoNextHeader uint8 = 59  // No Next Header (RFC 8200 §4.7)
	IPv6DestOpts     uint8 = 60  // Destination Options header (RFC 8200 §4.6)
	IPv6Mobility     uint8 = 135 // Mobility header (RFC 6275)
	IPv6HIP          uint8 = 139 // Host Identity Protocol (RFC 7401)
	IPv6Shim6        uint8 = 140 // Shim6 (RFC 5533)
)

// IPv6 is a checked view of an IPv6 packet: the fixed header followed by
// exactly PayloadLen bytes. Bytes the link carried after the payload (such as
// Ethernet padding) are not part of the view. Make one with ParseIPv6.
type IPv6 []byte

// ParseIPv6 checks that b starts with an IPv6 fixed header whose payload fits
// in b and returns a view of the header and payload. A payload length of zero
// is taken literally: jumbograms (RFC 2675) are not supported.
func ParseIPv6(b []byte) (IPv6, error) {
	if len(b) < IPv6HeaderLen {
		return nil, fmt.Errorf("ipv6: %d bytes, need %d: %w", len(b), IPv6HeaderLen, ErrTruncated)
	}
	// RFC 8200 §3: Version is the 4-bit Internet Protocol version number = 6.
	if v := b[0] >> 4; v != 6 {
		return nil, fmt.Errorf("ipv6: version %d: %w", v, ErrBadVersion)
	}
	// RFC 8200 §3: Payload Length is the length of the rest of the packet
	// following this header, in octets.
	pl := int(binary.BigEndian.Uint16(b[4:6]))
	if IPv6HeaderLen+pl > len(b) {
		return nil, fmt.Errorf("ipv6: payload length %d exceeds %d bytes: %w",
			pl, len(b)-IPv6HeaderLen, ErrBadLength)
	}
	return IPv6(b[:IPv6HeaderLen+pl]), nil
}

// Version returns the version field, always 6 in a parsed view.
func (p IPv6) Version() uint8 { return p[0] >> 4 }

// TrafficClass returns the 8-bit Traffic Class field (RFC 8200 §7).
func (p IPv6) TrafficClass() uint8 { return p[0]<<4 | p[1]>>4 }

// FlowLabel returns the 20-bit Flow Label field (RFC 8200 §6).
func (p IPv6) FlowLabel() uint32 { return binary.BigEndian.Uint32(p[0:4]) & 0xfffff }

// PayloadLen returns the Payload Length field: the octets following the fixed
// header, extension headers included.
func (p IPv6) PayloadLen() uint16 { return binary.BigEndian.Uint16(p[4:6]) }

// NextHeader returns the Next Header field: the type of the header that
// follows the fixed header, an extension header or an upper-layer protocol.
func (p IPv6) NextHeader() uint8 { return p[6] }

// HopLimit returns the Hop Limit field.
func (p IPv6) HopLimit() uint8 { return p[7] }

// Src returns the source address.
func (p IPv6) Src() netip.Addr { return netip.AddrFrom16([16]byte(p[8:24])) }

// Dst returns the destination address.
func (p IPv6) Dst() netip.Addr { return netip.AddrFrom16([16]byte(p[24:40])) }

// Payload returns the PayloadLen bytes after the fixed header.
func (p IPv6) Payload() []byte { return p[IPv6HeaderLen:] }

// IPv6Fields holds the fields of an IPv6 fixed header for building one.
type IPv6Fields struct {
	TrafficClass uint8
	FlowLabel    uint32 // 20 bits
	PayloadLen   uint16
	NextHeader   uint8
	HopLimit     uint8
	Src, Dst     netip.Addr // IPv6 addresses (IPv4-mapped forms allowed)
}

// Len returns the length of the header Encode writes: IPv6HeaderLen.
func (f *IPv6Fields) Len() int { return IPv6HeaderLen }

// Encode writes the IPv6 fixed header at the start of b and returns its
// length. It fails if b is too short, the flow label does not fit in 20 bits
// or an address is not an IPv6 address.
func (f *IPv6Fields) Encode(b []byte) (int, error) {
	if len(b) < IPv6HeaderLen {
		return 0, fmt.Errorf("ipv6: encode into %d bytes, need %d: %w", len(b), IPv6HeaderLen, ErrTruncated)
	}
	if f.FlowLabel > 0xfffff {
		return 0, fmt.Errorf("ipv6: flow label %#x exceeds 20 bits: %w", f.FlowLabel, ErrUnsupported)
	}
	if !f.Src.Is6() || !f.Dst.Is6() {
		return 0, fmt.Errorf("ipv6: addresses %v > %v are not IPv6: %w", f.Src, f.Dst, ErrUnsupported)
	}
	// RFC 8200 §3: Version (4 bits), Traffic Class (8), Flow Label (20).
	binary.BigEndian.PutUint32(b[0:4], 6<<28|uint32(f.TrafficClass)<<20|f.FlowLabel)
	binary.BigEndian.PutUint16(b[4:6], f.PayloadLen)
	b[6] = f.NextHeader
	b[7] = f.HopLimit
	s, d := f.Src.As16(), f.Dst.As16()
	copy(b[8:24], s[:])
	copy(b[24:40], d[:])
	return IPv6HeaderLen, nil
}

// Fields returns the header fields of p, for building a copy or a reply.
func (p IPv6) Fields() IPv6Fields {
	return IPv6Fields{
		TrafficClass: p.TrafficClass(),
		FlowLabel:    p.FlowLabel(),
		PayloadLen:   p.PayloadLen(),
		NextHeader:   p.NextHeader(),
		HopLimit:     p.HopLimit(),
		Src:          p.Src(),
		Dst:          p.Dst(),
	}
}
