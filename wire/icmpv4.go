package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// ICMPv4HeaderLen is the length of the ICMP header common to every message:
// type, code, checksum and four type-specific bytes (RFC 792).
const ICMPv4HeaderLen = 8

// ICMPv4Type is the type field of an ICMP message.
type ICMPv4Type uint8

// ICMP message types (RFC 792, RFC 950, RFC 1256).
const (
	ICMPv4EchoReply          ICMPv4Type = 0
	ICMPv4DestUnreachable    ICMPv4Type = 3
	ICMPv4SourceQuench       ICMPv4Type = 4 // deprecated by RFC 6633
	ICMPv4Redirect           ICMPv4Type = 5
	ICMPv4Echo               ICMPv4Type = 8
	ICMPv4RouterAdvert       ICMPv4Type = 9  // RFC 1256 §3
	ICMPv4RouterSolicit      ICMPv4Type = 10 // RFC 1256 §3
	ICMPv4TimeExceeded       ICMPv4Type = 11
	ICMPv4ParamProblem       ICMPv4Type = 12
	ICMPv4Timestamp          ICMPv4Type = 13
	ICMPv4TimestampReply     ICMPv4Type = 14
	ICMPv4InfoRequest        ICMPv4Type = 15 // obsolete (RFC 6918)
	ICMPv4InfoReply          ICMPv4Type = 16 // obsolete (RFC 6918)
	ICMPv4AddressMaskRequest ICMPv4Type = 17 // RFC 950 Appendix I
	ICMPv4AddressMaskReply   ICMPv4Type = 18 // RFC 950 Appendix I
)

var icmpv4TypeNames = [...]string{
	ICMPv4EchoReply: "echo reply", ICMPv4DestUnreachable: "destination unreachable",
	ICMPv4SourceQuench: "source quench", ICMPv4Redirect: "redirect", ICMPv4Echo: "echo request",
	ICMPv4RouterAdvert: "router advertisement", ICMPv4RouterSolicit: "router solicitation",
	ICMPv4TimeExceeded: "time exceeded", ICMPv4ParamProblem: "parameter problem",
	ICMPv4Timestamp: "timestamp request", ICMPv4TimestampReply: "timestamp reply",
	ICMPv4InfoRequest: "information request", ICMPv4InfoReply: "information reply",
	ICMPv4AddressMaskRequest: "address mask request", ICMPv4AddressMaskReply: "address mask reply",
}

// String names the type.
func (t ICMPv4Type) String() string {
	if int(t) < len(icmpv4TypeNames) && icmpv4TypeNames[t] != "" {
		return icmpv4TypeNames[t]
	}
	return fmt.Sprintf("ICMPv4Type(%d)", uint8(t))
}

// ICMPv4Code is the code field of an ICMP message; its meaning depends on
// the type.
type ICMPv4Code uint8

// Destination Unreachable codes (RFC 792; 4 with RFC 1191; 6 to 12 RFC 1122
// §3.2.2.1; 13 to 15 RFC 1812 §5.2.7.1).
const (
	ICMPv4NetUnreachable        ICMPv4Code = 0
	ICMPv4HostUnreachable       ICMPv4Code = 1
	ICMPv4ProtocolUnreachable   ICMPv4Code = 2
	ICMPv4PortUnreachable       ICMPv4Code = 3
	ICMPv4FragmentationNeeded   ICMPv4Code = 4 // carries the next-hop MTU (RFC 1191 §4)
	ICMPv4SourceRouteFailed     ICMPv4Code = 5
	ICMPv4NetUnknown            ICMPv4Code = 6
	ICMPv4HostUnknown           ICMPv4Code = 7
	ICMPv4SourceHostIsolated    ICMPv4Code = 8
	ICMPv4NetProhibited         ICMPv4Code = 9
	ICMPv4HostProhibited        ICMPv4Code = 10
	ICMPv4NetUnreachableForTOS  ICMPv4Code = 11
	ICMPv4HostUnreachableForTOS ICMPv4Code = 12
	ICMPv4AdminProhibited       ICMPv4Code = 13
	ICMPv4HostPrecedenceViolate ICMPv4Code = 14
	ICMPv4PrecedenceCutoff      ICMPv4Code = 15
)

