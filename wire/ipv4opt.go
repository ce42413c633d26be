package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// IPv4OptionType is the option-type octet of an IPv4 option: copied flag,
// option class and option number (RFC 791 §3.1 Options).
type IPv4OptionType uint8

// IPv4 option types (RFC 791 §3.1, RFC 1108 §2, RFC 2113 §2.1).
const (
	IPv4OptEnd          IPv4OptionType = 0   // End of Option List
	IPv4OptNOP          IPv4OptionType = 1   // No Operation
	IPv4OptRecordRoute  IPv4OptionType = 7   // Record Route
	IPv4OptTimestamp    IPv4OptionType = 68  // Internet Timestamp
	IPv4OptSecurity     IPv4OptionType = 130 // DoD Basic Security (RFC 1108)
	IPv4OptLSRR         IPv4OptionType = 131 // Loose Source and Record Route
	IPv4OptSSRR         IPv4OptionType = 137 // Strict Source and Record Route
	IPv4OptRouterAlert  IPv4OptionType = 148 // Router Alert (RFC 2113)
	ipv4OptCopiedFlag   IPv4OptionType = 0x80
	ipv4OptRouteMinPtr                 = 4 // RFC 791: smallest legal route pointer
	ipv4OptTSMinPtr                    = 5 // RFC 791: smallest legal timestamp pointer
	ipv4OptRouterAlertL                = 4 // RFC 2113 §2.1: length 4
)

// Copied reports whether the option is copied into every fragment
// (RFC 791 §3.1: the copied flag is the high-order bit).
func (t IPv4OptionType) Copied() bool { return t&ipv4OptCopiedFlag != 0 }

// String names the option type.
func (t IPv4OptionType) String() string {
	switch t {
	case IPv4OptEnd:
		return "EOL"
	case IPv4OptNOP:
		return "NOP"
	case IPv4OptRecordRoute:
		return "RR"
	case IPv4OptTimestamp:
		return "TS"
	case IPv4OptSecurity:
		return "SEC"
	case IPv4OptLSRR:
		return "LSRR"
	case IPv4OptSSRR:
		return "SSRR"
	case IPv4OptRouterAlert:
		return "RA"
	}
	return fmt.Sprintf("IPv4Option(%d)", uint8(t))
}

// IPv4TSFlag is the flag field of a timestamp option (RFC 791 §3.1).
type IPv4TSFlag uint8

// Timestamp option forms (RFC 791 §3.1 Internet Timestamp).
const (
	IPv4TSOnly     IPv4TSFlag = 0 // time stamps only
	IPv4TSAddr     IPv4TSFlag = 1 // each stamp preceded by the stamper's address
	IPv4TSPrespec  IPv4TSFlag = 3 // address fields prespecified by the sender
	ipv4TSFlagMask            = 0x0f
)

// String names the flag.
func (f IPv4TSFlag) String() string {
	switch f {
	case IPv4TSOnly:
		return "tsonly"
	case IPv4TSAddr:
		return "tsandaddr"
	case IPv4TSPrespec:
		return "tsprespec"
	}
	return fmt.Sprintf("IPv4TSFlag(%d)", uint8(f))
}

// IPv4Options holds the raw option bytes of an IPv4 header.
type IPv4Options []byte

// Iter returns an iterator over the options.
func (o IPv4Options) Iter() IPv4OptionIter { return IPv4OptionIter{b: o} }

// IPv4OptionIter walks IPv4 options without allocating (except to build
// the error of a malformed option). Use it as
//
//	it := p.Options().Iter()
//	for o, ok := it.Next(); ok; o, ok = it.Next() { ... }
//	if err := it.Err(); err != nil { ... }
type IPv4OptionIter struct {
	b      []byte
	off    int
	err    error
	errOff int
}

