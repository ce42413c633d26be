package wire

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// IPv6OptionType is the type of an option carried in a Hop-by-Hop or
// Destination Options header (RFC 8200 §4.2).
type IPv6OptionType uint8

// IPv6 option types.
const (
	IPv6OptPad1        IPv6OptionType = 0x00 // RFC 8200 §4.2: Pad1
	IPv6OptPadN        IPv6OptionType = 0x01 // RFC 8200 §4.2: PadN
	IPv6OptRouterAlert IPv6OptionType = 0x05 // RFC 2711 §2.1: Router Alert
	IPv6OptJumbo       IPv6OptionType = 0xc2 // RFC 2675 §2: Jumbo Payload (not interpreted)
)

// String returns the option's name, or "opt-N" for unknown types.
func (t IPv6OptionType) String() string {
	switch t {
	case IPv6OptPad1:
		return "pad1"
	case IPv6OptPadN:
		return "padn"
	case IPv6OptRouterAlert:
		return "rtalert"
	case IPv6OptJumbo:
		return "jumbo"
	}
	return "opt-" + strconv.Itoa(int(t))
}

// Action returns the two high-order bits of the type, which say what a node
// that does not recognise the option must do (RFC 8200 §4.2): 0 skip,
// 1 discard, 2 discard and send ICMP Parameter Problem, 3 the same unless the
// destination is multicast.
func (t IPv6OptionType) Action() uint8 { return uint8(t) >> 6 }

// MayChange reports the third-highest bit: whether the option data may
// change en route (RFC 8200 §4.2).
func (t IPv6OptionType) MayChange() bool { return t&0x20 != 0 }

// IPv6Option is one TLV-encoded option. Data is the Option Data field (nil
// for Pad1) and aliases the packet when it comes from an iterator.
type IPv6Option struct {
	Type IPv6OptionType
	Data []byte
}

// Size returns the option's encoded length.
func (o IPv6Option) Size() int {
	if o.Type == IPv6OptPad1 {
		return 1
	}
	return 2 + len(o.Data)
}

// RouterAlert returns the Router Alert value (RFC 2711 §2.1: 0 means the
// datagram contains an MLD message) if o is a well-formed Router Alert
// option.
func (o IPv6Option) RouterAlert() (uint16, bool) {
	if o.Type != IPv6OptRouterAlert || len(o.Data) != 2 {
		return 0, false
	}
	return binary.BigEndian.Uint16(o.Data), true
}

// ipv6ExtLen8 returns the length of an extension header whose Hdr Ext Len
// counts 8-octet units not including the first 8 octets (RFC 8200 §4.3).
func ipv6ExtLen8(b []byte) int { return (int(b[1]) + 1) * 8 }

// IPv6Options is a checked view of a Hop-by-Hop Options (RFC 8200 §4.3) or
// Destination Options (RFC 8200 §4.6) header. Make one with ParseIPv6Options.
type IPv6Options []byte

// ParseIPv6Options checks that b starts with an options header whose length
// fits in b and whose options exactly fill it, and returns a view of it.
func ParseIPv6Options(b []byte) (IPv6Options, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("ipv6 options: %d bytes, need 8: %w", len(b), ErrTruncated)
	}
	n := ipv6ExtLen8(b)
	if n > len(b) {
		return nil, fmt.Errorf("ipv6 options: header length %d exceeds %d bytes: %w", n, len(b), ErrTruncated)
	}
	for off := 2; off < n; {
		// RFC 8200 §4.2: the Pad1 option has no length or data fields.
		if b[off] == byte(IPv6OptPad1) {
			off++
			continue
		}
		if off+2 > n || off+2+int(b[off+1]) > n {
			return nil, fmt.Errorf("ipv6 options: option %d at offset %d overruns the %d-byte header: %w",
				b[off], off, n, ErrBadOption)
		}
		off += 2 + int(b[off+1])
	}
	return IPv6Options(b[:n]), nil
}

// NextHeader returns the type of the header that follows.
func (h IPv6Options) NextHeader() uint8 { return h[0] }

// Len returns the header's length in bytes.
func (h IPv6Options) Len() int { return len(h) }