// Redirect codes (RFC 792).
const (
	ICMPv4RedirectNet       ICMPv4Code = 0
	ICMPv4RedirectHost      ICMPv4Code = 1
	ICMPv4RedirectTOSNet    ICMPv4Code = 2
	ICMPv4RedirectTOSHost   ICMPv4Code = 3
	ICMPv4TTLExceeded       ICMPv4Code = 0 // Time Exceeded: TTL exceeded in transit
	ICMPv4ReassemblyTimeout ICMPv4Code = 1 // Time Exceeded: reassembly time exceeded
	ICMPv4PointerIndicates  ICMPv4Code = 0 // Parameter Problem: pointer indicates the error
	ICMPv4MissingOption     ICMPv4Code = 1 // Parameter Problem: required option missing (RFC 1122 §3.2.2.5)
	ICMPv4BadLength         ICMPv4Code = 2 // Parameter Problem: bad length (RFC 1812 §5.2.7.4)
)

var icmpv4UnreachNames = [...]string{
	"net unreachable", "host unreachable", "protocol unreachable", "port unreachable",
	"fragmentation needed", "source route failed", "net unknown", "host unknown",
	"source host isolated", "net prohibited", "host prohibited", "net unreachable for TOS",
	"host unreachable for TOS", "administratively prohibited", "host precedence violation",
	"precedence cutoff",
}

// CodeString names code as a code of message type t.
func (t ICMPv4Type) CodeString(code ICMPv4Code) string {
	switch {
	case t == ICMPv4DestUnreachable && int(code) < len(icmpv4UnreachNames):
		return icmpv4UnreachNames[code]
	case t == ICMPv4Redirect && code <= 3:
		return [...]string{"redirect net", "redirect host", "redirect TOS and net", "redirect TOS and host"}[code]
	case t == ICMPv4TimeExceeded && code <= 1:
		return [...]string{"TTL exceeded", "reassembly timeout"}[code]
	case t == ICMPv4ParamProblem && code <= 2:
		return [...]string{"pointer indicates error", "missing option", "bad length"}[code]
	case t == ICMPv4RouterAdvert && code == 16:
		return "does not route common traffic" // RFC 2002 §3.2 mobility agents
	}
	return fmt.Sprintf("code %d", uint8(code))
}

// String formats the code by number; ICMPv4Type.CodeString names it.
func (c ICMPv4Code) String() string { return fmt.Sprintf("code %d", uint8(c)) }

// IsError reports whether t is an ICMP error message, which quotes the
// datagram that caused it (RFC 1122 §3.2.2).
func (t ICMPv4Type) IsError() bool {
	switch t {
	case ICMPv4DestUnreachable, ICMPv4SourceQuench, ICMPv4Redirect, ICMPv4TimeExceeded, ICMPv4ParamProblem:
		return true
	}
	return false
}

// IsQuery reports whether t is a query or its reply: Echo, Timestamp,
// Information and Address Mask, whose second word is identifier and
// sequence number.
func (t ICMPv4Type) IsQuery() bool {
	switch t {
	case ICMPv4EchoReply, ICMPv4Echo, ICMPv4Timestamp, ICMPv4TimestampReply,
		ICMPv4InfoRequest, ICMPv4InfoReply, ICMPv4AddressMaskRequest, ICMPv4AddressMaskReply:
		return true
	}
	return false
}

// icmpv4MinLen returns the minimum message length of type t.
func icmpv4MinLen(t ICMPv4Type) int {
	switch t {
	case ICMPv4Timestamp, ICMPv4TimestampReply:
		return 20 // RFC 792: originate, receive and transmit timestamps
	case ICMPv4AddressMaskRequest, ICMPv4AddressMaskReply:
		return 12 // RFC 950 Appendix I: address mask
	}
	return ICMPv4HeaderLen
}

// ICMPv4 is a checked view of an ICMP message (RFC 792), header and body.
// Make one with ParseICMPv4.
type ICMPv4 []byte

