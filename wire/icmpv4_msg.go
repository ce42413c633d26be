package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// icmpv4HasLength reports whether type t carries the RFC 4884 length
// attribute. RFC 4884 §4.1: Destination Unreachable, Time Exceeded and
// Parameter Problem.
func icmpv4HasLength(t ICMPv4Type) bool {
	return t == ICMPv4DestUnreachable || t == ICMPv4TimeExceeded || t == ICMPv4ParamProblem
}

// icmpv4MinOriginal is the least original-datagram length, in bytes, of a
// message with extensions (RFC 4884 §5.1: at least 128 octets).
const icmpv4MinOriginal = 128

// Length returns the RFC 4884 length attribute of an error message with
// extensions: the original datagram's length in 32-bit words (RFC 4884
// §4.1, the sixth octet). It is 0 for other types and for messages without
// extensions.
func (m ICMPv4) Length() uint8 {
	if !icmpv4HasLength(m.Type()) {
		return 0
	}
	return m[5]
}

// origLen returns how many body bytes are the original datagram.
// RFC 4884 §5.5: a length attribute that claims more than the message holds,
// or less than 128 octets, is treated as absent: the whole body is the
// original datagram.
func (m ICMPv4) origLen() int {
	body := len(m) - ICMPv4HeaderLen
	n := int(m.Length()) * 4
	if n == 0 || n < icmpv4MinOriginal || n > body {
		return body
	}
	return n
}

// OriginalDatagram returns the quoted "internet header + leading octets of
// the original datagram" of an error message (RFC 792), without any RFC 4884
// extension structure.
func (m ICMPv4) OriginalDatagram() []byte {
	return m[ICMPv4HeaderLen : ICMPv4HeaderLen+m.origLen()]
}

// Extension returns the RFC 4884 extension structure that follows the
// original datagram (RFC 4884 §7: a 4-byte header with version 2 and a
// checksum, then objects), or nil if the message has none.
func (m ICMPv4) Extension() []byte {
	n := ICMPv4HeaderLen + m.origLen()
	if n == len(m) {
		return nil
	}
	return m[n:]
}

// ICMPv4RouterEntry is one router address of a Router Advertisement
// (RFC 1256 §3): the address and its signed preference level.
type ICMPv4RouterEntry struct {
	Addr       netip.Addr
	Preference int32
}

// String formats the entry as "addr pref N".
func (e ICMPv4RouterEntry) String() string { return fmt.Sprintf("%v pref %d", e.Addr, e.Preference) }

// NumAddrs returns Num Addrs of a Router Advertisement (RFC 1256 §3).
func (m ICMPv4) NumAddrs() int {
	if m.Type() != ICMPv4RouterAdvert {
		return 0
	}
	return int(m[4])
}

// AddrEntrySize returns Addr Entry Size of a Router Advertisement: 32-bit
// words per entry, 2 for this version (RFC 1256 §3).
func (m ICMPv4) AddrEntrySize() uint8 { return m[5] }

// Lifetime returns the Lifetime of a Router Advertisement in seconds
// (RFC 1256 §3).
func (m ICMPv4) Lifetime() uint16 { return binary.BigEndian.Uint16(m[6:]) }

// Router returns entry i of a Router Advertisement, or the zero entry.
func (m ICMPv4) Router(i int) ICMPv4RouterEntry {
	if i < 0 || i >= m.NumAddrs() {
		return ICMPv4RouterEntry{}
	}
	off := ICMPv4HeaderLen + i*int(m.AddrEntrySize())*4
	return ICMPv4RouterEntry{
		Addr:       netip.AddrFrom4([4]byte(m[off:])),
		Preference: int32(binary.BigEndian.Uint32(m[off+4:])),
	}
}

// String formats the message with its type-specific fields.
func (m ICMPv4) String() string {
	t := m.Type()
	s := t.String()
	if m.Code() != 0 || t.IsError() {
		s += " " + t.CodeString(m.Code())
	}
	switch {
	case t.IsQuery():
		s += fmt.Sprintf(" id %d seq %d", m.ID(), m.Seq())
	case t == ICMPv4Redirect:
		s += fmt.Sprintf(" to %v", m.Gateway())
	case t == ICMPv4ParamProblem:
		s += fmt.Sprintf(" ptr %d", m.Pointer())
	case t == ICMPv4DestUnreachable && m.Code() == ICMPv4FragmentationNeeded:
		s += fmt.Sprintf(" mtu %d", m.NextHopMTU())
	case t == ICMPv4RouterAdvert:
		s += fmt.Sprintf(" lifetime %d", m.Lifetime())
		for i := range m.NumAddrs() {
			s += ", " + m.Router(i).String()
		}
	}
	if ext := m.Extension(); ext != nil {
		s += fmt.Sprintf(" ext %d bytes", len(ext))
	}
	return fmt.Sprintf("%s len %d", s, len(m))
}

// Fields returns the header fields of m.
func (m ICMPv4) Fields() ICMPv4Fields {
	f := ICMPv4Fields{Type: m.Type(), Code: m.Code()}
	if !m.Type().known() {
		f.Rest = m.RestOfHeader()
	}
	switch t := m.Type(); {
	case t.IsQuery():
		f.ID, f.Seq = m.ID(), m.Seq()
		switch t {
		case ICMPv4Timestamp, ICMPv4TimestampReply:
			f.Originate, f.Receive, f.Transmit = m.Originate(), m.Receive(), m.Transmit()
		case ICMPv4AddressMaskRequest, ICMPv4AddressMaskReply:
			f.Mask = m.AddressMask()
		}
	case t == ICMPv4Redirect:
		f.Gateway = m.Gateway()
	case t == ICMPv4RouterAdvert:
		f.Lifetime, f.AddrEntrySize = m.Lifetime(), m.AddrEntrySize()
		for i := range m.NumAddrs() {
			f.Routers = append(f.Routers, m.Router(i))
		}
	}
	f.Length = m.Length()
	switch m.Type() {
	case ICMPv4ParamProblem:
		f.Pointer = m.Pointer()
	case ICMPv4DestUnreachable:
		f.NextHopMTU = m.NextHopMTU()
	}
	return f
}

