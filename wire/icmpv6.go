package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
)

// ICMPv6HeaderLen is the length of the ICMPv6 header Encode writes: type,
// code, checksum and the four type-specific octets that every message
// defined in RFC 4443 carries.
const ICMPv6HeaderLen = 8

// ICMPv6ProtocolNumber is the Next Header value of ICMPv6 (RFC 4443 §1).
const ICMPv6ProtocolNumber = IPv6ICMP

// ICMPv6Type is the Type field of an ICMPv6 message (RFC 4443 §2.1).
type ICMPv6Type uint8

// ICMPv6 message types.
const (
	ICMPv6DstUnreachable  ICMPv6Type = 1   // RFC 4443 §3.1
	ICMPv6PacketTooBig    ICMPv6Type = 2   // RFC 4443 §3.2
	ICMPv6TimeExceeded    ICMPv6Type = 3   // RFC 4443 §3.3
	ICMPv6ParamProblem    ICMPv6Type = 4   // RFC 4443 §3.4
	ICMPv6EchoRequest     ICMPv6Type = 128 // RFC 4443 §4.1
	ICMPv6EchoReply       ICMPv6Type = 129 // RFC 4443 §4.2
	ICMPv6MLDQuery        ICMPv6Type = 130 // RFC 2710 §3.1, RFC 3810 §5.1
	ICMPv6MLDReport       ICMPv6Type = 131 // RFC 2710 §3.1
	ICMPv6MLDDone         ICMPv6Type = 132 // RFC 2710 §3.1
	ICMPv6RouterSolicit   ICMPv6Type = 133 // RFC 4861 §4.1
	ICMPv6RouterAdvert    ICMPv6Type = 134 // RFC 4861 §4.2
	ICMPv6NeighborSolicit ICMPv6Type = 135 // RFC 4861 §4.3
	ICMPv6NeighborAdvert  ICMPv6Type = 136 // RFC 4861 §4.4
	ICMPv6Redirect        ICMPv6Type = 137 // RFC 4861 §4.5
	ICMPv6MLDv2Report     ICMPv6Type = 143 // RFC 3810 §5.2
)

// String returns the type's name as tcpdump prints it, or "icmp6-type-N".
func (t ICMPv6Type) String() string {
	switch t {
	case ICMPv6DstUnreachable:
		return "destination unreachable"
	case ICMPv6PacketTooBig:
		return "packet too big"
	case ICMPv6TimeExceeded:
		return "time exceeded"
	case ICMPv6ParamProblem:
		return "parameter problem"
	case ICMPv6EchoRequest:
		return "echo request"
	case ICMPv6EchoReply:
		return "echo reply"
	case ICMPv6MLDQuery:
		return "multicast listener query"
	case ICMPv6MLDReport:
		return "multicast listener report"
	case ICMPv6MLDDone:
		return "multicast listener done"
	case ICMPv6RouterSolicit:
		return "router solicitation"
	case ICMPv6RouterAdvert:
		return "router advertisement"
	case ICMPv6NeighborSolicit:
		return "neighbor solicitation"
	case ICMPv6NeighborAdvert:
		return "neighbor advertisement"
	case ICMPv6Redirect:
		return "redirect"
	case ICMPv6MLDv2Report:
		return "multicast listener report v2"
	}
	return "icmp6-type-" + strconv.Itoa(int(t))
}

// IsError reports whether t is an error message: RFC 4443 §2.1, error
// messages have a zero high-order bit in the Type.
func (t ICMPv6Type) IsError() bool { return t < 128 }

// Destination Unreachable codes (RFC 4443 §3.1).
const (
	ICMPv6NoRoute         uint8 = 0 // no route to destination
	ICMPv6AdminProhibited uint8 = 1 // communication administratively prohibited
	ICMPv6BeyondScope     uint8 = 2 // beyond scope of source address
	ICMPv6AddrUnreachable uint8 = 3 // address unreachable
	ICMPv6PortUnreachable uint8 = 4 // port unreachable
	ICMPv6PolicyFailed    uint8 = 5 // source address failed ingress/egress policy
	ICMPv6RejectRoute     uint8 = 6 // reject route to destination
)

// Time Exceeded codes (RFC 4443 §3.3).
const (
	ICMPv6HopLimitExceeded   uint8 = 0 // hop limit exceeded in transit
	ICMPv6ReassemblyExceeded uint8 = 1 // fragment reassembly time exceeded
)

// Parameter Problem codes (RFC 4443 §3.4).
const (
	ICMPv6ErroneousHeader   uint8 = 0 // erroneous header field encountered
	ICMPv6UnknownNextHeader uint8 = 1 // unrecognized Next Header type
	ICMPv6UnknownOption     uint8 = 2 // unrecognized IPv6 option
)

// ICMPv6 is a checked view of an ICMPv6 message: the 4-octet common header
// (RFC 4443 §2.1) and at least the 4 type-specific octets every message type
// defined in RFC 4443, RFC 4861, RFC 2710 and RFC 3810 carries. Make one with
// ParseICMPv6.
type ICMPv6 []byte

