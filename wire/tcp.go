package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// TCPMinHeaderLen is the length of a TCP header without options
// (RFC 9293 §3.1: data offset 5).
const TCPMinHeaderLen = 20

// TCPMaxHeaderLen is the length of a TCP header with the most options a
// 4-bit data offset can describe (RFC 9293 §3.1: 15 words).
const TCPMaxHeaderLen = 60

// TCPMaxOptionsLen is the most option bytes a TCP header can hold.
const TCPMaxOptionsLen = TCPMaxHeaderLen - TCPMinHeaderLen

// TCPProtocolNumber is the IP protocol (IPv4) or next header (IPv6) number
// of TCP (RFC 9293 §3.1).
const TCPProtocolNumber = 6

// TCPFlags holds the eight TCP control bits (RFC 9293 §3.1), CWR in the high
// bit and FIN in the low bit, as they appear in the header's 14th octet.
type TCPFlags uint8

// The TCP control bits (RFC 9293 §3.1; CWR and ECE from RFC 3168 §6.1).
const (
	TCPFlagFIN TCPFlags = 1 << iota // no more data from sender
	TCPFlagSYN                      // synchronize sequence numbers
	TCPFlagRST                      // reset the connection
	TCPFlagPSH                      // push function
	TCPFlagACK                      // acknowledgment field is significant
	TCPFlagURG                      // urgent pointer field is significant
	TCPFlagECE                      // ECN-Echo (RFC 3168 §6.1)
	TCPFlagCWR                      // congestion window reduced (RFC 3168 §6.1)
)

// tcpFlagLetters lists the flags in the order and with the letters tcpdump
// prints them: ACK is ".", CWR is "W".
var tcpFlagLetters = [8]struct {
	f TCPFlags
	c byte
}{
	{TCPFlagFIN, 'F'}, {TCPFlagSYN, 'S'}, {TCPFlagRST, 'R'}, {TCPFlagPSH, 'P'},
	{TCPFlagACK, '.'}, {TCPFlagURG, 'U'}, {TCPFlagECE, 'E'}, {TCPFlagCWR, 'W'},
}

// Has reports whether all the bits of g are set in f.
func (f TCPFlags) Has(g TCPFlags) bool { return f&g == g }

// String formats f the way tcpdump does: "[S.]" for SYN+ACK, "[none]" for no
// flags.
func (f TCPFlags) String() string {
	if f == 0 {
		return "[none]"
	}
	var buf [10]byte
	buf[0] = '['
	n := 1
	for _, l := range tcpFlagLetters {
		if f&l.f != 0 {
			buf[n] = l.c
			n++
		}
	}
	buf[n] = ']'
	return string(buf[:n+1])
}

// TCP is a checked view of a TCP segment, header and payload (RFC 9293 §3.1).
// It is made only by ParseTCP, after which its accessors never panic; the
// options are checked when iterated (see TCPOptionIter). The zero TCP is not
// a view of anything and must not be used.
type TCP struct {
	b []byte
}

// ParseTCP validates b as a TCP segment and returns a view over it. b is the
// whole IP payload: everything after the header is the segment's data.
// Nothing is copied or allocated.
func ParseTCP(b []byte) (TCP, error) {
	if len(b) < TCPMinHeaderLen {
		return TCP{}, fmt.Errorf("tcp: %d bytes < header %d: %w", len(b), TCPMinHeaderLen, ErrTruncated)
	}
	// RFC 9293 §3.1: Data Offset is the number of 32-bit words in the TCP
	// header; the header is always an integer multiple of 32 bits long and
	// at least 5 words.
	off := int(b[12] >> 4)
	if off < 5 {
		return TCP{}, fmt.Errorf("tcp: data offset %d < 5: %w", off, ErrBadHeaderLength)
	}
	if off*4 > len(b) {
		return TCP{}, fmt.Errorf("tcp: header length %d > %d bytes: %w", off*4, len(b), ErrTruncated)
	}
	return TCP{b: b}, nil
}

// SrcPort returns the source port.
func (t TCP) SrcPort() uint16 { return binary.BigEndian.Uint16(t.b[0:]) }

// DstPort returns the destination port.
func (t TCP) DstPort() uint16 { return binary.BigEndian.Uint16(t.b[2:]) }

// Seq returns the sequence number.
func (t TCP) Seq() uint32 { return binary.BigEndian.Uint32(t.b[4:]) }

// Ack returns the acknowledgment number, significant only with ACK set.
func (t TCP) Ack() uint32 { return binary.BigEndian.Uint32(t.b[8:]) }

// DataOffset returns the Data Offset field: the header length in 32-bit
// words, 5 to 15.
func (t TCP) DataOffset() uint8 { return t.b[12] >> 4 }

// HeaderLen returns the header length in bytes, options included.
func (t TCP) HeaderLen() int { return int(t.b[12]>>4) * 4 }

// Reserved returns the four reserved bits between Data Offset and the
// control bits (RFC 9293 §3.1: zero when sent, ignored when received).
func (t TCP) Reserved() uint8 { return t.b[12] & 0x0f }

