package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"time"
)

// MLDv2Query is a checked view of an MLDv2 Multicast Listener Query
// (RFC 3810 §5.1). Make one with ParseMLDv2Query.
type MLDv2Query []byte

// ParseMLDv2Query checks that b is an MLDv2 query whose sources fit in it and
// returns a view of it. RFC 3810 §8.1: a query of 24 octets is MLDv1 (see
// ParseMLD), one of 25 to 27 octets is discarded.
func ParseMLDv2Query(b []byte) (MLDv2Query, error) {
	if len(b) < MLDv2QueryLen {
		return nil, fmt.Errorf("mldv2: query of %d bytes, need %d: %w", len(b), MLDv2QueryLen, ErrTruncated)
	}
	if t := ICMPv6Type(b[0]); t != ICMPv6MLDQuery {
		return nil, fmt.Errorf("mldv2: type %v is not a query: %w", t, ErrUnsupported)
	}
	// RFC 3810 §5.1.10: Number of Sources, each a 16-octet address.
	n := int(binary.BigEndian.Uint16(b[26:28]))
	if need := MLDv2QueryLen + 16*n; need > len(b) {
		return nil, fmt.Errorf("mldv2: query with %d sources needs %d bytes, have %d: %w", n, need, len(b), ErrBadLength)
	}
	return MLDv2Query(b), nil
}

// MaxRespCode returns the Maximum Response Code field (RFC 3810 §5.1.3).
func (q MLDv2Query) MaxRespCode() uint16 { return binary.BigEndian.Uint16(q[4:6]) }

// MaxRespDelay returns the decoded maximum response delay.
func (q MLDv2Query) MaxRespDelay() time.Duration { return MLDv2MaxRespDelay(q.MaxRespCode()) }

// MulticastAddr returns the address queried; zero in a General Query.
func (q MLDv2Query) MulticastAddr() netip.Addr { return addr16(q, 8) }

// SuppressRouterSide returns the S flag (RFC 3810 §5.1.7).
func (q MLDv2Query) SuppressRouterSide() bool { return q[24]&0x08 != 0 }

// QRV returns the Querier's Robustness Variable (RFC 3810 §5.1.8).
func (q MLDv2Query) QRV() uint8 { return q[24] & 0x07 }

// QQIC returns the Querier's Query Interval Code (RFC 3810 §5.1.9).
func (q MLDv2Query) QQIC() uint8 { return q[25] }

// QQI returns the decoded querier's query interval.
func (q MLDv2Query) QQI() time.Duration { return MLDv2QQI(q.QQIC()) }

// NumSources returns the Number of Sources field.
func (q MLDv2Query) NumSources() int { return int(binary.BigEndian.Uint16(q[26:28])) }

// Source returns source address i, or the zero Addr if i is out of range.
func (q MLDv2Query) Source(i int) netip.Addr {
	if i < 0 || i >= q.NumSources() {
		return netip.Addr{}
	}
	return addr16(q, MLDv2QueryLen+16*i)
}

// MLDv2QueryFields builds an MLDv2 query, sources included, checksum zero:
// call ICMPv6.SetChecksum after Encode.
type MLDv2QueryFields struct {
	MaxRespCode        uint16
	MulticastAddr      netip.Addr
	SuppressRouterSide bool
	QRV                uint8 // 3 bits
	QQIC               uint8
	Sources            []netip.Addr
}

// Len returns the message's length: 28 plus 16 per source.
func (f *MLDv2QueryFields) Len() int { return MLDv2QueryLen + 16*len(f.Sources) }

// Encode writes the query at the start of b and returns its length.
func (f *MLDv2QueryFields) Encode(b []byte) (int, error) {
	n := f.Len()
	if len(f.Sources) > 0xffff || f.QRV > 7 {
		return 0, fmt.Errorf("mldv2: %d sources, QRV %d out of range: %w", len(f.Sources), f.QRV, ErrBadLength)
	}
	if len(b) < n {
		return 0, fmt.Errorf("mldv2: query: encode into %d bytes, need %d: %w", len(b), n, ErrTruncated)
	}
	if !f.MulticastAddr.Is6() {
		return 0, fmt.Errorf("mldv2: multicast address %v is not IPv6: %w", f.MulticastAddr, ErrUnsupported)
	}
	b[0] = byte(ICMPv6MLDQuery)
	clear(b[1:8])
	binary.BigEndian.PutUint16(b[4:6], f.MaxRespCode)
	a := f.MulticastAddr.As16()
	copy(b[8:24], a[:])
	// RFC 3810 §5.1.6: Resv is set to zero on transmission.
	b[24] = f.QRV
	if f.SuppressRouterSide {
		b[24] |= 0x08
	}
	b[25] = f.QQIC
	binary.BigEndian.PutUint16(b[26:28], uint16(len(f.Sources)))
	for i, s := range f.Sources {
		if !s.Is6() {
			return 0, fmt.Errorf("mldv2: source %v is not IPv6: %w", s, ErrUnsupported)
		}
		a := s.As16()
		copy(b[MLDv2QueryLen+16*i:], a[:])
	}
	return n, nil
}

// MLDv2RecordType is the Record Type of a Multicast Address Record
// (RFC 3810 §5.2.12).
type MLDv2RecordType uint8

// Multicast Address Record types.
const (
	MLDv2ModeIsInclude   MLDv2RecordType = 1 // RFC 3810 §5.2.12: current state
	MLDv2ModeIsExclude   MLDv2RecordType = 2
	MLDv2ChangeToInclude MLDv2RecordType = 3 // filter mode change
	MLDv2ChangeToExclude MLDv2RecordType = 4
	MLDv2AllowNewSources MLDv2RecordType = 5 // source list change
	MLDv2BlockOldSources MLDv2RecordType = 6
)

// String returns the record type's short name as tcpdump prints it.
func (t MLDv2RecordType) String() string {
	switch t {
	case MLDv2ModeIsInclude:
		return "is_in"
	case MLDv2ModeIsExclude:
		return "is_ex"
	case MLDv2ChangeToInclude:
		return "to_in"
	case MLDv2ChangeToExclude:
		return "to_ex"
	case MLDv2AllowNewSources:
		return "allow"
	case MLDv2BlockOldSources:
		return "block"
	}
	return "record-type-" + strconv.Itoa(int(t))
}