// Next returns the next option and true, or false at the end of the options
// or at a malformed option (see Err). End of Option List is returned once,
// and the padding after it is skipped.
func (it *IPv4OptionIter) Next() (IPv4Option, bool) {
	if it.off >= len(it.b) || it.err != nil {
		return IPv4Option{}, false
	}
	rest := it.b[it.off:]
	t := IPv4OptionType(rest[0])
	o := IPv4Option{Type: t, Offset: it.off}
	switch t {
	case IPv4OptEnd:
		// RFC 791 §3.1: End of Option List marks the end of all options;
		// what follows is padding.
		it.off = len(it.b)
		return o, true
	case IPv4OptNOP:
		it.off++
		return o, true
	}
	// RFC 791 §3.1 case (2): option-type, option-length (counting the type
	// and length octets) and data.
	if len(rest) < 2 {
		return it.fail(o, "missing length octet")
	}
	n := int(rest[1])
	if n < 2 || n > len(rest) {
		return it.fail(o, fmt.Sprintf("length %d with %d bytes left", n, len(rest)))
	}
	o.Data = rest[2:n:n]
	if msg := o.check(); msg != "" {
		return it.fail(o, msg)
	}
	it.off += n
	return o, true
}

func (it *IPv4OptionIter) fail(o IPv4Option, msg string) (IPv4Option, bool) {
	it.err = fmt.Errorf("ipv4: option %v at offset %d: %s: %w", o.Type, o.Offset, msg, ErrBadOption)
	it.errOff = o.Offset
	return IPv4Option{}, false
}

// Err returns the error that stopped the iteration, wrapping ErrBadOption,
// or nil if the options were well formed.
func (it *IPv4OptionIter) Err() error { return it.err }

// ErrOffset returns the offset, within the options, of the malformed option
// Err reports. RFC 1122 §3.2.2.5: a Parameter Problem message's pointer
// would be IPv4MinHeaderLen plus this.
func (it *IPv4OptionIter) ErrOffset() int { return it.errOff }

// IPv4Option is one option: its type, the data after the type and length
// octets (nil for End and NOP), and its offset within the options. The typed
// accessors read the data of the option types they name and return zero
// values for data too short to hold them.
type IPv4Option struct {
	Type   IPv4OptionType
	Data   []byte
	Offset int
}

// check validates the per-type length and pointer rules and returns a
// description of the first violation, or "".
func (o IPv4Option) check() string {
	d := o.Data
	switch o.Type {
	case IPv4OptRecordRoute, IPv4OptLSRR, IPv4OptSSRR:
		// RFC 791 §3.1: route options have a pointer, smallest legal value 4.
		if len(d) < 1 || d[0] < ipv4OptRouteMinPtr {
			return "route pointer missing or below 4"
		}
	case IPv4OptTimestamp:
		// RFC 791 §3.1 Internet Timestamp: pointer (minimum 5), overflow
		// and flag octet; flag 0, 1 or 3.
		if len(d) < 2 || d[0] < ipv4OptTSMinPtr {
			return "timestamp pointer missing or below 5"
		}
		if f := IPv4TSFlag(d[1] & ipv4TSFlagMask); f != IPv4TSOnly && f != IPv4TSAddr && f != IPv4TSPrespec {
			return fmt.Sprintf("timestamp flag %d", f)
		}
	case IPv4OptRouterAlert:
		// RFC 2113 §2.1: Router Alert has length 4.
		if len(d) != ipv4OptRouterAlertL-2 {
			return fmt.Sprintf("router alert length %d", len(d)+2)
		}
	case IPv4OptSecurity:
		// RFC 1108 §2.3: length is at least 3 (the classification level).
		if len(d) < 1 {
			return "security option without classification level"
		}
	}
	return ""
}

// Len returns the encoded length of the option.
func (o IPv4Option) Len() int {
	if o.Type == IPv4OptEnd || o.Type == IPv4OptNOP {
		return 1
	}
	return 2 + len(o.Data)
}

// Pointer returns the pointer octet of a route or timestamp option: the
// 1-based offset, within the option, of the next slot to fill.
func (o IPv4Option) Pointer() uint8 {
	if len(o.Data) < 1 {
		return 0
	}
	return o.Data[0]
}

// NumAddrs returns the number of address slots of a route option.
func (o IPv4Option) NumAddrs() int {
	if len(o.Data) < 1 {
		return 0
	}
	return (len(o.Data) - 1) / 4
}

