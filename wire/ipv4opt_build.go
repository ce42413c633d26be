package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// The Append functions add one encoded IPv4 option to b and return the
// extended slice; given a b with enough capacity they allocate nothing.
// IPv4Fields.Encode, or PadIPv4Options, pads the whole to a 4-byte multiple.

// AppendIPv4End appends End of Option List (RFC 791 §3.1: type 0).
func AppendIPv4End(b []byte) []byte { return append(b, byte(IPv4OptEnd)) }

// AppendIPv4NOP appends No Operation (RFC 791 §3.1: type 1), used to align
// the option that follows.
func AppendIPv4NOP(b []byte) []byte { return append(b, byte(IPv4OptNOP)) }

// PadIPv4Options pads b to a multiple of 4 bytes with zero octets: an End of
// Option List followed by zero padding (RFC 791 §3.1).
func PadIPv4Options(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// AppendIPv4Option appends an option of type t with data: type, length
// (2+len(data)) and data. It fails if the option would not fit in an IPv4
// header.
func AppendIPv4Option(b []byte, t IPv4OptionType, data []byte) ([]byte, error) {
	if t == IPv4OptEnd || t == IPv4OptNOP {
		if len(data) != 0 {
			return b, fmt.Errorf("ipv4: option %v takes no data: %w", t, ErrBadOption)
		}
		return append(b, byte(t)), nil
	}
	if 2+len(data) > IPv4MaxOptionsLen {
		return b, fmt.Errorf("ipv4: option %v of %d bytes exceeds %d: %w", t, 2+len(data), IPv4MaxOptionsLen, ErrBadOption)
	}
	b = append(b, byte(t), byte(2+len(data)))
	return append(b, data...), nil
}

// AppendIPv4Route appends a route option, t being IPv4OptRecordRoute,
// IPv4OptLSRR or IPv4OptSSRR (RFC 791 §3.1): pointer ptr and the route data
// addrs. A sender of a source route sets ptr to 4 and lists the hops; see
// AppendIPv4RecordRoute for empty slots.
func AppendIPv4Route(b []byte, t IPv4OptionType, ptr uint8, addrs []netip.Addr) ([]byte, error) {
	if t != IPv4OptRecordRoute && t != IPv4OptLSRR && t != IPv4OptSSRR {
		return b, fmt.Errorf("ipv4: %v is not a route option: %w", t, ErrBadOption)
	}
	n := 3 + 4*len(addrs)
	if n > IPv4MaxOptionsLen {
		return b, fmt.Errorf("ipv4: %v with %d addresses exceeds %d bytes: %w", t, len(addrs), IPv4MaxOptionsLen, ErrBadOption)
	}
	if ptr < ipv4OptRouteMinPtr {
		return b, fmt.Errorf("ipv4: %v pointer %d below 4: %w", t, ptr, ErrBadOption)
	}
	b = append(b, byte(t), byte(n), ptr)
	for _, a := range addrs {
		if !a.Is4() && a.IsValid() {
			return b, fmt.Errorf("ipv4: %v address %v is not IPv4: %w", t, a, ErrBadOption)
		}
		a4 := a.As4()
		if !a.IsValid() {
			a4 = [4]byte{}
		}
		b = append(b, a4[:]...)
	}
	return b, nil
}

// AppendIPv4RecordRoute appends a Record Route option holding recorded
// addresses and free empty slots; the pointer names the first free slot
// (RFC 791 §3.1: 4 when the route is empty, beyond the option when full).
func AppendIPv4RecordRoute(b []byte, recorded []netip.Addr, free int) ([]byte, error) {
	if free < 0 || 3+4*(len(recorded)+free) > IPv4MaxOptionsLen {
		return b, fmt.Errorf("ipv4: RR with %d+%d slots: %w", len(recorded), free, ErrBadOption)
	}
	b, err := AppendIPv4Route(b, IPv4OptRecordRoute, uint8(4+4*len(recorded)), recorded)
	if err != nil {
		return b, err
	}
	b[len(b)-4*len(recorded)-2] += byte(4 * free) // option length
	for range 4 * free {
		b = append(b, 0)
	}
	return b, nil
}

// AppendIPv4Timestamp appends an Internet Timestamp option (RFC 791 §3.1)
// of form flag with overflow count oflw, the given entries and free further
// zero slots. The pointer names entry filled (0-based), so for
// IPv4TSPrespec the entries carry the prespecified addresses and filled
// counts those already stamped. Entry addresses are ignored for IPv4TSOnly.
func AppendIPv4Timestamp(b []byte, flag IPv4TSFlag, oflw uint8, entries []IPv4TSEntry, filled, free int) ([]byte, error) {
	if flag != IPv4TSOnly && flag != IPv4TSAddr && flag != IPv4TSPrespec {
		return b, fmt.Errorf("ipv4: timestamp flag %d: %w", flag, ErrBadOption)
	}
	sz := 8
	if flag == IPv4TSOnly {
		sz = 4
	}
	slots := len(entries) + free
	n := 4 + sz*slots
	if free < 0 || filled < 0 || filled > slots || oflw > 15 || n > IPv4MaxOptionsLen {
		return b, fmt.Errorf("ipv4: timestamp with %d slots, %d filled, overflow %d: %w", slots, filled, oflw, ErrBadOption)
	}
	b = append(b, byte(IPv4OptTimestamp), byte(n), byte(5+sz*filled), oflw<<4|byte(flag))
	for _, e := range entries {
		if sz == 8 {
			if !e.Addr.Is4() && e.Addr.IsValid() {
				return b, fmt.Errorf("ipv4: timestamp address %v is not IPv4: %w", e.Addr, ErrBadOption)
			}
			a := [4]byte{}
			if e.Addr.IsValid() {
				a = e.Addr.As4()
			}
			b = append(b, a[:]...)
		}
		b = binary.BigEndian.AppendUint32(b, e.Time)
	}
	for range sz * free {
		b = append(b, 0)
	}
	return b, nil
}

// AppendIPv4RouterAlert appends a Router Alert option with value
// (RFC 2113 §2.1: type 148, length 4; value 0 asks every router to examine
// the packet).
func AppendIPv4RouterAlert(b []byte, value uint16) []byte {
	return binary.BigEndian.AppendUint16(append(b, byte(IPv4OptRouterAlert), ipv4OptRouterAlertL), value)
}

// AppendIPv4Security appends a Basic Security option (RFC 1108 §2):
// classification level and protection authority flag octets.
func AppendIPv4Security(b []byte, level uint8, authority []byte) ([]byte, error) {
	if 3+len(authority) > IPv4MaxOptionsLen {
		return b, fmt.Errorf("ipv4: security option of %d bytes: %w", 3+len(authority), ErrBadOption)
	}
	b = append(b, byte(IPv4OptSecurity), byte(3+len(authority)), level)
	return append(b, authority...), nil
}
