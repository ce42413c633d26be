package wire

import (
	"encoding/binary"
	"fmt"
)

// TCP option kinds this package decodes (RFC 9293 §3.2, RFC 7323, RFC 2018).
const (
	TCPOptEnd           uint8 = 0 // End of Option List (RFC 9293 §3.2)
	TCPOptNOP           uint8 = 1 // No-Operation (RFC 9293 §3.2)
	TCPOptMSS           uint8 = 2 // Maximum Segment Size (RFC 9293 §3.2)
	TCPOptWindowScale   uint8 = 3 // Window Scale (RFC 7323 §2.2)
	TCPOptSACKPermitted uint8 = 4 // SACK-Permitted (RFC 2018 §2)
	TCPOptSACK          uint8 = 5 // SACK (RFC 2018 §3)
	TCPOptTimestamps    uint8 = 8 // Timestamps (RFC 7323 §3.2)
)

// Encoded lengths of the fixed-size options, kind and length bytes included.
const (
	TCPOptMSSLen           = 4  // RFC 9293 §3.2
	TCPOptWindowScaleLen   = 3  // RFC 7323 §2.2
	TCPOptSACKPermittedLen = 2  // RFC 2018 §2
	TCPOptTimestampsLen    = 10 // RFC 7323 §3.2
)

// TCPMaxSACKBlocks is the most SACK blocks an option can carry: RFC 2018 §3
// notes that a SACK option with n blocks is 8*n+2 bytes long, so 40 bytes of
// option space hold at most 4.
const TCPMaxSACKBlocks = 4

// TCPMaxWindowScale is the largest shift count RFC 7323 §2.3 allows; a
// receiver uses 14 for any larger value it is sent.
const TCPMaxWindowScale = 14

// TCPOption is one option as the iterator found it: its kind and the bytes
// after its kind and length bytes. End and NOP have no length byte and no
// data. Data aliases the segment.
type TCPOption struct {
	Kind uint8
	Data []byte
}

// Len returns the option's encoded length: 1 for End and NOP, else 2 plus
// the data.
func (o TCPOption) Len() int {
	if o.Kind == TCPOptEnd || o.Kind == TCPOptNOP {
		return 1
	}
	return 2 + len(o.Data)
}

// MSS returns the Maximum Segment Size if o is a well-formed MSS option.
func (o TCPOption) MSS() (uint16, bool) {
	// RFC 9293 §3.2: Kind=2, Length=4, then the 16-bit maximum segment
	// size.
	if o.Kind != TCPOptMSS || len(o.Data) != TCPOptMSSLen-2 {
		return 0, false
	}
	return binary.BigEndian.Uint16(o.Data), true
}

// WindowScale returns the shift count if o is a well-formed Window Scale
// option. The value is reported as sent, even above TCPMaxWindowScale.
func (o TCPOption) WindowScale() (uint8, bool) {
	// RFC 7323 §2.2: Kind=3, Length=3, then the 1-byte shift.cnt.
	if o.Kind != TCPOptWindowScale || len(o.Data) != TCPOptWindowScaleLen-2 {
		return 0, false
	}
	return o.Data[0], true
}

// Timestamps returns TSval and TSecr if o is a well-formed Timestamps option.
func (o TCPOption) Timestamps() (tsval, tsecr uint32, ok bool) {
	// RFC 7323 §3.2: Kind=8, Length=10, TSval (4 bytes), TSecr (4 bytes).
	if o.Kind != TCPOptTimestamps || len(o.Data) != TCPOptTimestampsLen-2 {
		return 0, 0, false
	}
	return binary.BigEndian.Uint32(o.Data), binary.BigEndian.Uint32(o.Data[4:]), true
}

// SACKPermitted reports whether o is a well-formed SACK-Permitted option.
func (o TCPOption) SACKPermitted() bool {
	// RFC 2018 §2: Kind=4, Length=2.
	return o.Kind == TCPOptSACKPermitted && len(o.Data) == 0
}

// SACKBlocks returns the blocks of o if it is a well-formed SACK option.
func (o TCPOption) SACKBlocks() (TCPSACKBlocks, bool) {
	// RFC 2018 §3: Kind=5, Length=8*n+2, then n pairs of 32-bit left and
	// right edges.
	n := len(o.Data) / 8
	if o.Kind != TCPOptSACK || len(o.Data)%8 != 0 || n < 1 || n > TCPMaxSACKBlocks {
		return TCPSACKBlocks{}, false
	}
	return TCPSACKBlocks{b: o.Data}, true
}