// Addr returns address slot i of a route option, or the zero Addr.
func (o IPv4Option) Addr(i int) netip.Addr {
	if i < 0 || i >= o.NumAddrs() {
		return netip.Addr{}
	}
	return netip.AddrFrom4([4]byte(o.Data[1+4*i:]))
}

// Overflow returns the 4-bit overflow count of a timestamp option: the
// number of modules that could not register a stamp for lack of space.
func (o IPv4Option) Overflow() uint8 {
	if len(o.Data) < 2 {
		return 0
	}
	return o.Data[1] >> 4
}

// TSFlag returns the flag of a timestamp option.
func (o IPv4Option) TSFlag() IPv4TSFlag {
	if len(o.Data) < 2 {
		return 0
	}
	return IPv4TSFlag(o.Data[1] & ipv4TSFlagMask)
}

func (o IPv4Option) tsEntrySize() int {
	if o.TSFlag() == IPv4TSOnly {
		return 4
	}
	return 8
}

// NumEntries returns the number of entry slots of a timestamp option: 4-byte
// stamps for flag 0, 8-byte address and stamp pairs for flags 1 and 3.
func (o IPv4Option) NumEntries() int {
	if len(o.Data) < 2 {
		return 0
	}
	return (len(o.Data) - 2) / o.tsEntrySize()
}

// Entry returns timestamp slot i: the address (the zero Addr for flag 0) and
// the 32-bit time stamp, milliseconds since midnight UT when its high bit is
// clear (RFC 791 §3.1).
func (o IPv4Option) Entry(i int) IPv4TSEntry {
	if i < 0 || i >= o.NumEntries() {
		return IPv4TSEntry{}
	}
	sz := o.tsEntrySize()
	e := o.Data[2+sz*i : 2+sz*(i+1)]
	if sz == 4 {
		return IPv4TSEntry{Time: binary.BigEndian.Uint32(e)}
	}
	return IPv4TSEntry{Addr: netip.AddrFrom4([4]byte(e)), Time: binary.BigEndian.Uint32(e[4:])}
}

// RouterAlert returns the value of a Router Alert option; RFC 2113 §2.1:
// 0 means "Router shall examine packet".
func (o IPv4Option) RouterAlert() uint16 {
	if len(o.Data) < 2 {
		return 0
	}
	return binary.BigEndian.Uint16(o.Data)
}

// Classification returns the classification level of a Security option
// (RFC 1108 §2.3).
func (o IPv4Option) Classification() uint8 {
	if len(o.Data) < 1 {
		return 0
	}
	return o.Data[0]
}

// Authority returns the protection authority flag octets of a Security
// option (RFC 1108 §2.4).
func (o IPv4Option) Authority() []byte {
	if len(o.Data) < 1 {
		return nil
	}
	return o.Data[1:]
}

// String formats the option with its decoded fields.
func (o IPv4Option) String() string {
	switch o.Type {
	case IPv4OptEnd, IPv4OptNOP:
		return o.Type.String()
	case IPv4OptRecordRoute, IPv4OptLSRR, IPv4OptSSRR:
		s := fmt.Sprintf("%v ptr %d", o.Type, o.Pointer())
		for i := range o.NumAddrs() {
			s += " " + o.Addr(i).String()
		}
		return s
	case IPv4OptTimestamp:
		s := fmt.Sprintf("TS %v ptr %d oflw %d", o.TSFlag(), o.Pointer(), o.Overflow())
		for i := range o.NumEntries() {
			s += " " + o.Entry(i).String()
		}
		return s
	case IPv4OptRouterAlert:
		return fmt.Sprintf("RA %d", o.RouterAlert())
	case IPv4OptSecurity:
		return fmt.Sprintf("SEC level %#02x authority % x", o.Classification(), o.Authority())
	}
	return fmt.Sprintf("%v len %d", o.Type, o.Len())
}

// IPv4TSEntry is one slot of a timestamp option.
type IPv4TSEntry struct {
	Addr netip.Addr // zero for IPv4TSOnly
	Time uint32
}

// String formats the entry as "addr@time" or "time".
func (e IPv4TSEntry) String() string {
	if e.Addr.IsValid() {
		return fmt.Sprintf("%v@%d", e.Addr, e.Time)
	}
	return fmt.Sprint(e.Time)
}
