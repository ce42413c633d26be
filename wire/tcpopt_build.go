package wire

import (
	"encoding/binary"
	"fmt"
)

// TCPOptions holds the options sockstack sends and acts on, decoded by
// ParseTCPOptions or filled in for Encode. Options of other kinds are not
// represented; iterate with TCPOptionIter to see them.
type TCPOptions struct {
	HasMSS bool   // a Maximum Segment Size option is present
	MSS    uint16 // RFC 9293 §3.2: the largest segment the sender can receive

	HasWindowScale bool  // a Window Scale option is present
	WindowScale    uint8 // RFC 7323 §2.2: shift count, as sent (see TCPMaxWindowScale)

	HasTimestamps bool   // a Timestamps option is present
	TSVal         uint32 // RFC 7323 §3.2: the sender's timestamp clock
	TSEcr         uint32 // RFC 7323 §3.2: the TSval echoed back

	SACKPermitted bool // RFC 2018 §2: SACK may be used on this connection

	NumSACKBlocks int                            // 0 to TCPMaxSACKBlocks
	SACKBlocks    [TCPMaxSACKBlocks]TCPSACKBlock // RFC 2018 §3: the first NumSACKBlocks are used
}

// ParseTCPOptions decodes the options in raw (the TCP header's option bytes)
// into a TCPOptions. If an option appears twice the last one wins. On a
// malformed option it returns the options decoded before it and an error
// wrapping ErrBadOption.
func ParseTCPOptions(raw []byte) (TCPOptions, error) {
	var o TCPOptions
	it := IterTCPOptions(raw)
	for it.Next() {
		opt := it.Option()
		switch opt.Kind {
		case TCPOptMSS:
			o.MSS, o.HasMSS = opt.MSS()
		case TCPOptWindowScale:
			o.WindowScale, o.HasWindowScale = opt.WindowScale()
		case TCPOptTimestamps:
			o.TSVal, o.TSEcr, o.HasTimestamps = opt.Timestamps()
		case TCPOptSACKPermitted:
			o.SACKPermitted = opt.SACKPermitted()
		case TCPOptSACK:
			blocks, _ := opt.SACKBlocks()
			o.NumSACKBlocks = blocks.Len()
			for i := range o.NumSACKBlocks {
				o.SACKBlocks[i] = blocks.At(i)
			}
		}
	}
	return o, it.Err()
}

// Len returns the encoded length of o, a multiple of 4. It may exceed
// TCPMaxOptionsLen, in which case Encode fails.
func (o *TCPOptions) Len() int {
	n := 0
	if o.HasMSS {
		n += 4 // MSS
	}
	if o.HasTimestamps {
		n += 12 // NOP NOP TS, or SACK-permitted TS
	} else if o.SACKPermitted {
		n += 4 // NOP NOP SACK-permitted
	}
	if o.HasWindowScale {
		n += 4 // NOP WS
	}
	if k := o.NumSACKBlocks; k > 0 {
		n += 4 + 8*min(k, TCPMaxSACKBlocks) // NOP NOP SACK blocks
	}
	return n
}

// Encode writes o at the start of b in the layout Linux uses, every option
// aligned with NOPs so that 32-bit fields fall on 32-bit boundaries
// (RFC 7323 Appendix A): MSS; SACK-permitted and Timestamps together (or
// each after two NOPs); NOP and Window Scale; two NOPs and SACK. A SYN with
// everything is MSS, SACK-permitted, Timestamps, NOP, Window Scale: 20
// bytes. It returns the number of bytes written, a multiple of 4.
func (o *TCPOptions) Encode(b []byte) (int, error) {
	if o.NumSACKBlocks < 0 || o.NumSACKBlocks > TCPMaxSACKBlocks {
		return 0, fmt.Errorf("tcp: %d SACK blocks: %w", o.NumSACKBlocks, ErrBadOption)
	}
	n := o.Len()
	if n > TCPMaxOptionsLen {
		return 0, fmt.Errorf("tcp: %d option bytes > %d: %w", n, TCPMaxOptionsLen, ErrBadOption)
	}
	if len(b) < n {
		return 0, fmt.Errorf("tcp: encode %d option bytes into %d: %w", n, len(b), ErrTruncated)
	}
	p := 0
	if o.HasMSS {
		b[0], b[1] = TCPOptMSS, TCPOptMSSLen
		binary.BigEndian.PutUint16(b[2:], o.MSS)
		p = 4
	}
	if o.HasTimestamps {
		b[p], b[p+1] = TCPOptNOP, TCPOptNOP
		if o.SACKPermitted {
			b[p], b[p+1] = TCPOptSACKPermitted, TCPOptSACKPermittedLen
		}
		b[p+2], b[p+3] = TCPOptTimestamps, TCPOptTimestampsLen
		binary.BigEndian.PutUint32(b[p+4:], o.TSVal)
		binary.BigEndian.PutUint32(b[p+8:], o.TSEcr)
		p += 12
	} else if o.SACKPermitted {
		b[p], b[p+1], b[p+2], b[p+3] = TCPOptNOP, TCPOptNOP, TCPOptSACKPermitted, TCPOptSACKPermittedLen
		p += 4
	}
	if o.HasWindowScale {
		b[p], b[p+1], b[p+2], b[p+3] = TCPOptNOP, TCPOptWindowScale, TCPOptWindowScaleLen, o.WindowScale
		p += 4
	}
	if k := o.NumSACKBlocks; k > 0 {
		b[p], b[p+1], b[p+2], b[p+3] = TCPOptNOP, TCPOptNOP, TCPOptSACK, byte(2+8*k)
		p += 4
		for _, blk := range o.SACKBlocks[:k] {
			binary.BigEndian.PutUint32(b[p:], blk.Left)
			binary.BigEndian.PutUint32(b[p+4:], blk.Right)
			p += 8
		}
	}
	return p, nil
}
