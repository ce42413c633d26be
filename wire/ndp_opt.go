package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
)

// NDPOptionType is the Type of a Neighbor Discovery option (RFC 4861 §4.6).
type NDPOptionType uint8

// Neighbor Discovery option types.
const (
	NDPSourceLinkAddr   NDPOptionType = 1  // RFC 4861 §4.6.1
	NDPTargetLinkAddr   NDPOptionType = 2  // RFC 4861 §4.6.1
	NDPPrefixInfo       NDPOptionType = 3  // RFC 4861 §4.6.2
	NDPRedirectedHeader NDPOptionType = 4  // RFC 4861 §4.6.3
	NDPMTU              NDPOptionType = 5  // RFC 4861 §4.6.4
	NDPRDNSS            NDPOptionType = 25 // RFC 8106 §5.1 (not interpreted)
	NDPDNSSL            NDPOptionType = 31 // RFC 8106 §5.2 (not interpreted)
)

// String returns the option's name as tcpdump prints it, or "opt_N".
func (t NDPOptionType) String() string {
	switch t {
	case NDPSourceLinkAddr:
		return "source link-address"
	case NDPTargetLinkAddr:
		return "destination link-address"
	case NDPPrefixInfo:
		return "prefix info"
	case NDPRedirectedHeader:
		return "redirected header"
	case NDPMTU:
		return "mtu"
	case NDPRDNSS:
		return "rdnss"
	case NDPDNSSL:
		return "dnssl"
	}
	return "opt_" + strconv.Itoa(int(t))
}

// Lengths of the fixed-size options (RFC 4861 §4.6).
const (
	NDPLinkAddrLen   = 8  // an Ethernet address (RFC 4861 §4.6.1, RFC 2464 §6)
	NDPPrefixInfoLen = 32 // RFC 4861 §4.6.2
	NDPMTULen        = 8  // RFC 4861 §4.6.4
)

// checkNDPOptions checks that b is a sequence of options that exactly fill
// it. RFC 4861 §4.6: Length is in units of 8 octets; nodes MUST silently
// discard an ND packet that contains an option with length zero.
func checkNDPOptions(b []byte) error {
	for off := 0; off < len(b); {
		if len(b)-off < 2 {
			return fmt.Errorf("ndp: option at offset %d: %d bytes: %w", off, len(b)-off, ErrTruncated)
		}
		n := int(b[off+1]) * 8
		if n == 0 {
			return fmt.Errorf("ndp: option %v at offset %d has length zero: %w", NDPOptionType(b[off]), off, ErrBadOption)
		}
		if off+n > len(b) {
			return fmt.Errorf("ndp: option %v at offset %d: length %d exceeds %d bytes: %w",
				NDPOptionType(b[off]), off, n, len(b)-off, ErrBadOption)
		}
		off += n
	}
	return nil
}

// NDPOption is a view of one option, type and length octets included. It
// comes from NDPOptionIter and is at least 8 bytes long.
type NDPOption []byte

// Type returns the option type.
func (o NDPOption) Type() NDPOptionType { return NDPOptionType(o[0]) }

// Len returns the option's length in bytes.
func (o NDPOption) Len() int { return len(o) }

// Data returns the option after its type and length octets.
func (o NDPOption) Data() []byte { return o[2:] }

// LinkAddr returns the link-layer address of a Source or Target Link-Layer
// Address option carrying an Ethernet address (RFC 4861 §4.6.1, RFC 2464 §6).
func (o NDPOption) LinkAddr() (MAC, bool) {
	if (o.Type() != NDPSourceLinkAddr && o.Type() != NDPTargetLinkAddr) || len(o) != NDPLinkAddrLen {
		return MAC{}, false
	}
	return MAC(o[2:8]), true
}

// MTU returns the MTU of an MTU option (RFC 4861 §4.6.4).
func (o NDPOption) MTU() (uint32, bool) {
	if o.Type() != NDPMTU || len(o) != NDPMTULen {
		return 0, false
	}
	return binary.BigEndian.Uint32(o[4:8]), true
}

// RedirectedHeader returns the IP header and data of a Redirected Header
// option (RFC 4861 §4.6.3): everything after its 8-octet header.
func (o NDPOption) RedirectedHeader() ([]byte, bool) {
	if o.Type() != NDPRedirectedHeader {
		return nil, false
	}
	return o[8:], true
}

// PrefixInfo returns o as a Prefix Information view. RFC 4861 §4.6.2: the
// option's length is 4 (32 octets).
func (o NDPOption) PrefixInfo() (NDPPrefixInfoOption, bool) {
	if o.Type() != NDPPrefixInfo || len(o) != NDPPrefixInfoLen {
		return nil, false
	}
	return NDPPrefixInfoOption(o), true
}

// NDPPrefixInfoOption is a view of a 32-octet Prefix Information option
// (RFC 4861 §4.6.2), from NDPOption.PrefixInfo.
type NDPPrefixInfoOption []byte

// PrefixLen returns the number of leading prefix bits that are valid.
func (o NDPPrefixInfoOption) PrefixLen() uint8 { return o[2] }

// OnLink returns the L flag: the prefix can be used for on-link
// determination.
func (o NDPPrefixInfoOption) OnLink() bool { return o[3]&0x80 != 0 }

// Autonomous returns the A flag: the prefix can be used for stateless
// address autoconfiguration (RFC 4862).
func (o NDPPrefixInfoOption) Autonomous() bool { return o[3]&0x40 != 0 }

// ValidLifetime returns the valid lifetime in seconds; all ones is infinity.
func (o NDPPrefixInfoOption) ValidLifetime() uint32 { return binary.BigEndian.Uint32(o[4:8]) }

// PreferredLifetime returns the preferred lifetime in seconds; all ones is
// infinity.
func (o NDPPrefixInfoOption) PreferredLifetime() uint32 { return binary.BigEndian.Uint32(o[8:12]) }

// Prefix returns the Prefix field as an address.
func (o NDPPrefixInfoOption) Prefix() netip.Addr { return addr16(o, 16) }

// PrefixValue returns Prefix and PrefixLen as a netip.Prefix, masked. It is
// invalid if PrefixLen exceeds 128.
func (o NDPPrefixInfoOption) PrefixValue() netip.Prefix {
	p, err := o.Prefix().Prefix(int(o.PrefixLen()))
	if err != nil {
		return netip.Prefix{}
	}
	return p
}

// Fields returns the option's fields.
func (o NDPPrefixInfoOption) Fields() NDPPrefixInfoFields {
	return NDPPrefixInfoFields{
		PrefixLen:         o.PrefixLen(),
		OnLink:            o.OnLink(),
		Autonomous:        o.Autonomous(),
		ValidLifetime:     o.ValidLifetime(),
		PreferredLifetime: o.PreferredLifetime(),
		Prefix:            o.Prefix(),
	}
}

// NDPOptionIter iterates over the options of a checked ND message without
// allocating.
type NDPOptionIter struct{ b []byte }

// Next returns the next option and true, or false when none remain.
func (it *NDPOptionIter) Next() (NDPOption, bool) {
	if len(it.b) < 2 || it.b[1] == 0 || int(it.b[1])*8 > len(it.b) {
		// The last case is unreachable for checked messages; stop, not panic.
		it.b = nil
		return nil, false
	}
	n := int(it.b[1]) * 8
	o := NDPOption(it.b[:n:n])
	it.b = it.b[n:]
	return o, true
}

// Find returns the first option of type t.
func (it NDPOptionIter) Find(t NDPOptionType) (NDPOption, bool) {
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		if o.Type() == t {
			return o, true
		}
	}
	return nil, false
}