// Options returns an iterator over the header's options, padding included.
func (h IPv6Options) Options() IPv6OptionIter { return IPv6OptionIter{b: h[2:]} }

// IPv6OptionIter iterates over the options of a checked options header
// without allocating.
type IPv6OptionIter struct{ b []byte }

// Next returns the next option and true, or false when none remain.
func (it *IPv6OptionIter) Next() (IPv6Option, bool) {
	if len(it.b) == 0 {
		return IPv6Option{}, false
	}
	t := IPv6OptionType(it.b[0])
	if t == IPv6OptPad1 {
		it.b = it.b[1:]
		return IPv6Option{Type: t}, true
	}
	if len(it.b) < 2 || 2+int(it.b[1]) > len(it.b) {
		// Unreachable for a view from ParseIPv6Options; stop rather than panic.
		it.b = nil
		return IPv6Option{}, false
	}
	n := 2 + int(it.b[1])
	o := IPv6Option{Type: t, Data: it.b[2:n:n]}
	it.b = it.b[n:]
	return o, true
}

// IPv6OptionsFields builds a Hop-by-Hop or Destination Options header.
// Encode writes Options in order and then pads the header to a multiple of
// 8 octets with Pad1 or PadN (RFC 8200 §4.2).
type IPv6OptionsFields struct {
	NextHeader uint8
	Options    []IPv6Option
}

// Len returns the encoded header length: a multiple of 8.
func (f *IPv6OptionsFields) Len() int {
	n := 2
	for _, o := range f.Options {
		n += o.Size()
	}
	return (n + 7) &^ 7
}

// Encode writes the header at the start of b and returns its length.
func (f *IPv6OptionsFields) Encode(b []byte) (int, error) {
	n := f.Len()
	if n > 2048 {
		return 0, fmt.Errorf("ipv6 options: %d bytes exceed 2048: %w", n, ErrBadLength)
	}
	if len(b) < n {
		return 0, fmt.Errorf("ipv6 options: encode into %d bytes, need %d: %w", len(b), n, ErrTruncated)
	}
	b[0] = f.NextHeader
	b[1] = uint8(n/8 - 1)
	off := 2
	for _, o := range f.Options {
		if o.Type == IPv6OptPad1 {
			b[off] = 0
			off++
			continue
		}
		if len(o.Data) > 255 {
			return 0, fmt.Errorf("ipv6 options: option %v data %d bytes exceeds 255: %w", o.Type, len(o.Data), ErrBadOption)
		}
		b[off] = byte(o.Type)
		b[off+1] = uint8(len(o.Data))
		off += 2 + copy(b[off+2:], o.Data)
	}
	switch pad := n - off; {
	case pad == 1:
		b[off] = byte(IPv6OptPad1)
	case pad >= 2:
		// RFC 8200 §4.2: PadN carries n-2 zero-valued octets.
		b[off] = byte(IPv6OptPadN)
		b[off+1] = uint8(pad - 2)
		clear(b[off+2 : n])
	}
	return n, nil
}

// IPv6RoutingHeader is a checked view of a Routing header (RFC 8200 §4.4).
// Only the generic fields are interpreted; Type 0 is deprecated (RFC 5095).
type IPv6RoutingHeader []byte

// ParseIPv6Routing checks that b starts with a Routing header whose length
// fits in b and returns a view of it.
func ParseIPv6Routing(b []byte) (IPv6RoutingHeader, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("ipv6 routing: %d bytes, need 8: %w", len(b), ErrTruncated)
	}
	n := ipv6ExtLen8(b)
	if n > len(b) {
		return nil, fmt.Errorf("ipv6 routing: header length %d exceeds %d bytes: %w", n, len(b), ErrTruncated)
	}
	return IPv6RoutingHeader(b[:n]), nil
}

// NextHeader returns the type of the header that follows.
func (h IPv6RoutingHeader) NextHeader() uint8 { return h[0] }

// Len returns the header's length in bytes.
func (h IPv6RoutingHeader) Len() int { return len(h) }

// RoutingType returns the Routing Type field.
func (h IPv6RoutingHeader) RoutingType() uint8 { return h[2] }

// SegmentsLeft returns the number of route segments remaining.
func (h IPv6RoutingHeader) SegmentsLeft() uint8 { return h[3] }

