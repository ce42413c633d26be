package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// Fixed lengths of the Neighbor Discovery messages before their options
// (RFC 4861 §4.1–§4.5), ICMPv6 header included.
const (
	RouterSolicitLen   = 8
	RouterAdvertLen    = 16
	NeighborSolicitLen = 24
	NeighborAdvertLen  = 24
	RedirectLen        = 40
)

// parseND checks the parts every Neighbor Discovery message shares: its
// type, code 0, a fixed part of fixed bytes and well-formed options after it.
// RFC 4861 §6.1.1, §6.1.2, §7.1.1, §7.1.2, §8.1: ICMP Code is 0, ICMP length
// is at least the fixed part, all included options have a length greater
// than zero. The IP-layer checks (Hop Limit 255, source and destination
// address rules) are the caller's.
func parseND(b []byte, t ICMPv6Type, fixed int) error {
	if len(b) < fixed {
		return fmt.Errorf("ndp: %v: %d bytes, need %d: %w", t, len(b), fixed, ErrTruncated)
	}
	if ICMPv6Type(b[0]) != t {
		return fmt.Errorf("ndp: type %v, want %v: %w", ICMPv6Type(b[0]), t, ErrUnsupported)
	}
	if b[1] != 0 {
		return fmt.Errorf("ndp: %v: code %d, want 0: %w", t, b[1], ErrUnsupported)
	}
	return checkNDPOptions(b[fixed:])
}

// addr16 returns the IPv6 address in b[off:off+16].
func addr16(b []byte, off int) netip.Addr {
	return netip.AddrFrom16([16]byte(b[off : off+16]))
}

// RouterSolicit is a checked view of a Router Solicitation message
// (RFC 4861 §4.1), from the ICMPv6 type on. Make one with ParseRouterSolicit.
type RouterSolicit []byte

// ParseRouterSolicit checks b and returns a Router Solicitation view.
func ParseRouterSolicit(b []byte) (RouterSolicit, error) {
	if err := parseND(b, ICMPv6RouterSolicit, RouterSolicitLen); err != nil {
		return nil, err
	}
	return RouterSolicit(b), nil
}

// Options returns an iterator over the message's options.
func (m RouterSolicit) Options() NDPOptionIter { return NDPOptionIter{b: m[RouterSolicitLen:]} }

// RouterSolicitFields builds the fixed part of a Router Solicitation.
type RouterSolicitFields struct{}

// Len returns RouterSolicitLen.
func (f *RouterSolicitFields) Len() int { return RouterSolicitLen }

// Encode writes the fixed part at the start of b, checksum zero, and returns
// its length. Options follow it; then call ICMPv6.SetChecksum.
func (f *RouterSolicitFields) Encode(b []byte) (int, error) {
	return encodeNDHeader(b, ICMPv6RouterSolicit, RouterSolicitLen)
}

// encodeNDHeader checks b's length and writes type, code 0, a zero checksum
// and zeros for the rest of the fixed part.
func encodeNDHeader(b []byte, t ICMPv6Type, n int) (int, error) {
	if len(b) < n {
		return 0, fmt.Errorf("ndp: %v: encode into %d bytes, need %d: %w", t, len(b), n, ErrTruncated)
	}
	b[0] = byte(t)
	// RFC 4861 §4: Reserved fields MUST be initialized to zero by the sender.
	clear(b[1:n])
	return n, nil
}

// RouterAdvert is a checked view of a Router Advertisement message
// (RFC 4861 §4.2). Make one with ParseRouterAdvert.
type RouterAdvert []byte

// ParseRouterAdvert checks b and returns a Router Advertisement view.
func ParseRouterAdvert(b []byte) (RouterAdvert, error) {
	if err := parseND(b, ICMPv6RouterAdvert, RouterAdvertLen); err != nil {
		return nil, err
	}
	return RouterAdvert(b), nil
}

// CurHopLimit returns the hop limit hosts should use; 0 means unspecified.
func (m RouterAdvert) CurHopLimit() uint8 { return m[4] }

// Managed returns the M flag: addresses are available via DHCPv6.
func (m RouterAdvert) Managed() bool { return m[5]&0x80 != 0 }

// Other returns the O flag: other configuration is available via DHCPv6.
func (m RouterAdvert) Other() bool { return m[5]&0x40 != 0 }

