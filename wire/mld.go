package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"time"
)

// Lengths of MLD messages, ICMPv6 header included.
const (
	MLDLen         = 24 // RFC 2710 §3: every MLDv1 message
	MLDv2QueryLen  = 28 // RFC 3810 §5.1: a query without sources
	MLDv2ReportLen = 8  // RFC 3810 §5.2: a report's header before its records
)

// MLD is a checked view of an MLDv1 message (RFC 2710 §3): a Multicast
// Listener Query, Report or Done. The first 24 octets of an MLDv2 query have
// the same layout. Make one with ParseMLD.
type MLD []byte

// ParseMLD checks that b is an MLD query, report or done message of at least
// 24 octets and returns a view of it. RFC 2710 §3: the Code is ignored by
// receivers.
func ParseMLD(b []byte) (MLD, error) {
	if len(b) < MLDLen {
		return nil, fmt.Errorf("mld: %d bytes, need %d: %w", len(b), MLDLen, ErrTruncated)
	}
	switch t := ICMPv6Type(b[0]); t {
	case ICMPv6MLDQuery, ICMPv6MLDReport, ICMPv6MLDDone:
	default:
		return nil, fmt.Errorf("mld: type %v is not an MLDv1 message: %w", t, ErrUnsupported)
	}
	return MLD(b), nil
}

// Type returns the message type: query, report or done.
func (m MLD) Type() ICMPv6Type { return ICMPv6Type(m[0]) }

// MaxResponseDelay returns the Maximum Response Delay field of a query in
// milliseconds (RFC 2710 §3.4); zero in reports and done messages.
func (m MLD) MaxResponseDelay() uint16 { return binary.BigEndian.Uint16(m[4:6]) }

// MulticastAddr returns the Multicast Address field: zero in a General
// Query, the address being queried, reported or left otherwise
// (RFC 2710 §3.6).
func (m MLD) MulticastAddr() netip.Addr { return addr16(m, 8) }

// IsV2Query reports whether m is an MLDv2 query: RFC 3810 §8.1, a query of
// 24 octets is MLDv1 and one of 28 octets or more is MLDv2.
func (m MLD) IsV2Query() bool { return m.Type() == ICMPv6MLDQuery && len(m) >= MLDv2QueryLen }

// Fields returns the message's fields.
func (m MLD) Fields() MLDFields {
	return MLDFields{Type: m.Type(), MaxResponseDelay: m.MaxResponseDelay(), MulticastAddr: m.MulticastAddr()}
}

// MLDFields builds an MLDv1 message (RFC 2710 §3), checksum zero: call
// ICMPv6.SetChecksum after Encode.
type MLDFields struct {
	Type             ICMPv6Type // ICMPv6MLDQuery, ICMPv6MLDReport or ICMPv6MLDDone
	MaxResponseDelay uint16     // milliseconds, queries only
	MulticastAddr    netip.Addr
}

// Len returns MLDLen.
func (f *MLDFields) Len() int { return MLDLen }

// Encode writes the message at the start of b and returns its length.
func (f *MLDFields) Encode(b []byte) (int, error) {
	switch f.Type {
	case ICMPv6MLDQuery, ICMPv6MLDReport, ICMPv6MLDDone:
	default:
		return 0, fmt.Errorf("mld: type %v is not an MLDv1 message: %w", f.Type, ErrUnsupported)
	}
	if !f.MulticastAddr.Is6() {
		return 0, fmt.Errorf("mld: multicast address %v is not IPv6: %w", f.MulticastAddr, ErrUnsupported)
	}
	if len(b) < MLDLen {
		return 0, fmt.Errorf("mld: encode into %d bytes, need %d: %w", len(b), MLDLen, ErrTruncated)
	}
	b[0] = byte(f.Type)
	// RFC 2710 §3.2, §3.5: Code and Reserved are initialized to zero.
	clear(b[1:8])
	binary.BigEndian.PutUint16(b[4:6], f.MaxResponseDelay)
	a := f.MulticastAddr.As16()
	copy(b[8:24], a[:])
	return MLDLen, nil
}

// MLDv2MaxRespDelay decodes an MLDv2 Maximum Response Code into a delay.
// RFC 3810 §5.1.3: codes below 32768 are milliseconds; larger codes are a
// floating-point value, (mant | 0x1000) << (exp + 3).
func MLDv2MaxRespDelay(code uint16) time.Duration {
	if code < 0x8000 {
		return time.Duration(code) * time.Millisecond
	}
	exp, mant := uint(code>>12)&7, uint32(code)&0xfff
	return time.Duration((mant|0x1000)<<(exp+3)) * time.Millisecond
}

// MLDv2MaxRespCode encodes a delay as the largest Maximum Response Code
// (RFC 3810 §5.1.3) not above it, saturating at the largest code.
func MLDv2MaxRespCode(d time.Duration) uint16 {
	ms := d.Milliseconds()
	if ms < 0x8000 {
		return uint16(max(ms, 0))
	}
	for exp := int64(0); exp < 8; exp++ {
		if m := ms >> (exp + 3); m <= 0x1fff {
			return uint16(0x8000 | exp<<12 | (m & 0xfff))
		}
	}
	return 0xffff
}

// MLDv2QQI decodes a Querier's Query Interval Code into an interval.
// RFC 3810 §5.1.9: codes below 128 are seconds; larger codes are
// (mant | 0x10) << (exp + 3).
func MLDv2QQI(qqic uint8) time.Duration {
	if qqic < 0x80 {
		return time.Duration(qqic) * time.Second
	}
	exp, mant := uint(qqic>>4)&7, uint32(qqic)&0xf
	return time.Duration((mant|0x10)<<(exp+3)) * time.Second
}

// MLDv2QQIC encodes an interval as the largest Querier's Query Interval Code
// (RFC 3810 §5.1.9) not above it, saturating at the largest code.
func MLDv2QQIC(d time.Duration) uint8 {
	s := int64(d / time.Second)
	if s < 0x80 {
		return uint8(max(s, 0))
	}
	for exp := int64(0); exp < 8; exp++ {
		if m := s >> (exp + 3); m <= 0x1f {
			return uint8(0x80 | exp<<4 | (m & 0xf))
		}
	}
	return 0xff
}
