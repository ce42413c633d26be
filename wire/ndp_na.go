package wire

import (
	"fmt"
	"net/netip"
)

// NeighborAdvert is a checked view of a Neighbor Advertisement message
// (RFC 4861 §4.4). Make one with ParseNeighborAdvert.
type NeighborAdvert []byte

// ParseNeighborAdvert checks b and returns a Neighbor Advertisement view.
// RFC 4861 §7.1.2: the Target Address must not be a multicast address. The
// rule that S is clear when the IP destination is multicast is the caller's.
func ParseNeighborAdvert(b []byte) (NeighborAdvert, error) {
	if err := parseND(b, ICMPv6NeighborAdvert, NeighborAdvertLen); err != nil {
		return nil, err
	}
	if t := addr16(b, 8); t.IsMulticast() {
		return nil, fmt.Errorf("ndp: neighbor advertisement for multicast target %v: %w", t, ErrUnsupported)
	}
	return NeighborAdvert(b), nil
}

// Router returns the R flag: the sender is a router.
func (m NeighborAdvert) Router() bool { return m[4]&0x80 != 0 }

// Solicited returns the S flag: the advertisement answers a solicitation.
func (m NeighborAdvert) Solicited() bool { return m[4]&0x40 != 0 }

// Override returns the O flag: the advertisement should override a cached
// link-layer address.
func (m NeighborAdvert) Override() bool { return m[4]&0x20 != 0 }

// Target returns the address the advertisement is about.
func (m NeighborAdvert) Target() netip.Addr { return addr16(m, 8) }

// Options returns an iterator over the message's options.
func (m NeighborAdvert) Options() NDPOptionIter { return NDPOptionIter{b: m[NeighborAdvertLen:]} }

// Fields returns the fixed fields of m.
func (m NeighborAdvert) Fields() NeighborAdvertFields {
	return NeighborAdvertFields{Router: m.Router(), Solicited: m.Solicited(), Override: m.Override(), Target: m.Target()}
}

// NeighborAdvertFields builds the fixed part of a Neighbor Advertisement.
type NeighborAdvertFields struct {
	Router, Solicited, Override bool
	Target                      netip.Addr
}

// Len returns NeighborAdvertLen.
func (f *NeighborAdvertFields) Len() int { return NeighborAdvertLen }

// Encode writes the fixed part at the start of b, checksum zero, and returns
// its length. Options follow it; then call ICMPv6.SetChecksum.
func (f *NeighborAdvertFields) Encode(b []byte) (int, error) {
	if !f.Target.Is6() {
		return 0, fmt.Errorf("ndp: neighbor advertisement target %v is not IPv6: %w", f.Target, ErrUnsupported)
	}
	n, err := encodeNDHeader(b, ICMPv6NeighborAdvert, NeighborAdvertLen)
	if err != nil {
		return 0, err
	}
	// RFC 4861 §4.4: R, S and O are the three high-order bits after the checksum.
	if f.Router {
		b[4] |= 0x80
	}
	if f.Solicited {
		b[4] |= 0x40
	}
	if f.Override {
		b[4] |= 0x20
	}
	t := f.Target.As16()
	copy(b[8:24], t[:])
	return n, nil
}

// Redirect is a checked view of a Redirect message (RFC 4861 §4.5). Make one
// with ParseRedirect.
type Redirect []byte

// ParseRedirect checks b and returns a Redirect view. RFC 4861 §8.1: the
// Destination Address must not be a multicast address, and the Target
// Address is either a link-local address or the same as the Destination
// Address.
func ParseRedirect(b []byte) (Redirect, error) {
	if err := parseND(b, ICMPv6Redirect, RedirectLen); err != nil {
		return nil, err
	}
	t, d := addr16(b, 8), addr16(b, 24)
	if d.IsMulticast() {
		return nil, fmt.Errorf("ndp: redirect for multicast destination %v: %w", d, ErrUnsupported)
	}
	if !t.IsLinkLocalUnicast() && t != d {
		return nil, fmt.Errorf("ndp: redirect target %v is neither link-local nor the destination %v: %w", t, d, ErrUnsupported)
	}
	return Redirect(b), nil
}

// Target returns the better first hop for the destination.
func (m Redirect) Target() netip.Addr { return addr16(m, 8) }

// Destination returns the address being redirected.
func (m Redirect) Destination() netip.Addr { return addr16(m, 24) }

// Options returns an iterator over the message's options.
func (m Redirect) Options() NDPOptionIter { return NDPOptionIter{b: m[RedirectLen:]} }

// RedirectFields builds the fixed part of a Redirect message.
type RedirectFields struct {
	Target, Destination netip.Addr
}

// Len returns RedirectLen.
func (f *RedirectFields) Len() int { return RedirectLen }

// Encode writes the fixed part at the start of b, checksum zero, and returns
// its length. Options follow it; then call ICMPv6.SetChecksum.
func (f *RedirectFields) Encode(b []byte) (int, error) {
	if !f.Target.Is6() || !f.Destination.Is6() {
		return 0, fmt.Errorf("ndp: redirect addresses %v, %v are not IPv6: %w", f.Target, f.Destination, ErrUnsupported)
	}
	n, err := encodeNDHeader(b, ICMPv6Redirect, RedirectLen)
	if err != nil {
		return 0, err
	}
	t, d := f.Target.As16(), f.Destination.As16()
	copy(b[8:24], t[:])
	copy(b[24:40], d[:])
	return n, nil
}
