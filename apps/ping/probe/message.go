package probe

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"sockstack/wire"
)

// ErrMalformed reports a received packet too short or inconsistent to be
// the ICMP message it claims to be.
var ErrMalformed = errors.New("probe: malformed ICMP packet")

// Protocol numbers of the quoted datagrams this package understands.
const (
	ProtoICMP   = 1  // RFC 792
	ProtoUDP    = 17 // RFC 768
	ProtoICMPv6 = 58 // RFC 4443
)

// Quote is the start of the datagram that an ICMP error message carries
// back: RFC 792 (the internet header plus the first 64 bits of the
// original data) and RFC 4443 §3 (as much of the invoking packet as fits).
type Quote struct {
	// Valid is true when an IP header of the right version was found.
	Valid bool
	// Proto is the quoted IPv4 Protocol or IPv6 Next Header.
	Proto uint8
	// Src and Dst are the quoted addresses.
	Src, Dst netip.Addr
	// L4 is the quoted transport header and data (at least 8 bytes when
	// Valid).
	L4 []byte
}

// Message is one received ICMP or ICMPv6 message. Its slices are views
// into the receive buffer.
type Message struct {
	// V6 is true for ICMPv6.
	V6 bool
	// Type and Code are the ICMP type and code.
	Type, Code uint8
	// From is the message's source address.
	From netip.Addr
	// HopLimit is the received IPv4 TTL or IPv6 hop limit, -1 if unknown.
	HopLimit int
	// Len is the length of the ICMP message, header included.
	Len int
	// ChecksumOK is false when an IPv4 ICMP checksum does not verify
	// (the kernel verifies ICMPv6 checksums itself).
	ChecksumOK bool
	// Word is the 32-bit field after the checksum: identifier and
	// sequence number, next-hop MTU, pointer.
	Word uint32
	// Body is the message after its 8-byte header: the echo data, or the
	// quoted datagram of an error.
	Body []byte
	// Quote is the decoded quoted datagram of an error message.
	Quote Quote
}

// ID returns the echo identifier (RFC 792, RFC 4443 §4.1).
func (m *Message) ID() uint16 { return uint16(m.Word >> 16) }

// Seq returns the echo sequence number.
func (m *Message) Seq() uint16 { return uint16(m.Word) }

// IsEchoReply reports whether m is an echo reply.
func (m *Message) IsEchoReply() bool {
	if m.V6 {
		return m.Type == ICMPv6EchoReply
	}
	return m.Type == ICMPv4EchoReply
}

// IsError reports whether m is an ICMP error message, which quotes the
// datagram that caused it.
func (m *Message) IsError() bool {
	if m.V6 {
		// RFC 4443 §2.1: error messages have types 0 to 127.
		return m.Type < 128
	}
	switch m.Type {
	case ICMPv4DestUnreach, ICMPv4SourceQuench, ICMPv4Redirect, ICMPv4TimeExceeded, ICMPv4ParamProblem:
		return true
	}
	return false
}

// IsTimeExceeded reports whether m says a probe's TTL or hop limit ran out.
func (m *Message) IsTimeExceeded() bool {
	if m.V6 {
		return m.Type == ICMPv6TimeExceeded
	}
	return m.Type == ICMPv4TimeExceeded
}

// IsUnreachable reports whether m is a Destination Unreachable message.
func (m *Message) IsUnreachable() bool {
	if m.V6 {
		return m.Type == ICMPv6DestUnreach
	}
	return m.Type == ICMPv4DestUnreach
}

// QuotedEcho returns the identifier and sequence number of the echo request
// an error message quotes; ok is false if it quotes something else.
func (m *Message) QuotedEcho() (id, seq uint16, ok bool) {
	q := &m.Quote
	want, typ := uint8(ProtoICMP), uint8(ICMPv4EchoRequest)
	if m.V6 {
		want, typ = ProtoICMPv6, ICMPv6EchoRequest
	}
	if !m.IsError() || !q.Valid || q.Proto != want || q.L4[0] != typ {
		return 0, 0, false
	}
	return binary.BigEndian.Uint16(q.L4[4:]), binary.BigEndian.Uint16(q.L4[6:]), true
}

