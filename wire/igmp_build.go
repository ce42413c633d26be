package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// IGMPRecordFields holds one IGMPv3 group record for building a report.
type IGMPRecordFields struct {
	Type    IGMPRecordType
	Group   netip.Addr
	Sources []netip.Addr
	AuxData []byte // a multiple of 4 bytes (RFC 3376 §4.2.6)
}

func (r *IGMPRecordFields) len() int {
	return IGMPv3RecordHeaderLen + 4*len(r.Sources) + len(r.AuxData)
}

// IGMPFields holds the fields of an IGMP message for building one. A
// Membership Query is written in v3 form (RFC 3376 §4.1) when V3 is set and
// in the 8-byte v1/v2 form otherwise; a v3 report carries Records; other
// types use Type, MaxRespCode and Group.
type IGMPFields struct {
	Type        IGMPType
	MaxRespCode uint8
	Group       netip.Addr // zero Addr writes 0.0.0.0
	V3          bool       // Membership Query in v3 form
	S           bool       // v3 query: Suppress Router-Side Processing
	QRV         uint8      // v3 query: 3 bits
	QQIC        uint8      // v3 query
	Sources     []netip.Addr
	Records     []IGMPRecordFields // v3 report
}

// Len returns the length of the message Encode writes.
func (f *IGMPFields) Len() int {
	switch {
	case f.Type == IGMPMembershipQuery && f.V3:
		return IGMPv3QueryMinLen + 4*len(f.Sources)
	case f.Type == IGMPv3Report:
		n := IGMPHeaderLen
		for i := range f.Records {
			n += f.Records[i].len()
		}
		return n
	}
	return IGMPHeaderLen
}

// Encode writes the whole message, checksum included, at the start of b and
// returns its length.
func (f *IGMPFields) Encode(b []byte) (int, error) {
	n := f.Len()
	if len(b) < n {
		return 0, fmt.Errorf("igmp: encode %v into %d bytes, need %d: %w", f.Type, len(b), n, ErrTruncated)
	}
	if len(f.Sources) > 0xffff || len(f.Records) > 0xffff || f.QRV > 7 {
		return 0, fmt.Errorf("igmp: %d sources, %d records, QRV %d: %w", len(f.Sources), len(f.Records), f.QRV, ErrBadLength)
	}
	b[0], b[1], b[2], b[3] = byte(f.Type), f.MaxRespCode, 0, 0
	putAddr4(b[4:], f.Group)
	switch {
	case f.Type == IGMPMembershipQuery && f.V3:
		// RFC 3376 §4.1: Resv (4 bits), S, QRV, QQIC, Number of Sources.
		b[8] = f.QRV
		if f.S {
			b[8] |= 0x08
		}
		b[9] = f.QQIC
		binary.BigEndian.PutUint16(b[10:], uint16(len(f.Sources)))
		for i, s := range f.Sources {
			putAddr4(b[12+4*i:], s)
		}
	case f.Type == IGMPv3Report:
		// RFC 3376 §4.2: the Max Resp Code and Group bytes are reserved
		// and Number of Group Records.
		b[1] = 0
		binary.BigEndian.PutUint32(b[4:], uint32(len(f.Records)))
		if err := f.encodeRecords(b[IGMPHeaderLen:n]); err != nil {
			return 0, err
		}
	}
	// RFC 2236 §2.3: checksum of the whole message, field zero while summing.
	binary.BigEndian.PutUint16(b[2:], Checksum(b[:n], 0))
	return n, nil
}

func (f *IGMPFields) encodeRecords(b []byte) error {
	off := 0
	for i := range f.Records {
		r := &f.Records[i]
		if len(r.AuxData)%4 != 0 || len(r.AuxData)/4 > 0xff || len(r.Sources) > 0xffff {
			return fmt.Errorf("igmp: record %d: %d sources, %d aux bytes: %w", i, len(r.Sources), len(r.AuxData), ErrBadLength)
		}
		b[off], b[off+1] = byte(r.Type), byte(len(r.AuxData)/4)
		binary.BigEndian.PutUint16(b[off+2:], uint16(len(r.Sources)))
		putAddr4(b[off+4:], r.Group)
		off += IGMPv3RecordHeaderLen
		for _, s := range r.Sources {
			putAddr4(b[off:], s)
			off += 4
		}
		off += copy(b[off:], r.AuxData)
	}
	return nil
}

// Fields returns the fields of m. Sources and Records are freshly allocated.
func (m IGMP) Fields() IGMPFields {
	f := IGMPFields{Type: m.Type(), MaxRespCode: m.MaxRespCode(), Group: m.Group()}
	switch {
	case m.QueryVersion() == 3:
		f.V3, f.S, f.QRV, f.QQIC = true, m.SFlag(), m.QRV(), m.QQIC()
		for i := range m.NumSources() {
			f.Sources = append(f.Sources, m.Source(i))
		}
	case m.Type() == IGMPv3Report:
		f.MaxRespCode, f.Group = 0, netip.Addr{}
		it := m.Records()
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			rf := IGMPRecordFields{Type: r.Type(), Group: r.Group(), AuxData: r.AuxData()}
			for i := range r.NumSources() {
				rf.Sources = append(rf.Sources, r.Source(i))
			}
			f.Records = append(f.Records, rf)
		}
	}
	return f
}
