package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// NDPLinkAddrFields builds a Source or Target Link-Layer Address option
// carrying an Ethernet address (RFC 4861 §4.6.1, RFC 2464 §6).
type NDPLinkAddrFields struct {
	Type NDPOptionType // NDPSourceLinkAddr or NDPTargetLinkAddr
	Addr MAC
}

// Len returns NDPLinkAddrLen.
func (f *NDPLinkAddrFields) Len() int { return NDPLinkAddrLen }

// Encode writes the option at the start of b and returns its length.
func (f *NDPLinkAddrFields) Encode(b []byte) (int, error) {
	if f.Type != NDPSourceLinkAddr && f.Type != NDPTargetLinkAddr {
		return 0, fmt.Errorf("ndp: %v is not a link-layer address option: %w", f.Type, ErrBadOption)
	}
	if len(b) < NDPLinkAddrLen {
		return 0, fmt.Errorf("ndp: %v: encode into %d bytes, need %d: %w", f.Type, len(b), NDPLinkAddrLen, ErrTruncated)
	}
	b[0] = byte(f.Type)
	b[1] = NDPLinkAddrLen / 8
	copy(b[2:8], f.Addr[:])
	return NDPLinkAddrLen, nil
}

// NDPPrefixInfoFields builds a Prefix Information option (RFC 4861 §4.6.2).
type NDPPrefixInfoFields struct {
	PrefixLen          uint8
	OnLink, Autonomous bool
	ValidLifetime      uint32 // seconds, 0xffffffff is infinity
	PreferredLifetime  uint32 // seconds, 0xffffffff is infinity
	Prefix             netip.Addr
}

// Len returns NDPPrefixInfoLen.
func (f *NDPPrefixInfoFields) Len() int { return NDPPrefixInfoLen }

// Encode writes the option at the start of b and returns its length.
func (f *NDPPrefixInfoFields) Encode(b []byte) (int, error) {
	if len(b) < NDPPrefixInfoLen {
		return 0, fmt.Errorf("ndp: prefix info: encode into %d bytes, need %d: %w", len(b), NDPPrefixInfoLen, ErrTruncated)
	}
	if !f.Prefix.Is6() || f.PrefixLen > 128 {
		return 0, fmt.Errorf("ndp: prefix info %v/%d is not an IPv6 prefix: %w", f.Prefix, f.PrefixLen, ErrBadOption)
	}
	b[0] = byte(NDPPrefixInfo)
	b[1] = NDPPrefixInfoLen / 8
	b[2] = f.PrefixLen
	b[3] = 0
	if f.OnLink {
		b[3] |= 0x80
	}
	if f.Autonomous {
		b[3] |= 0x40
	}
	binary.BigEndian.PutUint32(b[4:8], f.ValidLifetime)
	binary.BigEndian.PutUint32(b[8:12], f.PreferredLifetime)
	// RFC 4861 §4.6.2: Reserved2 MUST be initialized to zero by the sender.
	clear(b[12:16])
	p := f.Prefix.As16()
	copy(b[16:32], p[:])
	return NDPPrefixInfoLen, nil
}

// NDPMTUFields builds an MTU option (RFC 4861 §4.6.4).
type NDPMTUFields struct {
	MTU uint32
}

// Len returns NDPMTULen.
func (f *NDPMTUFields) Len() int { return NDPMTULen }

// Encode writes the option at the start of b and returns its length.
func (f *NDPMTUFields) Encode(b []byte) (int, error) {
	if len(b) < NDPMTULen {
		return 0, fmt.Errorf("ndp: mtu: encode into %d bytes, need %d: %w", len(b), NDPMTULen, ErrTruncated)
	}
	b[0] = byte(NDPMTU)
	b[1] = NDPMTULen / 8
	b[2], b[3] = 0, 0
	binary.BigEndian.PutUint32(b[4:8], f.MTU)
	return NDPMTULen, nil
}

// NDPRedirectedHeaderFields builds a Redirected Header option
// (RFC 4861 §4.6.3) around Packet, the start of the redirected packet,
// zero-padded to a multiple of 8 octets. The caller truncates Packet so the
// Redirect message fits the minimum MTU.
type NDPRedirectedHeaderFields struct {
	Packet []byte
}

// Len returns the option's length: 8 plus Packet rounded up to 8.
func (f *NDPRedirectedHeaderFields) Len() int { return 8 + (len(f.Packet)+7)&^7 }

// Encode writes the option, packet included, at the start of b and returns
// its length.
func (f *NDPRedirectedHeaderFields) Encode(b []byte) (int, error) {
	n := f.Len()
	if n > 255*8 {
		return 0, fmt.Errorf("ndp: redirected header of %d bytes exceeds %d: %w", n, 255*8, ErrBadLength)
	}
	if len(b) < n {
		return 0, fmt.Errorf("ndp: redirected header: encode into %d bytes, need %d: %w", len(b), n, ErrTruncated)
	}
	b[0] = byte(NDPRedirectedHeader)
	b[1] = uint8(n / 8)
	clear(b[2:8])
	m := copy(b[8:n], f.Packet)
	clear(b[8+m : n])
	return n, nil
}
