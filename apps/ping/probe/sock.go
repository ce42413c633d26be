package probe

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/sock"
)

// Socket options of raw(7) and icmp6(7) that x/sys/unix does not name.
const (
	// raw(7): ICMP_FILTER at level SOL_RAW is a 32-bit mask; a set bit
	// drops that ICMP type.
	icmpFilter = 1
	// RFC 3542 §3.2: ICMP6_FILTER at level IPPROTO_ICMPV6, eight 32-bit
	// words; on Linux a set bit blocks that type.
	icmp6Filter = 1
)

// SockaddrOf returns the sockaddr of a and port: ip(7) sockaddr_in or
// ipv6(7) sockaddr_in6 (a numeric zone becomes sin6_scope_id).
func SockaddrOf(a netip.Addr, port int) unix.Sockaddr {
	if a.Is4() {
		return &unix.SockaddrInet4{Port: port, Addr: a.As4()}
	}
	sa := &unix.SockaddrInet6{Port: port, Addr: a.As16()}
	if z := a.Zone(); z != "" {
		var id uint32
		if _, err := fmt.Sscanf(z, "%d", &id); err == nil {
			sa.ZoneId = id
		}
	}
	return sa
}

// AddrOf returns the address in sa, or the zero Addr for other families.
func AddrOf(sa unix.Sockaddr) netip.Addr {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrFrom4(sa.Addr)
	case *unix.SockaddrInet6:
		return netip.AddrFrom16(sa.Addr).Unmap()
	}
	return netip.Addr{}
}

// OpenICMP opens a raw ICMP socket: raw(7) socket(AF_INET, SOCK_RAW,
// IPPROTO_ICMP) or socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6). For ICMPv6
// it asks for the hop limit of received packets (RFC 3542 §6.3). The kernel
// then accepts only the types in keep (a hint: a provider without ICMP
// filters delivers everything, and callers filter again).
func OpenICMP(api sock.API, v6 bool, keep ...uint8) (int, error) {
	dom, proto := unix.AF_INET, unix.IPPROTO_ICMP
	if v6 {
		dom, proto = unix.AF_INET6, unix.IPPROTO_ICMPV6
	}
	fd, err := api.Socket(dom, unix.SOCK_RAW|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return -1, fmt.Errorf("socket(SOCK_RAW): %w", err)
	}
	if v6 {
		// RFC 3542 §6.1: IPV6_RECVHOPLIMIT delivers IPV6_HOPLIMIT.
		if err := api.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_RECVHOPLIMIT, 1); err != nil {
			api.Close(fd)
			return -1, fmt.Errorf("setsockopt(IPV6_RECVHOPLIMIT): %w", err)
		}
	}
	if len(keep) > 0 {
		_ = setFilter(api, fd, v6, keep) // a hint only: see above
	}
	return fd, nil
}

// setFilter installs the kernel-side ICMP type filter passing only keep.
func setFilter(api sock.API, fd int, v6 bool, keep []uint8) error {
	if !v6 {
		mask := ^uint32(0)
		for _, t := range keep {
			if t < 32 {
				mask &^= 1 << t
			}
		}
		return api.SetsockoptInt(fd, unix.SOL_RAW, icmpFilter, int(int32(mask)))
	}
	var words [8]uint32
	for i := range words {
		words[i] = ^uint32(0)
	}
	for _, t := range keep {
		words[t>>5] &^= 1 << (t & 31)
	}
	b := make([]byte, 32)
	for i, w := range words {
		binary.NativeEndian.PutUint32(b[4*i:], w)
	}
	return api.SetsockoptBytes(fd, unix.IPPROTO_ICMPV6, icmp6Filter, b)
}

// SetHopLimit sets the TTL (ip(7) IP_TTL) or unicast hop limit (ipv6(7)
// IPV6_UNICAST_HOPS) of the packets fd sends.
func SetHopLimit(api sock.API, fd int, v6 bool, hops int) error {
	if v6 {
		return api.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, hops)
	}
	return api.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_TTL, hops)
}

// Receiver reads ICMP messages from a raw socket into buffers it owns.
type Receiver struct {
	API sock.API
	FD  int
	V6  bool
	buf []byte
	oob []byte
}

// NewReceiver returns a Receiver for fd with room for packets of up to
// size bytes.
func NewReceiver(api sock.API, fd int, v6 bool, size int) *Receiver {
	return &Receiver{API: api, FD: fd, V6: v6, buf: make([]byte, size), oob: make([]byte, 128)}
}

// Recv reads one message without blocking (MSG_DONTWAIT) and decodes it
// into m, which stays valid until the next Recv. It returns an error
// wrapping unix.EAGAIN when nothing is queued, and one wrapping
// ErrMalformed for a packet it cannot decode.
func (r *Receiver) Recv(m *Message) error {
	n, oobn, _, from, err := r.API.Recvmsg(r.FD, r.buf, r.oob, unix.MSG_DONTWAIT)
	if err != nil {
		return err
	}
	if !r.V6 {
		return DecodeIPv4(r.buf[:n], m)
	}
	return DecodeICMPv6(r.buf[:n], AddrOf(from), hopLimit(r.oob[:oobn]), m)
}

// hopLimit finds the IPV6_HOPLIMIT control message (RFC 3542 §6.3: an int)
// in oob, or returns -1.
func hopLimit(oob []byte) int {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return -1
	}
	for _, c := range msgs {
		if c.Header.Level == unix.IPPROTO_IPV6 && c.Header.Type == unix.IPV6_HOPLIMIT && len(c.Data) >= 4 {
			return int(int32(binary.NativeEndian.Uint32(c.Data)))
		}
	}
	return -1
}

// pollSlice bounds one poll(2) so that a cancelled context is noticed.
const pollSlice = 50 * time.Millisecond

// Wait blocks until fd is readable, until is reached, or ctx ends. It
// reports whether fd is readable; ctx's error is returned when it ends.
func Wait(ctx context.Context, api sock.API, fd int, until time.Time) (bool, error) {
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		left := time.Until(until)
		if left <= 0 {
			return false, nil
		}
		left = min(left, pollSlice)
		// poll(2): the timeout is in milliseconds, rounded up here so a
		// sub-millisecond wait does not spin.
		ms := int((left + time.Millisecond - 1) / time.Millisecond)
		n, err := api.Poll(pfd, ms)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("poll: %w", err)
		}
		if n > 0 && pfd[0].Revents != 0 {
			return true, nil
		}
	}
}