// TCPSACKBlock is one block of a SACK option (RFC 2018 §3): Left is the
// first sequence number of a block received out of order and Right the
// sequence number just past its last byte.
type TCPSACKBlock struct {
	Left, Right uint32
}

// TCPSACKBlocks is a view of the blocks of a SACK option.
type TCPSACKBlocks struct {
	b []byte
}

// Len returns the number of blocks.
func (s TCPSACKBlocks) Len() int { return len(s.b) / 8 }

// At returns block i, or the zero block if i is out of range.
func (s TCPSACKBlocks) At(i int) TCPSACKBlock {
	if i < 0 || i >= s.Len() {
		return TCPSACKBlock{}
	}
	p := s.b[i*8:]
	return TCPSACKBlock{Left: binary.BigEndian.Uint32(p), Right: binary.BigEndian.Uint32(p[4:])}
}

// TCPOptionIter walks TCP options without allocating. Use it as
//
//	it := seg.OptionIter()
//	for it.Next() {
//		o := it.Option()
//		...
//	}
//	if err := it.Err(); err != nil { ... }
//
// The iterator stops after an End option and at the first malformed option,
// whose error Err then reports (wrapping ErrBadOption).
type TCPOptionIter struct {
	rest []byte
	opt  TCPOption
	err  error
}

// IterTCPOptions returns an iterator over the raw option bytes b.
func IterTCPOptions(b []byte) TCPOptionIter { return TCPOptionIter{rest: b} }

// Option returns the option the last successful Next stopped at.
func (it *TCPOptionIter) Option() TCPOption { return it.opt }

// Err returns the error that stopped the iteration, or nil.
func (it *TCPOptionIter) Err() error { return it.err }

// Next advances to the next option and reports whether there is one.
func (it *TCPOptionIter) Next() bool {
	if it.err != nil || len(it.rest) == 0 {
		return false
	}
	kind := it.rest[0]
	switch kind {
	case TCPOptEnd:
		// RFC 9293 §3.2: End of Option List marks the end of all options;
		// what follows up to the data offset is padding.
		it.opt = TCPOption{Kind: kind}
		it.rest = nil
		return true
	case TCPOptNOP:
		// RFC 9293 §3.2: No-Operation is a single octet, used between
		// options to align them.
		it.opt = TCPOption{Kind: kind}
		it.rest = it.rest[1:]
		return true
	}
	// RFC 9293 §3.1: every other option is a kind octet, a length octet
	// counting kind, length and data, and the data. RFC 9293 §3.2: a TCP
	// implementation must be prepared to handle an illegal option length
	// (e.g., zero).
	if len(it.rest) < 2 {
		it.err = fmt.Errorf("tcp: option kind %d without length: %w", kind, ErrBadOption)
		return false
	}
	n := int(it.rest[1])
	if n < 2 || n > len(it.rest) {
		it.err = fmt.Errorf("tcp: option kind %d length %d with %d bytes left: %w",
			kind, n, len(it.rest), ErrBadOption)
		return false
	}
	if !tcpOptLenOK(kind, n) {
		it.err = fmt.Errorf("tcp: option kind %d has bad length %d: %w", kind, n, ErrBadOption)
		return false
	}
	it.opt = TCPOption{Kind: kind, Data: it.rest[2:n:n]}
	it.rest = it.rest[n:]
	return true
}

// tcpOptLenOK reports whether n is a legal length for an option of kind.
// Kinds this package does not decode accept any length of at least 2.
func tcpOptLenOK(kind uint8, n int) bool {
	switch kind {
	case TCPOptMSS:
		return n == TCPOptMSSLen
	case TCPOptWindowScale:
		return n == TCPOptWindowScaleLen
	case TCPOptSACKPermitted:
		return n == TCPOptSACKPermittedLen
	case TCPOptTimestamps:
		return n == TCPOptTimestampsLen
	case TCPOptSACK:
		// RFC 2018 §3: 8*n+2 bytes for n blocks.
		return n >= 10 && (n-2)%8 == 0
	}
	return true
}
