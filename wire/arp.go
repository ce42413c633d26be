package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// ARPLen is the length of an ARP packet for Ethernet and IPv4 (RFC 826):
// 8 bytes of fixed fields, two 6-byte hardware and two 4-byte protocol
// addresses.
const ARPLen = 28

// ARPHardwareEthernet is ar$hrd for Ethernet (RFC 826; IANA ARP parameters).
const ARPHardwareEthernet = 1

// ARPOp is the ar$op field of an ARP packet.
type ARPOp uint16

// ARP opcodes (RFC 826).
const (
	ARPRequest ARPOp = 1 // ares_op$REQUEST
	ARPReply   ARPOp = 2 // ares_op$REPLY
)

// String names the opcode.
func (op ARPOp) String() string {
	switch op {
	case ARPRequest:
		return "request"
	case ARPReply:
		return "reply"
	}
	return fmt.Sprintf("ARPOp(%d)", uint16(op))
}

// ARP is a checked view of an ARP packet for Ethernet hardware and IPv4
// protocol addresses. Bytes after the packet (Ethernet padding) are not part
// of the view. Make one with ParseARP.
type ARP []byte

// ParseARP checks that b starts with an ARP packet for Ethernet and IPv4 and
// returns a view of its ARPLen bytes. Other hardware or protocol types are
// reported as ErrUnsupported.
func ParseARP(b []byte) (ARP, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("arp: %d bytes, need 8: %w", len(b), ErrTruncated)
	}
	// RFC 826 "Packet format": ar$hrd, ar$pro, ar$hln, ar$pln, ar$op.
	hrd := binary.BigEndian.Uint16(b[0:])
	pro := EtherType(binary.BigEndian.Uint16(b[2:]))
	if hrd != ARPHardwareEthernet || pro != EtherTypeIPv4 || b[4] != 6 || b[5] != 4 {
		return nil, fmt.Errorf("arp: hardware %d/%d bytes, protocol %v/%d bytes: %w",
			hrd, b[4], pro, b[5], ErrUnsupported)
	}
	if len(b) < ARPLen {
		return nil, fmt.Errorf("arp: %d bytes, need %d: %w", len(b), ARPLen, ErrTruncated)
	}
	return ARP(b[:ARPLen]), nil
}

// HardwareType returns ar$hrd, always ARPHardwareEthernet in a parsed view.
func (a ARP) HardwareType() uint16 { return binary.BigEndian.Uint16(a[0:]) }

// ProtocolType returns ar$pro, always EtherTypeIPv4 in a parsed view.
func (a ARP) ProtocolType() EtherType { return EtherType(binary.BigEndian.Uint16(a[2:])) }

// HardwareLen returns ar$hln, always 6 in a parsed view.
func (a ARP) HardwareLen() uint8 { return a[4] }

// ProtocolLen returns ar$pln, always 4 in a parsed view.
func (a ARP) ProtocolLen() uint8 { return a[5] }

// Op returns ar$op.
func (a ARP) Op() ARPOp { return ARPOp(binary.BigEndian.Uint16(a[6:])) }

// SHA returns ar$sha, the sender hardware address.
func (a ARP) SHA() MAC { return MAC(a[8:14]) }

// SPA returns ar$spa, the sender protocol address.
func (a ARP) SPA() netip.Addr { return netip.AddrFrom4([4]byte(a[14:18])) }

// THA returns ar$tha, the target hardware address.
func (a ARP) THA() MAC { return MAC(a[18:24]) }

// TPA returns ar$tpa, the target protocol address.
func (a ARP) TPA() netip.Addr { return netip.AddrFrom4([4]byte(a[24:28])) }

// String formats the packet like tcpdump: "request who-has 10.0.0.2 tell 10.0.0.1".
func (a ARP) String() string {
	switch a.Op() {
	case ARPRequest:
		return fmt.Sprintf("arp request who-has %v tell %v (%v)", a.TPA(), a.SPA(), a.SHA())
	case ARPReply:
		return fmt.Sprintf("arp reply %v is-at %v", a.SPA(), a.SHA())
	}
	return fmt.Sprintf("arp %v %v (%v) > %v (%v)", a.Op(), a.SPA(), a.SHA(), a.TPA(), a.THA())
}

// Fields returns the variable fields of a.
func (a ARP) Fields() ARPFields {
	return ARPFields{Op: a.Op(), SHA: a.SHA(), SPA: a.SPA(), THA: a.THA(), TPA: a.TPA()}
}

// ARPFields holds the fields of an Ethernet/IPv4 ARP packet for building one.
type ARPFields struct {
	Op       ARPOp
	SHA, THA MAC        // sender and target hardware addresses
	SPA, TPA netip.Addr // sender and target IPv4 addresses
}

// NewARPRequest returns the fields of a request asking for tpa's hardware
// address. RFC 826 leaves ar$tha of a request unspecified; it is zero here,
// as most implementations send it.
func NewARPRequest(sha MAC, spa, tpa netip.Addr) ARPFields {
	return ARPFields{Op: ARPRequest, SHA: sha, SPA: spa, TPA: tpa}
}

// NewARPReply returns the fields of the reply to req sent by the host whose
// hardware address is sha. RFC 826 "Packet Reception": swap the hardware and
// protocol fields, putting the local hardware and protocol addresses in the
// sender fields, and set ar$op to ares_op$REPLY.
func NewARPReply(req ARP, sha MAC) ARPFields {
	return ARPFields{Op: ARPReply, SHA: sha, SPA: req.TPA(), THA: req.SHA(), TPA: req.SPA()}
}

// Len returns ARPLen.
func (f *ARPFields) Len() int { return ARPLen }

// Encode writes the ARP packet at the start of b and returns its length.
func (f *ARPFields) Encode(b []byte) (int, error) {
	if len(b) < ARPLen {
		return 0, fmt.Errorf("arp: encode into %d bytes, need %d: %w", len(b), ARPLen, ErrTruncated)
	}
	if !f.SPA.Is4() || !f.TPA.Is4() {
		return 0, fmt.Errorf("arp: addresses %v, %v are not IPv4: %w", f.SPA, f.TPA, ErrUnsupported)
	}
	binary.BigEndian.PutUint16(b[0:], ARPHardwareEthernet)
	binary.BigEndian.PutUint16(b[2:], uint16(EtherTypeIPv4))
	b[4], b[5] = 6, 4
	binary.BigEndian.PutUint16(b[6:], uint16(f.Op))
	spa, tpa := f.SPA.As4(), f.TPA.As4()
	copy(b[8:14], f.SHA[:])
	copy(b[14:18], spa[:])
	copy(b[18:24], f.THA[:])
	copy(b[24:28], tpa[:])
	return ARPLen, nil
}
