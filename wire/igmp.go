package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"time"
)

// IGMP message lengths (RFC 2236 §2, RFC 3376 §4.1 and §4.2).
const (
	IGMPHeaderLen         = 8  // v1/v2 messages, v3 report header
	IGMPv3QueryMinLen     = 12 // v3 query without sources
	IGMPv3RecordHeaderLen = 8  // v3 group record before its sources
)

// IGMPType is the type field of an IGMP message.
type IGMPType uint8

// IGMP message types (RFC 3376 §4; RFC 2236 §2.1; RFC 1112 Appendix I).
const (
	IGMPMembershipQuery IGMPType = 0x11
	IGMPv1Report        IGMPType = 0x12
	IGMPv2Report        IGMPType = 0x16
	IGMPLeaveGroup      IGMPType = 0x17
	IGMPv3Report        IGMPType = 0x22
)

// String names the type.
func (t IGMPType) String() string {
	switch t {
	case IGMPMembershipQuery:
		return "membership query"
	case IGMPv1Report:
		return "v1 report"
	case IGMPv2Report:
		return "v2 report"
	case IGMPLeaveGroup:
		return "leave group"
	case IGMPv3Report:
		return "v3 report"
	}
	return fmt.Sprintf("IGMPType(%#02x)", uint8(t))
}

// IGMPRecordType is the Record Type of an IGMPv3 group record
// (RFC 3376 §4.2.12).
type IGMPRecordType uint8

// Group record types (RFC 3376 §4.2.12).
const (
	IGMPModeIsInclude   IGMPRecordType = 1
	IGMPModeIsExclude   IGMPRecordType = 2
	IGMPChangeToInclude IGMPRecordType = 3
	IGMPChangeToExclude IGMPRecordType = 4
	IGMPAllowNewSources IGMPRecordType = 5
	IGMPBlockOldSources IGMPRecordType = 6
)

// String names the record type as RFC 3376 §4.2.12 abbreviates it.
func (t IGMPRecordType) String() string {
	if t >= 1 && t <= 6 {
		return [...]string{"IS_IN", "IS_EX", "TO_IN", "TO_EX", "ALLOW", "BLOCK"}[t-1]
	}
	return fmt.Sprintf("IGMPRecordType(%d)", uint8(t))
}

// IGMP is a checked view of an IGMP message of any version. Make one with
// ParseIGMP.
type IGMP []byte

// ParseIGMP checks that b holds a well-formed IGMP message and returns a view
// of all of b (RFC 3376 §4.1.10: bytes after the message count in the
// checksum but are otherwise ignored). Group records of a v3 report are all
// checked, so iterating them cannot fail. It does not verify the checksum.
func ParseIGMP(b []byte) (IGMP, error) {
	if len(b) < IGMPHeaderLen {
		return nil, fmt.Errorf("igmp: %d bytes, need %d: %w", len(b), IGMPHeaderLen, ErrTruncated)
	}
	switch IGMPType(b[0]) {
	case IGMPMembershipQuery:
		// RFC 3376 §7.1: a query of 8 octets is v1 or v2, one of at least
		// 12 octets is v3; any other length must be ignored.
		if len(b) == IGMPHeaderLen {
			break
		}
		if len(b) < IGMPv3QueryMinLen {
			return nil, fmt.Errorf("igmp: query of %d bytes: %w", len(b), ErrBadLength)
		}
		ns := int(binary.BigEndian.Uint16(b[10:]))
		if need := IGMPv3QueryMinLen + 4*ns; len(b) < need {
			return nil, fmt.Errorf("igmp: v3 query of %d bytes, %d sources need %d: %w", len(b), ns, need, ErrTruncated)
		}
	case IGMPv3Report:
		// RFC 3376 §4.2: Number of Group Records, then the records.
		off := IGMPHeaderLen
		for i := range int(binary.BigEndian.Uint16(b[6:])) {
			n, ok := igmpRecordLen(b[off:])
			if !ok {
				return nil, fmt.Errorf("igmp: v3 report group record %d at offset %d overruns %d bytes: %w", i, off, len(b), ErrTruncated)
			}
			off += n
		}
	}
	return IGMP(b), nil
}