// known reports whether Encode writes typed fields for t rather than Rest.
func (t ICMPv4Type) known() bool {
	return t.IsQuery() || t.IsError() || t == ICMPv4RouterAdvert || t == ICMPv4RouterSolicit
}

// ICMPv4Fields holds the fields of an ICMP header for building one. Which
// fields Encode writes depends on Type; Rest is written as bytes 4 to 7 for
// types this package does not know.
type ICMPv4Fields struct {
	Type ICMPv4Type
	Code ICMPv4Code
	Rest uint32 // bytes 4 to 7 of unknown types

	ID, Seq                      uint16     // queries (ICMPv4Type.IsQuery)
	Gateway                      netip.Addr // Redirect
	Pointer                      uint8      // Parameter Problem
	Length                       uint8      // RFC 4884 length, in words, of errors with extensions
	NextHopMTU                   uint16     // Destination Unreachable, code 4 (RFC 1191 §4)
	Originate, Receive, Transmit uint32     // Timestamp and Timestamp Reply
	Mask                         netip.Addr // Address Mask Request and Reply
	Lifetime                     uint16     // Router Advertisement
	AddrEntrySize                uint8      // Router Advertisement; 0 means 2
	Routers                      []ICMPv4RouterEntry
}

func (f *ICMPv4Fields) entrySize() int {
	if f.AddrEntrySize == 0 {
		return 2
	}
	return int(f.AddrEntrySize)
}

// Len returns the length of the header Encode writes: 8 bytes, 20 for
// timestamps, 12 for address masks, and 8 plus the entries of a Router
// Advertisement.
func (f *ICMPv4Fields) Len() int {
	if f.Type == ICMPv4RouterAdvert {
		return ICMPv4HeaderLen + len(f.Routers)*f.entrySize()*4
	}
	return icmpv4MinLen(f.Type)
}

// Encode writes the header at the start of b and returns its length. The
// checksum covers all of b (RFC 792), so b must end where the message ends:
// slice it to the header followed by the payload already in place.
func (f *ICMPv4Fields) Encode(b []byte) (int, error) {
	n := f.Len()
	if len(b) < n {
		return 0, fmt.Errorf("icmpv4: encode %v into %d bytes, need %d: %w", f.Type, len(b), n, ErrTruncated)
	}
	if f.Type == ICMPv4RouterAdvert && (len(f.Routers) > 255 || f.entrySize() < 2) {
		return 0, fmt.Errorf("icmpv4: router advertisement with %d entries of %d words: %w", len(f.Routers), f.entrySize(), ErrBadLength)
	}
	b[0], b[1], b[2], b[3] = byte(f.Type), byte(f.Code), 0, 0
	if err := f.encodeRest(b[:n]); err != nil {
		return 0, err
	}
	binary.BigEndian.PutUint16(b[2:], Checksum(b, 0))
	return n, nil
}

func putAddr4(b []byte, a netip.Addr) {
	if a.Is4() {
		a4 := a.As4()
		copy(b, a4[:])
	} else {
		clear(b[:4])
	}
}

// encodeRest writes bytes 4 to n of the header in h.
func (f *ICMPv4Fields) encodeRest(h []byte) error {
	clear(h[4:])
	switch t := f.Type; {
	case t.IsQuery():
		binary.BigEndian.PutUint16(h[4:], f.ID)
		binary.BigEndian.PutUint16(h[6:], f.Seq)
		switch t {
		case ICMPv4Timestamp, ICMPv4TimestampReply:
			binary.BigEndian.PutUint32(h[8:], f.Originate)
			binary.BigEndian.PutUint32(h[12:], f.Receive)
			binary.BigEndian.PutUint32(h[16:], f.Transmit)
		case ICMPv4AddressMaskRequest, ICMPv4AddressMaskReply:
			putAddr4(h[8:], f.Mask)
		}
	case t == ICMPv4Redirect:
		if !f.Gateway.Is4() {
			return fmt.Errorf("icmpv4: redirect gateway %v is not IPv4: %w", f.Gateway, ErrUnsupported)
		}
		putAddr4(h[4:], f.Gateway)
	case t == ICMPv4DestUnreachable:
		h[5] = f.Length
		binary.BigEndian.PutUint16(h[6:], f.NextHopMTU)
	case t == ICMPv4TimeExceeded:
		h[5] = f.Length
	case t == ICMPv4ParamProblem:
		h[4], h[5] = f.Pointer, f.Length
	case t == ICMPv4RouterAdvert:
		// RFC 1256 §3: Num Addrs, Addr Entry Size, Lifetime, entries.
		h[4], h[5] = byte(len(f.Routers)), byte(f.entrySize())
		binary.BigEndian.PutUint16(h[6:], f.Lifetime)
		for i, r := range f.Routers {
			off := ICMPv4HeaderLen + i*f.entrySize()*4
			putAddr4(h[off:], r.Addr)
			binary.BigEndian.PutUint32(h[off+4:], uint32(r.Preference))
		}
	case t == ICMPv4SourceQuench, t == ICMPv4RouterSolicit:
		// RFC 792, RFC 1256 §3: the second word is unused (zero).
	default:
		binary.BigEndian.PutUint32(h[4:], f.Rest)
	}
	return nil
}