// Data returns the type-specific data after the first four octets.
func (h IPv6RoutingHeader) Data() []byte { return h[4:] }

// IPv6RoutingFields builds a Routing header. 4+len(Data) must be a multiple
// of 8 (RFC 8200 §4.4).
type IPv6RoutingFields struct {
	NextHeader   uint8
	RoutingType  uint8
	SegmentsLeft uint8
	Data         []byte
}

// Len returns the encoded header length.
func (f *IPv6RoutingFields) Len() int { return 4 + len(f.Data) }

// Encode writes the header, data included, at the start of b and returns its
// length.
func (f *IPv6RoutingFields) Encode(b []byte) (int, error) {
	n := f.Len()
	if n%8 != 0 || n > 2048 {
		return 0, fmt.Errorf("ipv6 routing: length %d is not a multiple of 8 up to 2048: %w", n, ErrBadLength)
	}
	if len(b) < n {
		return 0, fmt.Errorf("ipv6 routing: encode into %d bytes, need %d: %w", len(b), n, ErrTruncated)
	}
	b[0] = f.NextHeader
	b[1] = uint8(n/8 - 1)
	b[2] = f.RoutingType
	b[3] = f.SegmentsLeft
	copy(b[4:n], f.Data)
	return n, nil
}

// IPv6FragmentLen is the length of the Fragment header (RFC 8200 §4.5).
const IPv6FragmentLen = 8

// IPv6FragmentHeader is a checked view of a Fragment header (RFC 8200 §4.5).
type IPv6FragmentHeader []byte

// ParseIPv6Fragment checks that b starts with a Fragment header and returns a
// view of it.
func ParseIPv6Fragment(b []byte) (IPv6FragmentHeader, error) {
	if len(b) < IPv6FragmentLen {
		return nil, fmt.Errorf("ipv6 fragment: %d bytes, need %d: %w", len(b), IPv6FragmentLen, ErrTruncated)
	}
	return IPv6FragmentHeader(b[:IPv6FragmentLen]), nil
}

// NextHeader returns the type of the first header of the fragmentable part.
func (h IPv6FragmentHeader) NextHeader() uint8 { return h[0] }

// FragmentOffset returns the 13-bit offset in 8-octet units.
func (h IPv6FragmentHeader) FragmentOffset() uint16 { return binary.BigEndian.Uint16(h[2:4]) >> 3 }

// Offset returns the fragment's offset in bytes.
func (h IPv6FragmentHeader) Offset() int { return int(h.FragmentOffset()) * 8 }

// MoreFragments returns the M flag: more fragments follow.
func (h IPv6FragmentHeader) MoreFragments() bool { return h[3]&1 != 0 }

// Identification returns the 32-bit Identification field.
func (h IPv6FragmentHeader) Identification() uint32 { return binary.BigEndian.Uint32(h[4:8]) }

// IPv6FragmentFields builds a Fragment header.
type IPv6FragmentFields struct {
	NextHeader     uint8
	FragmentOffset uint16 // in 8-octet units, 13 bits
	More           bool
	Identification uint32
}

// Len returns IPv6FragmentLen.
func (f *IPv6FragmentFields) Len() int { return IPv6FragmentLen }

// Encode writes the header at the start of b and returns its length. The
// reserved fields are written as zero (RFC 8200 §4.5).
func (f *IPv6FragmentFields) Encode(b []byte) (int, error) {
	if len(b) < IPv6FragmentLen {
		return 0, fmt.Errorf("ipv6 fragment: encode into %d bytes, need %d: %w", len(b), IPv6FragmentLen, ErrTruncated)
	}
	if f.FragmentOffset > 0x1fff {
		return 0, fmt.Errorf("ipv6 fragment: offset %d exceeds 13 bits: %w", f.FragmentOffset, ErrBadLength)
	}
	b[0] = f.NextHeader
	b[1] = 0
	v := f.FragmentOffset << 3
	if f.More {
		v |= 1
	}
	binary.BigEndian.PutUint16(b[2:4], v)
	binary.BigEndian.PutUint32(b[4:8], f.Identification)
	return IPv6FragmentLen, nil
}
