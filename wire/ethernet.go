package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// EthernetHeaderLen is the length of an untagged Ethernet II header:
// destination, source and EtherType.
const EthernetHeaderLen = 14

// VLANTagLen is the length of one IEEE 802.1Q tag: TPID and TCI.
const VLANTagLen = 4

// MaxVLANTags is the number of stacked 802.1Q tags ParseEthernet accepts:
// an IEEE 802.1ad service tag and a customer tag.
const MaxVLANTags = 2

// MAC is an IEEE 802 48-bit MAC address.
type MAC [6]byte

// String formats m as six colon-separated lower-case hex bytes.
func (m MAC) String() string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5])
}

// BroadcastMAC returns ff:ff:ff:ff:ff:ff.
func BroadcastMAC() MAC { return MAC{0xff, 0xff, 0xff, 0xff, 0xff, 0xff} }

// IsBroadcast reports whether m is ff:ff:ff:ff:ff:ff.
func (m MAC) IsBroadcast() bool { return m == BroadcastMAC() }

// IsMulticast reports whether m is a group address: the I/G bit, the least
// significant bit of the first octet, is set (broadcast included).
func (m MAC) IsMulticast() bool { return m[0]&1 != 0 }

// IPv4MulticastMAC returns the Ethernet address an IPv4 host group maps to.
// RFC 1112 §6.4: place the low-order 23 bits of the group address into the
// low-order 23 bits of 01-00-5E-00-00-00. It returns the zero MAC if group is
// not an IPv4 multicast address.
func IPv4MulticastMAC(group netip.Addr) MAC {
	if !group.Is4() || !group.IsMulticast() {
		return MAC{}
	}
	a := group.As4()
	return MAC{0x01, 0x00, 0x5e, a[1] & 0x7f, a[2], a[3]}
}

// EtherType is the 16-bit type field of an Ethernet II frame or 802.1Q tag.
type EtherType uint16

// EtherType values (IEEE 802 numbers registry).
const (
	EtherTypeIPv4 EtherType = 0x0800 // RFC 894
	EtherTypeARP  EtherType = 0x0806 // RFC 826
	EtherTypeVLAN EtherType = 0x8100 // IEEE 802.1Q customer tag
	EtherTypeIPv6 EtherType = 0x86dd // RFC 2464
	EtherTypeQinQ EtherType = 0x88a8 // IEEE 802.1ad service tag
)

// String names well-known EtherTypes and formats others in hex.
func (t EtherType) String() string {
	switch t {
	case EtherTypeIPv4:
		return "IPv4"
	case EtherTypeARP:
		return "ARP"
	case EtherTypeVLAN:
		return "802.1Q"
	case EtherTypeIPv6:
		return "IPv6"
	case EtherTypeQinQ:
		return "802.1ad"
	}
	return fmt.Sprintf("EtherType(%#04x)", uint16(t))
}

// IsVLAN reports whether t is a tag protocol identifier: 802.1Q or 802.1ad.
func (t EtherType) IsVLAN() bool { return t == EtherTypeVLAN || t == EtherTypeQinQ }

// VLANTag is one decoded 802.1Q tag: the TPID that introduced it and the
// fields of its Tag Control Information.
type VLANTag struct {
	TPID EtherType // EtherTypeVLAN or EtherTypeQinQ
	PCP  uint8     // priority code point, 3 bits
	DEI  bool      // drop eligible indicator
	VID  uint16    // VLAN identifier, 12 bits
}

// TCI returns the 16-bit Tag Control Information: PCP, DEI, VID.
func (v VLANTag) TCI() uint16 {
	tci := uint16(v.PCP&7)<<13 | v.VID&0xfff
	if v.DEI {
		tci |= 1 << 12
	}
	return tci
}

// String formats the tag like "vlan 10 pcp 3" (with " dei" when set).
func (v VLANTag) String() string {
	s := fmt.Sprintf("vlan %d pcp %d", v.VID, v.PCP)
	if v.TPID == EtherTypeQinQ {
		s = "s-" + s
	}
	if v.DEI {
		s += " dei"
	}
	return s
}

// Ethernet is a checked view of an Ethernet II frame, with up to MaxVLANTags
// 802.1Q tags between the source address and the EtherType. The frame check
// sequence is not part of the view. Make one with ParseEthernet.
type Ethernet []byte

// ParseEthernet checks that b holds an Ethernet II header, with any 802.1Q or
// 802.1ad tags, and returns a view of the whole frame.
func ParseEthernet(b []byte) (Ethernet, error) {
	if len(b) < EthernetHeaderLen {
		return nil, fmt.Errorf("ethernet: %d bytes, need %d: %w", len(b), EthernetHeaderLen, ErrTruncated)
	}
	off := 12
	for tags := 0; EtherType(binary.BigEndian.Uint16(b[off:])).IsVLAN(); tags++ {
		if tags == MaxVLANTags {
			return nil, fmt.Errorf("ethernet: more than %d VLAN tags: %w", MaxVLANTags, ErrUnsupported)
		}
		off += VLANTagLen
		if len(b) < off+2 {
			return nil, fmt.Errorf("ethernet: %d bytes, tag %d needs %d: %w", len(b), tags+1, off+2, ErrTruncated)
		}
	}
	// RFC 894: values of the type field below 0x0600 are IEEE 802.3 lengths,
	// not Ethernet II types.
	if t := binary.BigEndian.Uint16(b[off:]); t < 0x0600 {
		return nil, fmt.Errorf("ethernet: 802.3 length field %d, not an EtherType: %w", t, ErrUnsupported)
	}
	return Ethernet(b), nil
}

