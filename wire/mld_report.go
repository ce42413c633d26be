package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// mldv2RecordFixed is the length of a Multicast Address Record before its
// sources (RFC 3810 §5.2.4–§5.2.8).
const mldv2RecordFixed = 20

// MLDv2Report is a checked view of an MLDv2 Multicast Listener Report
// (RFC 3810 §5.2). Make one with ParseMLDv2Report.
type MLDv2Report []byte

// ParseMLDv2Report checks that b is an MLDv2 report whose records all fit in
// it and returns a view of the report up to the end of its last record.
func ParseMLDv2Report(b []byte) (MLDv2Report, error) {
	if len(b) < MLDv2ReportLen {
		return nil, fmt.Errorf("mldv2: report of %d bytes, need %d: %w", len(b), MLDv2ReportLen, ErrTruncated)
	}
	if t := ICMPv6Type(b[0]); t != ICMPv6MLDv2Report {
		return nil, fmt.Errorf("mldv2: type %v is not a version 2 report: %w", t, ErrUnsupported)
	}
	// RFC 3810 §5.2.3: Nr of Mcast Address Records.
	nrec := int(binary.BigEndian.Uint16(b[6:8]))
	off := MLDv2ReportLen
	for i := range nrec {
		n := mldv2RecordSize(b[off:])
		if n < 0 {
			return nil, fmt.Errorf("mldv2: record %d of %d at offset %d overruns %d bytes: %w", i, nrec, off, len(b), ErrBadLength)
		}
		off += n
	}
	return MLDv2Report(b[:off]), nil
}

// mldv2RecordSize returns the length of the record at the start of b, or
// -1 if it does not fit.
func mldv2RecordSize(b []byte) int {
	if len(b) < mldv2RecordFixed {
		return -1
	}
	// RFC 3810 §5.2.6: Aux Data Len is in units of 32-bit words.
	n := mldv2RecordFixed + 16*int(binary.BigEndian.Uint16(b[2:4])) + 4*int(b[1])
	if n > len(b) {
		return -1
	}
	return n
}

// NumRecords returns the Nr of Mcast Address Records field.
func (r MLDv2Report) NumRecords() int { return int(binary.BigEndian.Uint16(r[6:8])) }

// Records returns an iterator over the report's records.
func (r MLDv2Report) Records() MLDv2RecordIter { return MLDv2RecordIter{b: r[MLDv2ReportLen:]} }

// MLDv2RecordIter iterates over the records of a checked report without
// allocating.
type MLDv2RecordIter struct{ b []byte }

// Next returns the next record and true, or false when none remain.
func (it *MLDv2RecordIter) Next() (MLDv2Record, bool) {
	n := mldv2RecordSize(it.b)
	if n < 0 {
		it.b = nil
		return nil, false
	}
	rec := MLDv2Record(it.b[:n:n])
	it.b = it.b[n:]
	return rec, true
}

// MLDv2Record is a view of one Multicast Address Record (RFC 3810 §5.2.4),
// from MLDv2RecordIter.
type MLDv2Record []byte

// Type returns the Record Type.
func (r MLDv2Record) Type() MLDv2RecordType { return MLDv2RecordType(r[0]) }

// AuxDataLen returns the Aux Data Len field in 32-bit words.
func (r MLDv2Record) AuxDataLen() int { return int(r[1]) }

// NumSources returns the Number of Sources field.
func (r MLDv2Record) NumSources() int { return int(binary.BigEndian.Uint16(r[2:4])) }

// MulticastAddr returns the multicast address the record is about.
func (r MLDv2Record) MulticastAddr() netip.Addr { return addr16(r, 4) }

// Source returns source address i, or the zero Addr if i is out of range.
func (r MLDv2Record) Source(i int) netip.Addr {
	if i < 0 || i >= r.NumSources() {
		return netip.Addr{}
	}
	return addr16(r, mldv2RecordFixed+16*i)
}

// AuxData returns the Auxiliary Data field. RFC 3810 §5.2.10: MLDv2 defines
// none; receivers ignore it.
func (r MLDv2Record) AuxData() []byte { return r[mldv2RecordFixed+16*r.NumSources():] }

// MLDv2ReportFields builds the 8-octet header of an MLDv2 report. The
// records follow it, each built with MLDv2RecordFields; then call
// ICMPv6.SetChecksum on the whole message.
type MLDv2ReportFields struct {
	NumRecords uint16
}

// Len returns MLDv2ReportLen.
func (f *MLDv2ReportFields) Len() int { return MLDv2ReportLen }

// Encode writes the header at the start of b and returns its length.
func (f *MLDv2ReportFields) Encode(b []byte) (int, error) {
	if len(b) < MLDv2ReportLen {
		return 0, fmt.Errorf("mldv2: report: encode into %d bytes, need %d: %w", len(b), MLDv2ReportLen, ErrTruncated)
	}
	b[0] = byte(ICMPv6MLDv2Report)
	// RFC 3810 §5.2.1, §5.2.2: Reserved fields are set to zero.
	clear(b[1:6])
	binary.BigEndian.PutUint16(b[6:8], f.NumRecords)
	return MLDv2ReportLen, nil
}

// MLDv2RecordFields builds one Multicast Address Record, sources and
// auxiliary data included. len(AuxData) must be a multiple of 4.
type MLDv2RecordFields struct {
	Type          MLDv2RecordType
	MulticastAddr netip.Addr
	Sources       []netip.Addr
	AuxData       []byte
}

// Len returns the record's length.
func (f *MLDv2RecordFields) Len() int { return mldv2RecordFixed + 16*len(f.Sources) + len(f.AuxData) }

// Encode writes the record at the start of b and returns its length.
func (f *MLDv2RecordFields) Encode(b []byte) (int, error) {
	n := f.Len()
	if len(f.AuxData)%4 != 0 || len(f.AuxData) > 255*4 || len(f.Sources) > 0xffff {
		return 0, fmt.Errorf("mldv2: record with %d sources and %d aux bytes: %w", len(f.Sources), len(f.AuxData), ErrBadLength)
	}
	if len(b) < n {
		return 0, fmt.Errorf("mldv2: record: encode into %d bytes, need %d: %w", len(b), n, ErrTruncated)
	}
	if !f.MulticastAddr.Is6() {
		return 0, fmt.Errorf("mldv2: record address %v is not IPv6: %w", f.MulticastAddr, ErrUnsupported)
	}
	b[0] = byte(f.Type)
	b[1] = uint8(len(f.AuxData) / 4)
	binary.BigEndian.PutUint16(b[2:4], uint16(len(f.Sources)))
	a := f.MulticastAddr.As16()
	copy(b[4:20], a[:])
	off := mldv2RecordFixed
	for _, s := range f.Sources {
		if !s.Is6() {
			return 0, fmt.Errorf("mldv2: source %v is not IPv6: %w", s, ErrUnsupported)
		}
		a := s.As16()
		off += copy(b[off:], a[:])
	}
	copy(b[off:n], f.AuxData)
	return n, nil
}