// ParseICMPv6 checks that b holds at least an ICMPv6 header and returns a
// view of it. It does not verify the checksum; see VerifyChecksum.
func ParseICMPv6(b []byte) (ICMPv6, error) {
	if len(b) < ICMPv6HeaderLen {
		return nil, fmt.Errorf("icmp6: %d bytes, need %d: %w", len(b), ICMPv6HeaderLen, ErrTruncated)
	}
	return ICMPv6(b), nil
}

// Type returns the message type.
func (m ICMPv6) Type() ICMPv6Type { return ICMPv6Type(m[0]) }

// Code returns the message code.
func (m ICMPv6) Code() uint8 { return m[1] }

// Checksum returns the Checksum field.
func (m ICMPv6) Checksum() uint16 { return binary.BigEndian.Uint16(m[2:4]) }

// word returns the 32-bit type-specific field after the checksum.
func (m ICMPv6) word() uint32 { return binary.BigEndian.Uint32(m[4:8]) }

// MTU returns the MTU of a Packet Too Big message (RFC 4443 §3.2).
func (m ICMPv6) MTU() uint32 { return m.word() }

// Pointer returns the offset of the error in a Parameter Problem message
// (RFC 4443 §3.4).
func (m ICMPv6) Pointer() uint32 { return m.word() }

// ID returns the Identifier of an echo message (RFC 4443 §4.1).
func (m ICMPv6) ID() uint16 { return uint16(m.word() >> 16) }

// Seq returns the Sequence Number of an echo message (RFC 4443 §4.1).
func (m ICMPv6) Seq() uint16 { return uint16(m.word()) }

// Body returns the message after the 8-octet header: the invoking packet of
// an error message (RFC 4443 §3), the data of an echo message (§4.1).
func (m ICMPv6) Body() []byte { return m[ICMPv6HeaderLen:] }

// ComputeChecksum returns the checksum m should carry when sent from src to
// dst: RFC 4443 §2.3, the 16-bit one's complement of the one's complement
// sum of the message, checksum field taken as zero, prepended with the IPv6
// pseudo-header of RFC 8200 §8.1 (Next Header 58). RFC 8200 §8.1: if the
// packet carries a Routing header, dst is the final destination, not the
// Destination Address of the IPv6 header.
func (m ICMPv6) ComputeChecksum(src, dst netip.Addr) uint16 {
	sum := PseudoSum(src, dst, IPv6ICMP, len(m))
	sum = Sum(m[:2], sum)
	return Checksum(m[4:], sum)
}

// SetChecksum writes the checksum for a message sent from src to dst.
func (m ICMPv6) SetChecksum(src, dst netip.Addr) {
	binary.BigEndian.PutUint16(m[2:4], m.ComputeChecksum(src, dst))
}

// VerifyChecksum checks the message's checksum for a message from src to
// dst and returns an error wrapping ErrBadChecksum if it does not verify.
func (m ICMPv6) VerifyChecksum(src, dst netip.Addr) error {
	sum := PseudoSum(src, dst, IPv6ICMP, len(m))
	if got := Fold(Sum(m, sum)); got != 0xffff {
		return fmt.Errorf("icmp6: checksum %#04x, want %#04x: %w",
			m.Checksum(), m.ComputeChecksum(src, dst), ErrBadChecksum)
	}
	return nil
}

// ICMPv6Fields builds the 8-octet header of an ICMPv6 error or echo message.
// Set the field that fits Type: ID and Seq for echo, MTU for Packet Too Big,
// Pointer for Parameter Problem. The checksum is written as zero: build the
// body after the header and then call ICMPv6.SetChecksum on the message.
type ICMPv6Fields struct {
	Type    ICMPv6Type
	Code    uint8
	ID, Seq uint16 // echo request and reply
	MTU     uint32 // packet too big
	Pointer uint32 // parameter problem
}

// Len returns ICMPv6HeaderLen.
func (f *ICMPv6Fields) Len() int { return ICMPv6HeaderLen }

// Encode writes the header at the start of b and returns its length.
func (f *ICMPv6Fields) Encode(b []byte) (int, error) {
	if len(b) < ICMPv6HeaderLen {
		return 0, fmt.Errorf("icmp6: encode into %d bytes, need %d: %w", len(b), ICMPv6HeaderLen, ErrTruncated)
	}
	b[0] = byte(f.Type)
	b[1] = f.Code
	b[2], b[3] = 0, 0
	var w uint32
	switch f.Type {
	case ICMPv6EchoRequest, ICMPv6EchoReply:
		w = uint32(f.ID)<<16 | uint32(f.Seq)
	case ICMPv6PacketTooBig:
		w = f.MTU
	case ICMPv6ParamProblem:
		w = f.Pointer
	}
	// RFC 4443 §3.1, §3.3: the unused word must be zero for the sender.
	binary.BigEndian.PutUint32(b[4:8], w)
	return ICMPv6HeaderLen, nil
}

// Fields returns the header fields of m.
func (m ICMPv6) Fields() ICMPv6Fields {
	f := ICMPv6Fields{Type: m.Type(), Code: m.Code()}
	switch f.Type {
	case ICMPv6EchoRequest, ICMPv6EchoReply:
		f.ID, f.Seq = m.ID(), m.Seq()
	case ICMPv6PacketTooBig:
		f.MTU = m.MTU()
	case ICMPv6ParamProblem:
		f.Pointer = m.Pointer()
	}
	return f
}