// Dst returns the destination address.
func (e Ethernet) Dst() MAC { return MAC(e[0:6]) }

// Src returns the source address.
func (e Ethernet) Src() MAC { return MAC(e[6:12]) }

// NumTags returns the number of VLAN tags, 0 to MaxVLANTags.
func (e Ethernet) NumTags() int {
	n := 0
	for off := 12; n < MaxVLANTags && EtherType(binary.BigEndian.Uint16(e[off:])).IsVLAN(); off += VLANTagLen {
		n++
	}
	return n
}

// Tag returns the i'th VLAN tag, outermost first, or the zero VLANTag if
// there is no such tag.
func (e Ethernet) Tag(i int) VLANTag {
	if i < 0 || i >= e.NumTags() {
		return VLANTag{}
	}
	off := 12 + VLANTagLen*i
	tci := binary.BigEndian.Uint16(e[off+2:])
	return VLANTag{
		TPID: EtherType(binary.BigEndian.Uint16(e[off:])),
		PCP:  uint8(tci >> 13),
		DEI:  tci&(1<<12) != 0,
		VID:  tci & 0xfff,
	}
}

// HeaderLen returns the length of the header, tags included.
func (e Ethernet) HeaderLen() int { return EthernetHeaderLen + VLANTagLen*e.NumTags() }

// EtherType returns the type of the payload: the type field after any tags.
func (e Ethernet) EtherType() EtherType {
	return EtherType(binary.BigEndian.Uint16(e[e.HeaderLen()-2:]))
}

// Payload returns the bytes after the header. Short frames may carry padding
// after the real payload; the payload's own length field tells.
func (e Ethernet) Payload() []byte { return e[e.HeaderLen():] }

// String formats the header like "02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff vlan 5 pcp 0 ARP".
func (e Ethernet) String() string {
	s := fmt.Sprintf("%v > %v", e.Src(), e.Dst())
	for i := range e.NumTags() {
		s += " " + e.Tag(i).String()
	}
	return fmt.Sprintf("%s %v len %d", s, e.EtherType(), len(e.Payload()))
}

// Fields returns the header fields of e.
func (e Ethernet) Fields() EthernetFields {
	f := EthernetFields{Dst: e.Dst(), Src: e.Src(), EtherType: e.EtherType()}
	for i := range e.NumTags() {
		f.Tags = append(f.Tags, e.Tag(i))
	}
	return f
}

// EthernetFields holds the fields of an Ethernet II header for building one.
type EthernetFields struct {
	Dst, Src  MAC
	Tags      []VLANTag // outermost first; at most MaxVLANTags
	EtherType EtherType // type of the payload
}

// Len returns the length of the header Encode writes.
func (f *EthernetFields) Len() int { return EthernetHeaderLen + VLANTagLen*len(f.Tags) }

// Encode writes the header at the start of b and returns its length. A tag
// whose TPID is zero is written as an 802.1Q tag. Encode does not pad the
// frame to the 60-byte minimum; that is the link's business.
func (f *EthernetFields) Encode(b []byte) (int, error) {
	n := f.Len()
	if len(f.Tags) > MaxVLANTags {
		return 0, fmt.Errorf("ethernet: %d VLAN tags, at most %d: %w", len(f.Tags), MaxVLANTags, ErrUnsupported)
	}
	if len(b) < n {
		return 0, fmt.Errorf("ethernet: encode into %d bytes, need %d: %w", len(b), n, ErrTruncated)
	}
	if f.EtherType < 0x0600 || f.EtherType.IsVLAN() {
		return 0, fmt.Errorf("ethernet: payload type %v: %w", f.EtherType, ErrUnsupported)
	}
	copy(b[0:6], f.Dst[:])
	copy(b[6:12], f.Src[:])
	off := 12
	for _, t := range f.Tags {
		tpid := t.TPID
		if tpid == 0 {
			tpid = EtherTypeVLAN
		}
		if !tpid.IsVLAN() {
			return 0, fmt.Errorf("ethernet: tag TPID %v: %w", tpid, ErrUnsupported)
		}
		binary.BigEndian.PutUint16(b[off:], uint16(tpid))
		binary.BigEndian.PutUint16(b[off+2:], t.TCI())
		off += VLANTagLen
	}
	binary.BigEndian.PutUint16(b[off:], uint16(f.EtherType))
	return n, nil
}