// ParseICMPv4 checks that b holds an ICMP message long enough for its type
// and returns a view of all of b. It does not verify the checksum (see
// ChecksumValid).
func ParseICMPv4(b []byte) (ICMPv4, error) {
	if len(b) < ICMPv4HeaderLen {
		return nil, fmt.Errorf("icmpv4: %d bytes, need %d: %w", len(b), ICMPv4HeaderLen, ErrTruncated)
	}
	t := ICMPv4Type(b[0])
	if n := icmpv4MinLen(t); len(b) < n {
		return nil, fmt.Errorf("icmpv4: %v of %d bytes, need %d: %w", t, len(b), n, ErrTruncated)
	}
	if t == ICMPv4RouterAdvert {
		// RFC 1256 §3: Addr Entry Size is 2 (words) or more; the message
		// holds Num Addrs entries.
		num, size := int(b[4]), int(b[5])
		if size < 2 {
			return nil, fmt.Errorf("icmpv4: router advertisement entry size %d: %w", size, ErrBadLength)
		}
		if need := ICMPv4HeaderLen + num*size*4; len(b) < need {
			return nil, fmt.Errorf("icmpv4: router advertisement of %d bytes, %d entries need %d: %w", len(b), num, need, ErrTruncated)
		}
	}
	return ICMPv4(b), nil
}

// Type returns the type field.
func (m ICMPv4) Type() ICMPv4Type { return ICMPv4Type(m[0]) }

// Code returns the code field.
func (m ICMPv4) Code() ICMPv4Code { return ICMPv4Code(m[1]) }

// Checksum returns the checksum field.
func (m ICMPv4) Checksum() uint16 { return binary.BigEndian.Uint16(m[2:]) }

// ChecksumValid reports whether the checksum verifies over the whole message
// (RFC 792: the ones'-complement sum from the ICMP type on).
func (m ICMPv4) ChecksumValid() bool { return Fold(Sum(m, 0)) == 0xffff }

// RestOfHeader returns the four type-specific header bytes 4 to 7.
func (m ICMPv4) RestOfHeader() uint32 { return binary.BigEndian.Uint32(m[4:]) }

// Body returns the bytes after the 8-byte header: the echo data, the quoted
// datagram of an error, the timestamps, the mask, or router entries.
func (m ICMPv4) Body() []byte { return m[ICMPv4HeaderLen:] }

// ID returns the identifier of a query message (IsQuery).
func (m ICMPv4) ID() uint16 { return binary.BigEndian.Uint16(m[4:]) }

// Seq returns the sequence number of a query message (IsQuery).
func (m ICMPv4) Seq() uint16 { return binary.BigEndian.Uint16(m[6:]) }

// Data returns the data of an Echo or Echo Reply, the Body.
func (m ICMPv4) Data() []byte { return m.Body() }

// Gateway returns the gateway address of a Redirect (RFC 792).
func (m ICMPv4) Gateway() netip.Addr { return netip.AddrFrom4([4]byte(m[4:8])) }

// Pointer returns the pointer of a Parameter Problem: the offset of the
// octet in the quoted datagram where the error was found (RFC 792).
func (m ICMPv4) Pointer() uint8 { return m[4] }

// NextHopMTU returns the next-hop MTU of a Destination Unreachable with
// code ICMPv4FragmentationNeeded (RFC 1191 §4: low-order 16 bits of the
// second word); zero from routers that predate RFC 1191.
func (m ICMPv4) NextHopMTU() uint16 { return binary.BigEndian.Uint16(m[6:]) }

// u32 reads the 32-bit word at off, or 0 beyond the message.
func (m ICMPv4) u32(off int) uint32 {
	if off+4 > len(m) {
		return 0
	}
	return binary.BigEndian.Uint32(m[off:])
}

// Originate, Receive and Transmit return the timestamps of a Timestamp or
// Timestamp Reply (RFC 792): milliseconds since midnight UT.
func (m ICMPv4) Originate() uint32 { return m.u32(8) }

// Receive returns the receive timestamp; see Originate.
func (m ICMPv4) Receive() uint32 { return m.u32(12) }

// Transmit returns the transmit timestamp; see Originate.
func (m ICMPv4) Transmit() uint32 { return m.u32(16) }

// AddressMask returns the mask of an Address Mask Request or Reply
// (RFC 950 Appendix I), or the zero Addr if the message is too short.
func (m ICMPv4) AddressMask() netip.Addr {
	if len(m) < 12 {
		return netip.Addr{}
	}
	return netip.AddrFrom4([4]byte(m[8:12]))
}