// Flags returns the control bits.
func (t TCP) Flags() TCPFlags { return TCPFlags(t.b[13]) }

// Window returns the Window field, not scaled.
func (t TCP) Window() uint16 { return binary.BigEndian.Uint16(t.b[14:]) }

// Checksum returns the Checksum field as transmitted.
func (t TCP) Checksum() uint16 { return binary.BigEndian.Uint16(t.b[16:]) }

// Urgent returns the Urgent Pointer field.
func (t TCP) Urgent() uint16 { return binary.BigEndian.Uint16(t.b[18:]) }

// Options returns the raw option bytes, padding included, aliasing the
// parsed buffer. Iterate them with OptionIter.
func (t TCP) Options() []byte {
	hl := t.HeaderLen()
	return t.b[TCPMinHeaderLen:hl:hl]
}

// OptionIter returns an iterator over the options of t.
func (t TCP) OptionIter() TCPOptionIter { return IterTCPOptions(t.Options()) }

// Payload returns the segment data after the header, aliasing the parsed
// buffer.
func (t TCP) Payload() []byte { return t.b[t.HeaderLen():] }

// Bytes returns the whole segment, header and payload.
func (t TCP) Bytes() []byte { return t.b }

// Fields returns the header fields of t; Options aliases the parsed buffer.
func (t TCP) Fields() TCPFields {
	return TCPFields{
		SrcPort: t.SrcPort(), DstPort: t.DstPort(), Seq: t.Seq(), Ack: t.Ack(),
		Reserved: t.Reserved(), Flags: t.Flags(), Window: t.Window(),
		Checksum: t.Checksum(), Urgent: t.Urgent(), Options: t.Options(),
	}
}

// VerifyChecksum reports whether the checksum of t is correct for a segment
// from src to dst, which must both be IPv4 or both IPv6.
func (t TCP) VerifyChecksum(src, dst netip.Addr) bool {
	// RFC 9293 §3.1: the checksum covers the pseudo-header, the TCP header
	// and the data; summing a correct segment gives all ones.
	sum := PseudoSum(src, dst, TCPProtocolNumber, len(t.b))
	return Fold(Sum(t.b, sum)) == 0xffff
}

// SetChecksum computes the checksum of t for a segment from src to dst and
// writes it into t's Checksum field, modifying the parsed buffer.
func (t TCP) SetChecksum(src, dst netip.Addr) {
	// RFC 9293 §3.1: while computing the checksum, the checksum field
	// itself is replaced with zeros.
	t.b[16], t.b[17] = 0, 0
	c := Checksum(t.b, PseudoSum(src, dst, TCPProtocolNumber, len(t.b)))
	binary.BigEndian.PutUint16(t.b[16:], c)
}

// TCPFields holds the header fields of a TCP segment for Encode.
type TCPFields struct {
	SrcPort  uint16   // source port
	DstPort  uint16   // destination port
	Seq      uint32   // sequence number
	Ack      uint32   // acknowledgment number
	Reserved uint8    // reserved bits; only the low four are sent
	Flags    TCPFlags // control bits
	Window   uint16   // window, already scaled down
	Checksum uint16   // written as is; see TCP.SetChecksum
	Urgent   uint16   // urgent pointer

	// Options are the encoded options, padded to a multiple of four bytes
	// and at most TCPMaxOptionsLen long (TCPOptions.Encode makes them).
	// They may alias the bytes Encode writes them to.
	Options []byte
}

// Len returns the encoded length of the header, options included.
func (f *TCPFields) Len() int { return TCPMinHeaderLen + len(f.Options) }

// Encode writes the TCP header, options included, at the start of b and
// returns the number of bytes written.
func (f *TCPFields) Encode(b []byte) (int, error) {
	// RFC 9293 §3.1: the header, options included, is an integer number
	// of 32-bit words, at most 15.
	if len(f.Options)%4 != 0 || len(f.Options) > TCPMaxOptionsLen {
		return 0, fmt.Errorf("tcp: %d option bytes not a multiple of 4 up to %d: %w",
			len(f.Options), TCPMaxOptionsLen, ErrBadOption)
	}
	n := f.Len()
	if len(b) < n {
		return 0, fmt.Errorf("tcp: encode %d bytes into %d: %w", n, len(b), ErrTruncated)
	}
	binary.BigEndian.PutUint16(b[0:], f.SrcPort)
	binary.BigEndian.PutUint16(b[2:], f.DstPort)
	binary.BigEndian.PutUint32(b[4:], f.Seq)
	binary.BigEndian.PutUint32(b[8:], f.Ack)
	b[12] = byte(n/4)<<4 | f.Reserved&0x0f
	b[13] = byte(f.Flags)
	binary.BigEndian.PutUint16(b[14:], f.Window)
	binary.BigEndian.PutUint16(b[16:], f.Checksum)
	binary.BigEndian.PutUint16(b[18:], f.Urgent)
	copy(b[TCPMinHeaderLen:n], f.Options)
	return n, nil
}
