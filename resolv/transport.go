package resolv

import (
	"context"
	"errors"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/sock"
)

// pollSlice bounds one Poll so that a cancelled context is noticed.
const pollSlice = 100 * time.Millisecond

// sockaddrOf converts an address and port to a unix.Sockaddr.
func sockaddrOf(ap netip.AddrPort) unix.Sockaddr {
	if ap.Addr().Is4() {
		return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	}
	return &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
}

// addrPortOf converts a unix.Sockaddr to an address and port.
func addrPortOf(sa unix.Sockaddr) netip.AddrPort {
	switch s := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(s.Addr), uint16(s.Port))
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(s.Addr), uint16(s.Port))
	}
	return netip.AddrPort{}
}

func familyOf(a netip.Addr) int {
	if a.Is4() {
		return unix.AF_INET
	}
	return unix.AF_INET6
}

// waitFD polls fd for events until the deadline or ctx ends.
func waitFD(ctx context.Context, api sock.API, fd int, events int16, deadline time.Time) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return unix.ETIMEDOUT
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: events}}
		n, err := api.Poll(fds, int(min(left, pollSlice)/time.Millisecond)+1)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return err
		}
		if n > 0 {
			return nil
		}
	}
}

// exchangeUDP sends the query to server from a fresh socket bound to port
// 0, so that the provider picks a random source port (RFC 5452 §9.2), and
// waits for an accepted response. Datagrams that are not accepted are
// dropped and waiting continues (RFC 5452 §9.1).
func exchangeUDP(ctx context.Context, api sock.API, q query, server netip.AddrPort, deadline time.Time) (*answer, error) {
	msg, err := buildQuery(q, true)
	if err != nil {
		return nil, err
	}
	fd, err := api.Socket(familyOf(server.Addr()), unix.SOCK_DGRAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer api.Close(fd)
	local := netip.AddrPortFrom(netip.IPv4Unspecified(), 0)
	if server.Addr().Is6() {
		local = netip.AddrPortFrom(netip.IPv6Unspecified(), 0)
	}
	if err := api.Bind(fd, sockaddrOf(local)); err != nil {
		return nil, err
	}
	if err := api.Connect(fd, sockaddrOf(server)); err != nil {
		return nil, err
	}
	if _, err := api.Write(fd, msg); err != nil {
		return nil, err
	}
	buf := make([]byte, 65535)
	for {
		if err := waitFD(ctx, api, fd, unix.POLLIN, deadline); err != nil {
			return nil, err
		}
		n, from, err := api.Recvfrom(fd, buf, 0)
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, err // ECONNREFUSED: nothing listens there
		}
		ans, err := acceptResponse(q, server, addrPortOf(from), buf[:n])
		if errors.Is(err, errNotAccepted) {
			continue
		}
		return ans, err
	}
}

// exchangeTCP sends the query over TCP with the two-byte length prefix of
// RFC 1035 §4.2.2, as RFC 7766 §5 requires after a truncated UDP answer.
func exchangeTCP(ctx context.Context, api sock.API, q query, server netip.AddrPort, deadline time.Time) (*answer, error) {
	msg, err := buildQuery(q, true)
	if err != nil {
		return nil, err
	}
	fd, err := api.Socket(familyOf(server.Addr()), unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer api.Close(fd)
	if err := api.Connect(fd, sockaddrOf(server)); err != nil && !errors.Is(err, unix.EINPROGRESS) {
		return nil, err
	}
	if err := waitFD(ctx, api, fd, unix.POLLOUT, deadline); err != nil {
		return nil, err
	}
	if soerr, err := api.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR); err != nil || soerr != 0 {
		if err == nil {
			err = unix.Errno(soerr)
		}
		return nil, err
	}
	// RFC 7766 §8: the length and the message in one write where possible.
	framed := append([]byte{byte(len(msg) >> 8), byte(len(msg))}, msg...)
	if err := writeAll(ctx, api, fd, framed, deadline); err != nil {
		return nil, err
	}
	var hdr [2]byte
	if err := readFull(ctx, api, fd, hdr[:], deadline); err != nil {
		return nil, err
	}
	resp := make([]byte, int(hdr[0])<<8|int(hdr[1]))
	if err := readFull(ctx, api, fd, resp, deadline); err != nil {
		return nil, err
	}
	peer, err := api.Getpeername(fd)
	if err != nil {
		return nil, err
	}
	ans, err := acceptResponse(q, server, addrPortOf(peer), resp)
	if errors.Is(err, errNotAccepted) {
		return nil, ErrServFail
	}
	return ans, err
}

func writeAll(ctx context.Context, api sock.API, fd int, b []byte, deadline time.Time) error {
	for len(b) > 0 {
		n, err := api.Write(fd, b)
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
			if err := waitFD(ctx, api, fd, unix.POLLOUT, deadline); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

func readFull(ctx context.Context, api sock.API, fd int, b []byte, deadline time.Time) error {
	for len(b) > 0 {
		n, err := api.Read(fd, b)
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
			if err := waitFD(ctx, api, fd, unix.POLLIN, deadline); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return unix.ECONNRESET
		}
		b = b[n:]
	}
	return nil
}