// QuotedUDP returns the ports of the UDP datagram an error message quotes;
// ok is false if it quotes something else.
func (m *Message) QuotedUDP() (src, dst uint16, ok bool) {
	q := &m.Quote
	if !m.IsError() || !q.Valid || q.Proto != ProtoUDP {
		return 0, 0, false
	}
	return binary.BigEndian.Uint16(q.L4[0:]), binary.BigEndian.Uint16(q.L4[2:]), true
}

// DecodeIPv4 decodes b, an IPv4 datagram as an IPv4 raw socket returns it
// (raw(7): the IP header is included on receive), into m.
func DecodeIPv4(b []byte, m *Message) error {
	*m = Message{HopLimit: -1}
	ip, err := wire.ParseIPv4(b)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if ip.Protocol() != ProtoICMP {
		return fmt.Errorf("%w: IP protocol %d", ErrMalformed, ip.Protocol())
	}
	icmp, err := wire.ParseICMPv4(ip.Payload())
	if err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	m.From = ip.Src()
	m.HopLimit = int(ip.TTL())
	m.fill(icmp)
	// RFC 792: a correct checksum sums to all ones.
	m.ChecksumOK = icmp.ChecksumValid()
	if m.IsError() {
		m.Quote = quote4(m.Body)
	}
	return nil
}

// DecodeICMPv6 decodes b, an ICMPv6 message as an ICMPv6 raw socket returns
// it (RFC 3542 §3: without the IPv6 header), received from from with hop
// limit hops (-1 if unknown), into m.
func DecodeICMPv6(b []byte, from netip.Addr, hops int, m *Message) error {
	*m = Message{V6: true, HopLimit: hops, From: from, ChecksumOK: true}
	if _, err := wire.ParseICMPv6(b); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	m.fill(b)
	if m.IsError() {
		m.Quote = quote6(m.Body)
	}
	return nil
}

func (m *Message) fill(icmp []byte) {
	m.Type, m.Code = icmp[0], icmp[1]
	m.Len = len(icmp)
	m.Word = binary.BigEndian.Uint32(icmp[4:])
	m.Body = icmp[HeaderLen:]
}

// ipv4Header checks the IPv4 header at the start of b and returns its
// length and the datagram length (RFC 791 §3.1: IHL in 32-bit words, Total
// Length in octets), the latter clipped to len(b).
func ipv4Header(b []byte) (hl, total int, err error) {
	if len(b) < 20 || b[0]>>4 != 4 {
		return 0, 0, fmt.Errorf("%w: not an IPv4 header", ErrMalformed)
	}
	hl = int(b[0]&0xf) * 4
	if hl < 20 || hl > len(b) {
		return 0, 0, fmt.Errorf("%w: IHL %d", ErrMalformed, hl)
	}
	total = int(binary.BigEndian.Uint16(b[2:]))
	if total > len(b) || total < hl {
		// Quoted datagrams are cut short by design; a received one may
		// carry a Total Length the kernel already checked.
		total = len(b)
	}
	return hl, total, nil
}

// quote4 decodes the quoted IPv4 header and at least 8 bytes after it.
func quote4(b []byte) Quote {
	hl, _, err := ipv4Header(b)
	if err != nil || len(b) < hl+8 {
		return Quote{}
	}
	return Quote{
		Valid: true, Proto: b[9],
		Src: netip.AddrFrom4([4]byte(b[12:16])), Dst: netip.AddrFrom4([4]byte(b[16:20])),
		L4: b[hl:],
	}
}

// quote6 decodes the quoted IPv6 header (RFC 8200 §3) and at least 8 bytes
// after it. Extension headers are not walked: probes carry none.
func quote6(b []byte) Quote {
	if len(b) < 48 || b[0]>>4 != 6 {
		return Quote{}
	}
	return Quote{
		Valid: true, Proto: b[6],
		Src: netip.AddrFrom16([16]byte(b[8:24])), Dst: netip.AddrFrom16([16]byte(b[24:40])),
		L4: b[40:],
	}
}