// igmpRecordLen returns the length of the group record at the start of b
// (RFC 3376 §4.2.4: header, Number of Sources addresses, Aux Data Len words)
// and whether it fits in b.
func igmpRecordLen(b []byte) (int, bool) {
	if len(b) < IGMPv3RecordHeaderLen {
		return 0, false
	}
	n := IGMPv3RecordHeaderLen + 4*int(binary.BigEndian.Uint16(b[2:])) + 4*int(b[1])
	return n, n <= len(b)
}

// Type returns the type field.
func (m IGMP) Type() IGMPType { return IGMPType(m[0]) }

// MaxRespCode returns the second octet: Max Response Code of a v3 query,
// Max Response Time of a v2 query, unused (zero) in v1 and reports.
func (m IGMP) MaxRespCode() uint8 { return m[1] }

// Checksum returns the checksum field.
func (m IGMP) Checksum() uint16 { return binary.BigEndian.Uint16(m[2:]) }

// ChecksumValid reports whether the checksum verifies over the whole message
// (RFC 2236 §2.3, RFC 3376 §4.1.2).
func (m IGMP) ChecksumValid() bool { return Fold(Sum(m, 0)) == 0xffff }

// Group returns the Group Address of a query, v1/v2 report or leave; zero
// (unspecified) in a general query. In a v3 report these bytes are reserved
// and the record count; Group returns them as an address.
func (m IGMP) Group() netip.Addr { return netip.AddrFrom4([4]byte(m[4:8])) }

// QueryVersion returns the IGMP version of a Membership Query by RFC 3376
// §7.1's rules: 1 for 8 octets with a zero Max Resp Code, 2 for 8 octets
// otherwise, 3 for 12 or more octets; 0 for other types.
func (m IGMP) QueryVersion() int {
	switch {
	case m.Type() != IGMPMembershipQuery:
		return 0
	case len(m) >= IGMPv3QueryMinLen:
		return 3
	case m.MaxRespCode() == 0:
		return 1
	}
	return 2
}

// igmpDecodeCode decodes a Max Resp Code or QQIC: RFC 3376 §4.1.1 and
// §4.1.7, values of 128 or more are a floating-point mantissa and exponent.
func igmpDecodeCode(c uint8) int {
	if c < 128 {
		return int(c)
	}
	mant, exp := int(c&0x0f), int(c>>4&0x07)
	return (mant | 0x10) << (exp + 3)
}

// MaxRespTime returns the maximum response time of a query: RFC 2236 §2.2
// and RFC 3376 §4.1.1 count tenths of a second, v3 in floating point for
// large values. RFC 2236 §4: a v1 query (code 0) means 10 seconds.
func (m IGMP) MaxRespTime() time.Duration {
	switch m.QueryVersion() {
	case 1:
		return 10 * time.Second
	case 2:
		return time.Duration(m.MaxRespCode()) * time.Second / 10
	case 3:
		return time.Duration(igmpDecodeCode(m.MaxRespCode())) * time.Second / 10
	}
	return 0
}

// SFlag returns the Suppress Router-Side Processing flag of a v3 query
// (RFC 3376 §4.1.5).
func (m IGMP) SFlag() bool { return m.QueryVersion() == 3 && m[8]&0x08 != 0 }

// QRV returns the Querier's Robustness Variable of a v3 query
// (RFC 3376 §4.1.6).
func (m IGMP) QRV() uint8 {
	if m.QueryVersion() != 3 {
		return 0
	}
	return m[8] & 0x07
}

// QQIC returns the Querier's Query Interval Code of a v3 query
// (RFC 3376 §4.1.7).
func (m IGMP) QQIC() uint8 {
	if m.QueryVersion() != 3 {
		return 0
	}
	return m[9]
}

// QQI returns the querier's query interval that QQIC encodes.
func (m IGMP) QQI() time.Duration { return time.Duration(igmpDecodeCode(m.QQIC())) * time.Second }

