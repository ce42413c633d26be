package tcp

import (
	"fmt"

	"sockstack/seqnum"
	"sockstack/wire"
)

// Segment is a TCP segment to send, as Output, Listener.Input and RSTFor
// return it. The shell encodes it with Encode (or its own builder), fills in
// the checksum with wire.TCP.SetChecksum and hands it to IP.
type Segment struct {
	SrcPort, DstPort uint16
	Seq, Ack         seqnum.Value
	Flags            wire.TCPFlags
	Window           uint16 // already scaled down (RFC 7323 §2.3)
	Urgent           uint16 // the urgent pointer, meaningful with URG (RFC 9293 §3.1)
	Options          wire.TCPOptions
	// Payload aliases the connection's send buffer or a scratch buffer: it
	// is valid only until the next call on the Conn that emitted it.
	Payload []byte
}

// Len returns the segment's sequence-space length (RFC 9293 §3.4): its
// data plus one for SYN and one for FIN.
func (s *Segment) Len() seqnum.Size {
	n := seqnum.Size(len(s.Payload))
	if s.Flags.Has(wire.TCPFlagSYN) {
		n++
	}
	if s.Flags.Has(wire.TCPFlagFIN) {
		n++
	}
	return n
}

// HeaderLen returns the encoded header length, options included.
func (s *Segment) HeaderLen() int { return wire.TCPMinHeaderLen + s.Options.Len() }

// Encode writes the header, options and payload at the start of b, with a
// zero checksum, and returns the bytes written. It does not allocate.
func (s *Segment) Encode(b []byte) (int, error) {
	var optBuf [wire.TCPMaxOptionsLen]byte
	on, err := s.Options.Encode(optBuf[:])
	if err != nil {
		return 0, err
	}
	f := wire.TCPFields{
		SrcPort: s.SrcPort, DstPort: s.DstPort, Seq: uint32(s.Seq), Ack: uint32(s.Ack),
		Flags: s.Flags, Window: s.Window, Urgent: s.Urgent, Options: optBuf[:on],
	}
	hn, err := f.Encode(b)
	if err != nil {
		return 0, err
	}
	if len(b)-hn < len(s.Payload) {
		return 0, fmt.Errorf("tcp: encode %d payload bytes into %d: %w", len(s.Payload), len(b)-hn, wire.ErrTruncated)
	}
	return hn + copy(b[hn:], s.Payload), nil
}

// String formats s like tcpdump: "1000 > 80 [S.] seq 1:1 ack 5 win 100 len 0".
func (s *Segment) String() string {
	str := fmt.Sprintf("%d > %d %v seq %d ack %d win %d len %d", s.SrcPort, s.DstPort,
		s.Flags, uint32(s.Seq), uint32(s.Ack), s.Window, len(s.Payload))
	if s.Flags.Has(wire.TCPFlagURG) {
		str += fmt.Sprintf(" urg %d", s.Urgent)
	}
	return str
}

// segLen returns the sequence-space length of a received segment.
func segLen(seg wire.TCP) seqnum.Size {
	n := seqnum.Size(len(seg.Payload()))
	if seg.Flags().Has(wire.TCPFlagSYN) {
		n++
	}
	if seg.Flags().Has(wire.TCPFlagFIN) {
		n++
	}
	return n
}

// RSTFor returns the reset to send in answer to seg when no connection
// (and no listener) matches it, and false when seg is itself a reset.
func RSTFor(seg wire.TCP) (Segment, bool) {
	f := seg.Flags()
	// RFC 9293 §3.10.7.1: an incoming segment containing a RST is
	// discarded; one not containing a RST causes a RST to be sent.
	if f.Has(wire.TCPFlagRST) {
		return Segment{}, false
	}
	r := Segment{SrcPort: seg.DstPort(), DstPort: seg.SrcPort()}
	if f.Has(wire.TCPFlagACK) {
		// RFC 9293 §3.10.7.1: if the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>.
		r.Seq = seqnum.Value(seg.Ack())
		r.Flags = wire.TCPFlagRST
	} else {
		// RFC 9293 §3.10.7.1: otherwise
		// <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
		r.Ack = seqnum.Value(seg.Seq()).Add(segLen(seg))
		r.Flags = wire.TCPFlagRST | wire.TCPFlagACK
	}
	return r, true
}