// RouterLifetime returns the router lifetime in seconds; 0 means the router
// is not a default router.
func (m RouterAdvert) RouterLifetime() uint16 { return binary.BigEndian.Uint16(m[6:8]) }

// ReachableTime returns the reachable time in milliseconds; 0 means
// unspecified.
func (m RouterAdvert) ReachableTime() uint32 { return binary.BigEndian.Uint32(m[8:12]) }

// RetransTimer returns the retransmission timer in milliseconds; 0 means
// unspecified.
func (m RouterAdvert) RetransTimer() uint32 { return binary.BigEndian.Uint32(m[12:16]) }

// Options returns an iterator over the message's options.
func (m RouterAdvert) Options() NDPOptionIter { return NDPOptionIter{b: m[RouterAdvertLen:]} }

// Fields returns the fixed fields of m.
func (m RouterAdvert) Fields() RouterAdvertFields {
	return RouterAdvertFields{
		CurHopLimit:    m.CurHopLimit(),
		Managed:        m.Managed(),
		Other:          m.Other(),
		RouterLifetime: m.RouterLifetime(),
		ReachableTime:  m.ReachableTime(),
		RetransTimer:   m.RetransTimer(),
	}
}

// RouterAdvertFields builds the fixed part of a Router Advertisement.
type RouterAdvertFields struct {
	CurHopLimit    uint8
	Managed, Other bool
	RouterLifetime uint16 // seconds
	ReachableTime  uint32 // milliseconds
	RetransTimer   uint32 // milliseconds
}

// Len returns RouterAdvertLen.
func (f *RouterAdvertFields) Len() int { return RouterAdvertLen }

// Encode writes the fixed part at the start of b, checksum zero, and returns
// its length. Options follow it; then call ICMPv6.SetChecksum.
func (f *RouterAdvertFields) Encode(b []byte) (int, error) {
	n, err := encodeNDHeader(b, ICMPv6RouterAdvert, RouterAdvertLen)
	if err != nil {
		return 0, err
	}
	b[4] = f.CurHopLimit
	if f.Managed {
		b[5] |= 0x80
	}
	if f.Other {
		b[5] |= 0x40
	}
	binary.BigEndian.PutUint16(b[6:8], f.RouterLifetime)
	binary.BigEndian.PutUint32(b[8:12], f.ReachableTime)
	binary.BigEndian.PutUint32(b[12:16], f.RetransTimer)
	return n, nil
}

// NeighborSolicit is a checked view of a Neighbor Solicitation message
// (RFC 4861 §4.3). Make one with ParseNeighborSolicit.
type NeighborSolicit []byte

// ParseNeighborSolicit checks b and returns a Neighbor Solicitation view.
// RFC 4861 §7.1.1: the Target Address must not be a multicast address.
func ParseNeighborSolicit(b []byte) (NeighborSolicit, error) {
	if err := parseND(b, ICMPv6NeighborSolicit, NeighborSolicitLen); err != nil {
		return nil, err
	}
	if t := addr16(b, 8); t.IsMulticast() {
		return nil, fmt.Errorf("ndp: neighbor solicitation for multicast target %v: %w", t, ErrUnsupported)
	}
	return NeighborSolicit(b), nil
}

// Target returns the address whose link-layer address is sought.
func (m NeighborSolicit) Target() netip.Addr { return addr16(m, 8) }

// Options returns an iterator over the message's options.
func (m NeighborSolicit) Options() NDPOptionIter { return NDPOptionIter{b: m[NeighborSolicitLen:]} }

// NeighborSolicitFields builds the fixed part of a Neighbor Solicitation.
type NeighborSolicitFields struct {
	Target netip.Addr
}

// Len returns NeighborSolicitLen.
func (f *NeighborSolicitFields) Len() int { return NeighborSolicitLen }

// Encode writes the fixed part at the start of b, checksum zero, and returns
// its length. Options follow it; then call ICMPv6.SetChecksum.
func (f *NeighborSolicitFields) Encode(b []byte) (int, error) {
	if !f.Target.Is6() {
		return 0, fmt.Errorf("ndp: neighbor solicitation target %v is not IPv6: %w", f.Target, ErrUnsupported)
	}
	n, err := encodeNDHeader(b, ICMPv6NeighborSolicit, NeighborSolicitLen)
	if err != nil {
		return 0, err
	}
	t := f.Target.As16()
	copy(b[8:24], t[:])
	return n, nil
}