// NumSources returns the Number of Sources of a v3 query (RFC 3376 §4.1.8).
func (m IGMP) NumSources() int {
	if m.QueryVersion() != 3 {
		return 0
	}
	return int(binary.BigEndian.Uint16(m[10:]))
}

// Source returns source address i of a v3 query, or the zero Addr.
func (m IGMP) Source(i int) netip.Addr {
	if i < 0 || i >= m.NumSources() {
		return netip.Addr{}
	}
	return netip.AddrFrom4([4]byte(m[12+4*i:]))
}

// NumRecords returns the Number of Group Records of a v3 report
// (RFC 3376 §4.2.3).
func (m IGMP) NumRecords() int {
	if m.Type() != IGMPv3Report {
		return 0
	}
	return int(binary.BigEndian.Uint16(m[6:]))
}

// Records returns an iterator over the group records of a v3 report.
func (m IGMP) Records() IGMPRecordIter {
	if m.Type() != IGMPv3Report {
		return IGMPRecordIter{}
	}
	return IGMPRecordIter{b: m[IGMPHeaderLen:], left: m.NumRecords()}
}

// IGMPRecordIter walks the group records of a v3 report without allocating.
type IGMPRecordIter struct {
	b    []byte
	left int
}

// Next returns the next group record and true, or false when none remain.
func (it *IGMPRecordIter) Next() (IGMPGroupRecord, bool) {
	if it.left <= 0 {
		return nil, false
	}
	n, ok := igmpRecordLen(it.b)
	if !ok { // unreachable for a view from ParseIGMP; stop rather than panic
		it.left = 0
		return nil, false
	}
	r := IGMPGroupRecord(it.b[:n:n])
	it.b, it.left = it.b[n:], it.left-1
	return r, true
}

// IGMPGroupRecord is a view of one IGMPv3 group record (RFC 3376 §4.2.4),
// as IGMPRecordIter returns it.
type IGMPGroupRecord []byte

// Type returns the Record Type.
func (r IGMPGroupRecord) Type() IGMPRecordType { return IGMPRecordType(r[0]) }

// AuxDataLen returns Aux Data Len, in 32-bit words (RFC 3376 §4.2.6).
func (r IGMPGroupRecord) AuxDataLen() uint8 { return r[1] }

// NumSources returns Number of Sources.
func (r IGMPGroupRecord) NumSources() int { return int(binary.BigEndian.Uint16(r[2:])) }

// Group returns the Multicast Address.
func (r IGMPGroupRecord) Group() netip.Addr { return netip.AddrFrom4([4]byte(r[4:8])) }

// Source returns source address i, or the zero Addr.
func (r IGMPGroupRecord) Source(i int) netip.Addr {
	if i < 0 || i >= r.NumSources() {
		return netip.Addr{}
	}
	return netip.AddrFrom4([4]byte(r[8+4*i:]))
}

// AuxData returns the Auxiliary Data (RFC 3376 §4.2.10).
func (r IGMPGroupRecord) AuxData() []byte { return r[8+4*r.NumSources():] }

// String formats the record like "TO_EX 239.1.1.1 [192.0.2.1]".
func (r IGMPGroupRecord) String() string {
	s := fmt.Sprintf("%v %v [", r.Type(), r.Group())
	for i := range r.NumSources() {
		if i > 0 {
			s += " "
		}
		s += r.Source(i).String()
	}
	return s + "]"
}

// String formats the message with its version-specific fields.
func (m IGMP) String() string {
	switch {
	case m.Type() == IGMPMembershipQuery && m.QueryVersion() == 3:
		return fmt.Sprintf("igmp v3 query %v max resp %v S %t QRV %d QQI %v sources %d",
			m.Group(), m.MaxRespTime(), m.SFlag(), m.QRV(), m.QQI(), m.NumSources())
	case m.Type() == IGMPMembershipQuery:
		return fmt.Sprintf("igmp v%d query %v max resp %v", m.QueryVersion(), m.Group(), m.MaxRespTime())
	case m.Type() == IGMPv3Report:
		s := "igmp v3 report"
		it := m.Records()
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			s += ", " + r.String()
		}
		return s
	}
	return fmt.Sprintf("igmp %v %v", m.Type(), m.Group())
}
