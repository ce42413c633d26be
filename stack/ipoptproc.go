package stack

import (
	"encoding/binary"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/wire"
)

// maxIPOptions is the most option bytes an IPv4 header holds (RFC 791
// §3.1: IHL is at most 15 words).
const maxIPOptions = 40

// optionsResult says what processing a datagram's options decided.
type optionsResult uint8

const (
	optionsOK optionsResult = iota
	optionsSourceRouted
	optionsBad
)

// processOptions4 applies RFC 791 §3.1's per-hop processing to the options
// of ip, in place: Record Route and Internet Timestamp get this host's
// entry (addr: the address of the interface receiving it for local
// delivery, of the outgoing one when forwarding). Source-routed datagrams
// are refused, as Linux does by default (net.ipv4.conf.*.accept_source_route
// = 0). It returns the offset of a malformed option for Parameter Problem.
func processOptions4(ip wire.IPv4, addr netip.Addr, now time.Time) (optionsResult, int) {
	opts := ip.Options()
	if len(opts) == 0 {
		return optionsOK, 0
	}
	it := opts.Iter()
	changed := false
	for {
		o, ok := it.Next()
		if !ok {
			break
		}
		b := opts[o.Offset : o.Offset+o.Len()]
		switch o.Type {
		case wire.IPv4OptLSRR, wire.IPv4OptSSRR:
			return optionsSourceRouted, 0
		case wire.IPv4OptRecordRoute:
			changed = recordRoute(b, addr) || changed
		case wire.IPv4OptTimestamp:
			changed = stampOption(b, addr, now) || changed
		}
	}
	if it.Err() != nil {
		return optionsBad, wire.IPv4MinHeaderLen + it.ErrOffset()
	}
	if changed {
		ip[10], ip[11] = 0, 0
		binary.BigEndian.PutUint16(ip[10:], wire.Checksum(ip[:ip.HeaderLen()], 0))
	}
	return optionsOK, 0
}

// recordRoute writes addr into the next free slot of a Record Route option
// b (type, length, pointer, slots) and advances the pointer (RFC 791 §3.1:
// "If the route data area is already full ... the datagram is forwarded
// without inserting the address").
func recordRoute(b []byte, addr netip.Addr) bool {
	ptr := int(b[2])
	if ptr < 4 || ptr+3 > len(b) || !addr.Is4() {
		return false
	}
	a := addr.As4()
	copy(b[ptr-1:ptr+3], a[:])
	b[2] += 4
	return true
}

// stampOption fills the next entry of an Internet Timestamp option b: the
// time in milliseconds since midnight UT, with the address first for flag 1,
// and only when the prespecified address is ours for flag 3; when full, the
// overflow count (the high nibble of octet 4) goes up (RFC 791 §3.1).
func stampOption(b []byte, addr netip.Addr, now time.Time) bool {
	ptr, flag := int(b[2]), b[3]&0x0f
	size := 4
	if flag != 0 {
		size = 8
	}
	if ptr+size-1 > len(b) {
		if ov := b[3] >> 4; ov < 15 {
			b[3] = (ov+1)<<4 | flag
			return true
		}
		return false
	}
	a := addr.As4()
	slot := b[ptr-1 : ptr-1+size]
	if flag == 3 && [4]byte(slot[:4]) != a {
		return false // prespecified for another hop
	}
	if flag != 0 {
		copy(slot[:4], a[:])
	}
	binary.BigEndian.PutUint32(slot[size-4:], msSinceMidnight(now))
	b[2] += byte(size)
	return true
}

// msSinceMidnight is RFC 791's standard timestamp: milliseconds since
// midnight Universal Time.
func msSinceMidnight(t time.Time) uint32 {
	t = t.UTC()
	mid := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return uint32(t.Sub(mid) / time.Millisecond)
}

// checkUserOptions validates IP_OPTIONS from setsockopt (ip(7): "at most 40
// bytes"; malformed options are EINVAL) and pads them with End to a multiple
// of four.
func checkUserOptions(b []byte) ([]byte, error) {
	if len(b) > maxIPOptions {
		return nil, unix.EINVAL
	}
	it := wire.IPv4Options(b).Iter()
	for {
		if _, ok := it.Next(); !ok {
			break
		}
	}
	if it.Err() != nil {
		return nil, unix.EINVAL
	}
	out := append([]byte(nil), b...)
	for len(out)%4 != 0 {
		out = append(out, 0)
	}
	return out, nil
}

// sourceRoute applies a source-route option in IP_OPTIONS to a datagram
// for dst, as seed 001 and Linux describe: the route lists "the first-hop
// gateway first"; the datagram goes to that gateway, and the option carries
// the remaining hops followed by the final destination, pointer at 4.
// Options without a source route come back unchanged.
func sourceRoute(opts []byte, dst netip.Addr) ([]byte, netip.Addr) {
	it := wire.IPv4Options(opts).Iter()
	for {
		o, ok := it.Next()
		if !ok {
			return opts, dst
		}
		if (o.Type != wire.IPv4OptLSRR && o.Type != wire.IPv4OptSSRR) || o.NumAddrs() < 1 {
			continue
		}
		out := append([]byte(nil), opts...)
		b := out[o.Offset : o.Offset+o.Len()]
		first := netip.AddrFrom4([4]byte(b[3:7]))
		copy(b[3:], b[7:])
		d := dst.As4()
		copy(b[len(b)-4:], d[:])
		b[2] = 4
		return out, first
	}
}

// echoOptions returns the options of a reply that echoes a request's
// (Linux's ip_options_echo): record route and timestamp are copied, and the
// replying host adds its own entry again as the sender, so ping -R shows
// the destination twice. Other options are not echoed.
func echoOptions(req wire.IPv4Options, src netip.Addr) []byte {
	if len(req) == 0 {
		return nil
	}
	var out []byte
	it := req.Iter()
	now := time.Now()
	for {
		o, ok := it.Next()
		if !ok {
			break
		}
		if o.Type != wire.IPv4OptRecordRoute && o.Type != wire.IPv4OptTimestamp {
			continue
		}
		start := len(out)
		out = append(out, req[o.Offset:o.Offset+o.Len()]...)
		if o.Type == wire.IPv4OptRecordRoute {
			recordRoute(out[start:], src)
		} else {
			stampOption(out[start:], src, now)
		}
	}
	for len(out)%4 != 0 {
		out = append(out, 0)
	}
	return out
}
