package link

import (
	"encoding/binary"
	"io"
	"sync"
	"time"
)

// Link types for pcapng Interface Description Blocks (the tcpdump.org
// LINKTYPE_ registry).
const (
	// LinkTypeEthernet is LINKTYPE_ETHERNET: Ethernet II frames.
	LinkTypeEthernet uint16 = 1
	// LinkTypeRaw is LINKTYPE_RAW: bare IPv4 or IPv6 packets.
	LinkTypeRaw uint16 = 101
)

// LinkTypeOf returns the pcapng link type for frames of kind k.
func LinkTypeOf(k Kind) uint16 {
	if k == KindEthernet {
		return LinkTypeEthernet
	}
	return LinkTypeRaw
}

// Direction says which way a captured frame travelled.
type Direction uint8

// Capture directions, with the values of the pcapng epb_flags
// direction bits.
const (
	DirUnknown  Direction = 0
	DirInbound  Direction = 1
	DirOutbound Direction = 2
)

// pcapng block types and option codes, draft-ietf-opsawg-pcapng.
const (
	blockSHB       = 0x0A0D0D0A // draft-ietf-opsawg-pcapng §4.1: Section Header Block
	blockIDB       = 0x00000001 // §4.2: Interface Description Block
	blockEPB       = 0x00000006 // §4.3: Enhanced Packet Block
	byteOrderMagic = 0x1A2B3C4D
	optEndOfOpt    = 0
	optShbUserAppl = 4
	optIfName      = 2
	optIfTsresol   = 9
	optEpbFlags    = 2
)

// PcapngOptions configures a PcapngWriter.
type PcapngOptions struct {
	// SnapLen truncates captured frames; zero means 262144.
	SnapLen int
	// Microseconds selects microsecond timestamps (the pcapng default
	// resolution) instead of nanoseconds.
	Microseconds bool
	// InterfaceName is recorded as the interface's if_name option.
	InterfaceName string
}

// PcapngWriter writes one pcapng section with one interface. It is safe
// for concurrent use and does not allocate per packet: each block is
// assembled in a reused buffer and handed to the io.Writer in one Write.
type PcapngWriter struct {
	mu      sync.Mutex
	w       io.Writer
	buf     []byte
	snapLen int
	micros  bool
	err     error
}

// NewPcapngWriter writes the Section Header Block and the Interface
// Description Block for linkType to w.
func NewPcapngWriter(w io.Writer, linkType uint16, opts PcapngOptions) (*PcapngWriter, error) {
	if opts.SnapLen <= 0 {
		opts.SnapLen = 262144
	}
	p := &PcapngWriter{w: w, snapLen: opts.SnapLen, micros: opts.Microseconds, buf: make([]byte, 0, 2048)}
	// draft-ietf-opsawg-pcapng §4.1: block type, total length, byte-order
	// magic, major 1, minor 0, section length -1 (unspecified), options.
	b := p.begin(blockSHB)
	b = binary.LittleEndian.AppendUint32(b, byteOrderMagic)
	b = binary.LittleEndian.AppendUint16(b, 1)
	b = binary.LittleEndian.AppendUint16(b, 0)
	b = binary.LittleEndian.AppendUint64(b, ^uint64(0))
	b = appendOption(b, optShbUserAppl, []byte("sockstack"))
	b = appendOption(b, optEndOfOpt, nil)
	if err := p.finish(b); err != nil {
		return nil, err
	}
	// §4.2: link type, reserved, snap length, options.
	b = p.begin(blockIDB)
	b = binary.LittleEndian.AppendUint16(b, linkType)
	b = binary.LittleEndian.AppendUint16(b, 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(opts.SnapLen))
	if opts.InterfaceName != "" {
		b = appendOption(b, optIfName, []byte(opts.InterfaceName))
	}
	// §4.2 if_tsresol: the most significant bit clear means a power of
	// 10; 9 is nanoseconds, 6 (the default) microseconds.
	res := byte(9)
	if opts.Microseconds {
		res = 6
	}
	b = appendOption(b, optIfTsresol, []byte{res})
	b = appendOption(b, optEndOfOpt, nil)
	if err := p.finish(b); err != nil {
		return nil, err
	}
	return p, nil
}

// begin starts a block in the reuse buffer: type and a length placeholder.
func (p *PcapngWriter) begin(typ uint32) []byte {
	b := binary.LittleEndian.AppendUint32(p.buf[:0], typ)
	return binary.LittleEndian.AppendUint32(b, 0)
}

// finish patches the total length at both ends of the block and writes it.
func (p *PcapngWriter) finish(b []byte) error {
	// §3.1: Block Total Length appears at the start and at the end of
	// every block and counts the whole block, a multiple of 4.
	n := uint32(len(b) + 4)
	binary.LittleEndian.PutUint32(b[4:], n)
	b = binary.LittleEndian.AppendUint32(b, n)
	p.buf = b[:0]
	_, err := p.w.Write(b)
	return err
}

// appendOption appends one option: code, length, value padded to 32 bits
// (§3.5).
func appendOption(b []byte, code uint16, val []byte) []byte {
	b = binary.LittleEndian.AppendUint16(b, code)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(val)))
	b = append(b, val...)
	return appendPad(b, len(val))
}

func appendPad(b []byte, n int) []byte {
	for ; n%4 != 0; n++ {
		b = append(b, 0)
	}
	return b
}

// WritePacket appends one Enhanced Packet Block. After the first write
// error every call returns that error and writes nothing.
func (p *PcapngWriter) WritePacket(ts time.Time, frame []byte, dir Direction) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return p.err
	}
	captured := frame[:min(len(frame), p.snapLen)]
	var t uint64
	if p.micros {
		t = uint64(ts.UnixMicro())
	} else {
		t = uint64(ts.UnixNano())
	}
	// §4.3: interface id, timestamp (upper, lower 32 bits), captured
	// length, original length, data padded to 32 bits, options.
	b := p.begin(blockEPB)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(t>>32))
	b = binary.LittleEndian.AppendUint32(b, uint32(t))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(captured)))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(frame)))
	b = append(b, captured...)
	b = appendPad(b, len(captured))
	if dir != DirUnknown {
		// §4.3.1 epb_flags: bits 0-1 are the direction, 01 inbound,
		// 10 outbound.
		b = binary.LittleEndian.AppendUint16(b, optEpbFlags)
		b = binary.LittleEndian.AppendUint16(b, 4)
		b = binary.LittleEndian.AppendUint32(b, uint32(dir))
		b = appendOption(b, optEndOfOpt, nil)
	}
	p.err = p.finish(b)
	return p.err
}

// Err returns the first write error, if any.
func (p *PcapngWriter) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}
