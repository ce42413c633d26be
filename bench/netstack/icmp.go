package netstack

import "encoding/binary"

// ICMPv4 echo message layout (RFC 792, "Echo or Echo Reply Message").
const (
	icmpEchoRequest = 8
	icmpEchoReply   = 0
	icmpHeaderLen   = 8
	echoIdent       = 0x5353
)

// buildEcho fills m (at least icmpHeaderLen bytes) with an echo request of
// sequence number seq, leaving the data after the header as it is.
func buildEcho(m []byte, seq uint16) {
	// RFC 792: type 8, code 0, checksum, identifier, sequence number.
	m[0], m[1] = icmpEchoRequest, 0
	m[2], m[3] = 0, 0
	binary.BigEndian.PutUint16(m[4:], echoIdent)
	binary.BigEndian.PutUint16(m[6:], seq)
	binary.BigEndian.PutUint16(m[2:], checksum(m))
}

// checksum is the Internet checksum of b. RFC 792: "The checksum is the
// 16-bit ones's complement of the one's complement sum of the ICMP message
// starting with the ICMP Type"; RFC 1071 §4.1 gives the fold.
func checksum(b []byte) uint16 {
	var sum uint32
	for len(b) >= 2 {
		sum += uint32(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}

// isEchoReply reports whether pkt (an IPv4 datagram as a raw socket
// returns it) is the echo reply to our request seq.
func isEchoReply(pkt []byte, seq uint16) bool {
	if len(pkt) < 20 || pkt[0]>>4 != 4 {
		return false
	}
	ihl := int(pkt[0]&0x0f) * 4
	m := pkt[min(ihl, len(pkt)):]
	if ihl < 20 || len(m) < icmpHeaderLen {
		return false
	}
	return m[0] == icmpEchoReply && binary.BigEndian.Uint16(m[4:]) == echoIdent &&
		binary.BigEndian.Uint16(m[6:]) == seq
}
