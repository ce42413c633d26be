package probe

import (
	"encoding/binary"
	"time"

	"sockstack/wire"
)

// ICMP message types used by ping and traceroute.
const (
	// RFC 792: Echo Reply is type 0, Echo is type 8.
	ICMPv4EchoReply   = uint8(wire.ICMPv4EchoReply)
	ICMPv4EchoRequest = uint8(wire.ICMPv4Echo)
	// RFC 792: Destination Unreachable is type 3.
	ICMPv4DestUnreach = uint8(wire.ICMPv4DestUnreachable)
	// RFC 792: Source Quench is type 4.
	ICMPv4SourceQuench = uint8(wire.ICMPv4SourceQuench)
	// RFC 792: Redirect is type 5.
	ICMPv4Redirect = uint8(wire.ICMPv4Redirect)
	// RFC 792: Time Exceeded is type 11.
	ICMPv4TimeExceeded = uint8(wire.ICMPv4TimeExceeded)
	// RFC 792: Parameter Problem is type 12.
	ICMPv4ParamProblem = uint8(wire.ICMPv4ParamProblem)

	// RFC 4443 §4.1, §4.2: Echo Request is 128, Echo Reply is 129.
	ICMPv6EchoRequest = uint8(wire.ICMPv6EchoRequest)
	ICMPv6EchoReply   = uint8(wire.ICMPv6EchoReply)
	// RFC 4443 §3.1: Destination Unreachable is type 1.
	ICMPv6DestUnreach = uint8(wire.ICMPv6DstUnreachable)
	// RFC 4443 §3.2: Packet Too Big is type 2.
	ICMPv6PacketTooBig = uint8(wire.ICMPv6PacketTooBig)
	// RFC 4443 §3.3: Time Exceeded is type 3.
	ICMPv6TimeExceeded = uint8(wire.ICMPv6TimeExceeded)
	// RFC 4443 §3.4: Parameter Problem is type 4.
	ICMPv6ParamProblem = uint8(wire.ICMPv6ParamProblem)
)

// HeaderLen is the length of the ICMP header of an echo message: type, code,
// checksum, identifier, sequence number (RFC 792, RFC 4443 §4.1).
const HeaderLen = 8

// TimestampLen is the size of the struct timeval (two 64-bit words, host
// byte order) that ping puts at the start of the echo data, as iputils does,
// to compute the round-trip time from the reply.
const TimestampLen = 16

// Echo is a reusable echo request: the data pattern is written once and each
// Packet call rewrites only the sequence number, the timestamp and the
// checksum, so sending allocates nothing.
type Echo struct {
	v6  bool
	buf []byte
}

// NewEcho returns an echo request for IPv4 (v6 false) or ICMPv6 with the
// given identifier and dataLen bytes of data. As iputils ping does, data
// byte i holds i (mod 256); the first TimestampLen bytes are overwritten by
// the send time when dataLen is large enough.
func NewEcho(v6 bool, id uint16, dataLen int) *Echo {
	b := make([]byte, HeaderLen+dataLen)
	b[0] = ICMPv4EchoRequest
	if v6 {
		b[0] = ICMPv6EchoRequest
	}
	// RFC 792 / RFC 4443 §4.1: code 0, identifier and sequence number
	// to aid in matching echoes and replies.
	binary.BigEndian.PutUint16(b[4:], id)
	for i := range dataLen {
		b[HeaderLen+i] = byte(i)
	}
	return &Echo{v6: v6, buf: b}
}

// ID returns the echo identifier.
func (e *Echo) ID() uint16 { return binary.BigEndian.Uint16(e.buf[4:]) }

// HasTimestamp reports whether the data is large enough to carry the send
// time.
func (e *Echo) HasTimestamp() bool { return len(e.buf)-HeaderLen >= TimestampLen }

// Packet returns the echo request with sequence number seq, stamped with
// now when the data has room. The slice is reused by the next call.
func (e *Echo) Packet(seq uint16, now time.Time) []byte {
	b := e.buf
	binary.BigEndian.PutUint16(b[6:], seq)
	if e.HasTimestamp() {
		PutTimestamp(b[HeaderLen:], now)
	}
	b[2], b[3] = 0, 0
	if !e.v6 {
		// RFC 792: the checksum is the 16-bit one's complement of the
		// one's complement sum of the ICMP message starting with the
		// ICMP Type, with the checksum field zero.
		binary.BigEndian.PutUint16(b[2:], wire.Checksum(b, 0))
	}
	// RFC 3542 §3.1: for ICMPv6 raw sockets the kernel computes and
	// stores the checksum (it needs the pseudo-header it alone knows).
	return b
}

// PutTimestamp writes t as a struct timeval (seconds, microseconds; two
// 64-bit words in host byte order) into the first TimestampLen bytes of b.
func PutTimestamp(b []byte, t time.Time) {
	binary.NativeEndian.PutUint64(b[0:], uint64(t.Unix()))
	binary.NativeEndian.PutUint64(b[8:], uint64(t.Nanosecond()/1000))
}

// Timestamp reads the struct timeval that PutTimestamp wrote. ok is false
// when b is too short or the microseconds are out of range.
func Timestamp(b []byte) (t time.Time, ok bool) {
	if len(b) < TimestampLen {
		return time.Time{}, false
	}
	sec := int64(binary.NativeEndian.Uint64(b[0:]))
	usec := int64(binary.NativeEndian.Uint64(b[8:]))
	if usec < 0 || usec >= 1e6 {
		return time.Time{}, false
	}
	return time.Unix(sec, usec*1000), true
}
