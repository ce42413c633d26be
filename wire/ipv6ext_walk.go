package wire

import "fmt"

// IPv6Ext is one extension header found by IPv6ExtIter.
type IPv6Ext struct {
	Type   uint8  // the Next Header value that introduced this header
	Offset int    // offset of the header from the start of the IPv6 packet
	Bytes  []byte // the whole extension header, aliasing the packet
}

// Options returns the header as an options view if it is a Hop-by-Hop or
// Destination Options header.
func (e IPv6Ext) Options() (IPv6Options, error) {
	if e.Type != IPv6HopByHop && e.Type != IPv6DestOpts {
		return nil, fmt.Errorf("ipv6: extension header %d is not an options header: %w", e.Type, ErrUnsupported)
	}
	return ParseIPv6Options(e.Bytes)
}

// Routing returns the header as a Routing header view.
func (e IPv6Ext) Routing() (IPv6RoutingHeader, error) {
	if e.Type != IPv6Routing {
		return nil, fmt.Errorf("ipv6: extension header %d is not a routing header: %w", e.Type, ErrUnsupported)
	}
	return ParseIPv6Routing(e.Bytes)
}

// Fragment returns the header as a Fragment header view.
func (e IPv6Ext) Fragment() (IPv6FragmentHeader, error) {
	if e.Type != IPv6Fragment {
		return nil, fmt.Errorf("ipv6: extension header %d is not a fragment header: %w", e.Type, ErrUnsupported)
	}
	return ParseIPv6Fragment(e.Bytes)
}

// IsIPv6Ext reports whether the Next Header value nh names an extension
// header the chain walker steps over. ESP (50) is not one: what follows it is
// encrypted, so the walker stops there and reports it as the upper layer.
func IsIPv6Ext(nh uint8) bool {
	switch nh {
	case IPv6HopByHop, IPv6Routing, IPv6Fragment, IPv6AH, IPv6DestOpts,
		IPv6Mobility, IPv6HIP, IPv6Shim6:
		return true
	}
	return false
}

// ipv6ExtSize returns the length of the extension header of type nh at the
// start of b, or an error if it does not fit.
func ipv6ExtSize(nh uint8, b []byte, off int) (int, error) {
	if len(b) < 8 {
		return 0, fmt.Errorf("ipv6: extension header %d at offset %d: %d bytes, need 8: %w", nh, off, len(b), ErrTruncated)
	}
	var n int
	switch nh {
	case IPv6Fragment:
		n = IPv6FragmentLen // RFC 8200 §4.5: fixed 8 octets.
	case IPv6AH:
		n = (int(b[1]) + 2) * 4 // RFC 4302 §2.2: length in 4-octet units, minus 2.
	default:
		n = ipv6ExtLen8(b) // RFC 8200 §4.3, §4.4, §4.6, RFC 8200 §4.8 format.
	}
	if n > len(b) {
		return 0, fmt.Errorf("ipv6: extension header %d at offset %d: length %d exceeds %d bytes: %w", nh, off, n, len(b), ErrTruncated)
	}
	return n, nil
}

// IPv6ExtIter walks the extension header chain of an IPv6 packet without
// allocating. Use it as:
//
//	it := pkt.ExtHeaders()
//	for it.Next() { h := it.Header(); ... }
//	if err := it.Err(); err != nil { ... }
//	proto, off := it.Upper()
type IPv6ExtIter struct {
	pkt  []byte
	next uint8
	off  int
	cur  IPv6Ext
	err  error
}

// ExtHeaders returns an iterator over p's extension headers.
func (p IPv6) ExtHeaders() IPv6ExtIter {
	return IPv6ExtIter{pkt: p, next: p.NextHeader(), off: IPv6HeaderLen}
}

// Next advances to the next extension header and reports whether there is
// one. It returns false at the upper-layer header, at No Next Header (59) or
// on a malformed chain (see Err).
func (it *IPv6ExtIter) Next() bool {
	if it.err != nil || !IsIPv6Ext(it.next) || it.off > len(it.pkt) {
		return false
	}
	// RFC 8200 §4.3: the Hop-by-Hop Options header, when present, must
	// immediately follow the IPv6 header.
	if it.next == IPv6HopByHop && it.off != IPv6HeaderLen {
		it.err = fmt.Errorf("ipv6: hop-by-hop options header at offset %d, not first: %w", it.off, ErrBadOption)
		return false
	}
	rest := it.pkt[it.off:]
	n, err := ipv6ExtSize(it.next, rest, it.off)
	if err != nil {
		it.err = err
		return false
	}
	it.cur = IPv6Ext{Type: it.next, Offset: it.off, Bytes: rest[:n:n]}
	it.next = rest[0]
	it.off += n
	return true
}

// Header returns the extension header Next last stepped onto.
func (it *IPv6ExtIter) Header() IPv6Ext { return it.cur }

// Err returns the error that stopped the walk, or nil.
func (it *IPv6ExtIter) Err() error { return it.err }

// Upper returns the Next Header value after the last extension header and
// its offset from the start of the packet. After Next has returned false
// with a nil Err, proto is an upper-layer protocol or IPv6NoNextHeader, and
// the upper-layer data is the packet from off on. RFC 8200 §4.7: octets after
// a header whose Next Header is 59 must be ignored.
func (it *IPv6ExtIter) Upper() (proto uint8, off int) { return it.next, it.off }

// UpperLayer walks p's extension header chain and returns the upper-layer
// protocol number and the offset of its header within p. For a fragment with
// a non-zero offset the upper-layer header is elsewhere; callers reassemble
// first.
func (p IPv6) UpperLayer() (proto uint8, off int, err error) {
	it := p.ExtHeaders()
	for it.Next() {
	}
	if it.err != nil {
		return 0, 0, it.err
	}
	proto, off = it.Upper()
	return proto, off, nil
}
