package conformance

import (
	"bytes"
	"errors"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/sock"
)

// Bounds for blocking calls in the tcp, udp, errno and option groups: a
// provider that never delivers fails the case instead of hanging the suite.
const (
	ioBoundSeconds = 5
	ioBoundMillis  = ioBoundSeconds * 1000
)

// boundIO sets SO_RCVTIMEO and SO_SNDTIMEO on fd so that blocking reads,
// writes, accepts and connects fail with EAGAIN rather than hang.
// socket(7) SO_RCVTIMEO/SO_SNDTIMEO: "If an input or output function blocks
// for this period of time ... [it] returns -1 with errno set to EAGAIN".
func boundIO(t T, api sock.API, fd int) {
	t.Helper()
	tv := &unix.Timeval{Sec: ioBoundSeconds}
	if err := api.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, tv); err != nil {
		t.Fatalf("setsockopt(SO_RCVTIMEO): %v", err)
	}
	if err := api.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_SNDTIMEO, tv); err != nil {
		t.Fatalf("setsockopt(SO_SNDTIMEO): %v", err)
	}
}

// inetDomain returns AF_INET or AF_INET6 for addr.
func inetDomain(addr netip.Addr) int {
	if addr.Is4() {
		return unix.AF_INET
	}
	return unix.AF_INET6
}

// boundSocket opens a socket of type typ on api, binds it to addr with an
// ephemeral port and returns it with its bound address.
func boundSocket(t T, api sock.API, typ int, addr netip.Addr) (int, unix.Sockaddr) {
	t.Helper()
	fd, _ := openOnce(t, api, inetDomain(addr), typ, 0)
	boundIO(t, api, fd)
	if err := api.Bind(fd, sockaddr(addr, 0)); err != nil {
		t.Fatalf("bind(%v:0): %v", addr, err)
	}
	sa, err := api.Getsockname(fd)
	if err != nil {
		t.Fatalf("getsockname: %v", err)
	}
	return fd, sa
}

// tcpListenOn opens a TCP listener on api at addr (ephemeral port) and
// returns it with its address.
func tcpListenOn(t T, api sock.API, addr netip.Addr, backlog int) (int, unix.Sockaddr) {
	t.Helper()
	fd, sa := boundSocket(t, api, unix.SOCK_STREAM, addr)
	if err := api.Listen(fd, backlog); err != nil {
		t.Fatalf("listen: %v", err)
	}
	return fd, sa
}

// udpBoundOn opens a UDP socket on api bound to addr (ephemeral port).
func udpBoundOn(t T, api sock.API, addr netip.Addr) (int, unix.Sockaddr) {
	t.Helper()
	return boundSocket(t, api, unix.SOCK_DGRAM, addr)
}

// tcpDial opens a TCP socket on api and connects it to to. It returns the
// socket and a function that closes it once (the case's cleanup calls it
// too, harmlessly).
func tcpDial(t T, api sock.API, to unix.Sockaddr) (int, func()) {
	t.Helper()
	fd, closeFd := openOnce(t, api, familyOf(to), unix.SOCK_STREAM, 0)
	boundIO(t, api, fd)
	if err := api.Connect(fd, to); err != nil {
		t.Fatalf("connect(%v): %v", to, err)
	}
	return fd, closeFd
}

// openOnce creates a socket like open, but returns a close function that
// acts once: a descriptor closed early by the case is not closed again at
// cleanup, where its number may already belong to another parallel case.
func openOnce(t T, api sock.API, domain, typ, proto int) (int, func()) {
	t.Helper()
	fd, err := api.Socket(domain, typ, proto)
	if err != nil {
		t.Fatalf("socket(%d, %d, %d): %v", domain, typ, proto, err)
	}
	return fd, closeOnce(t, api, fd)
}

// closeOnce returns a function that closes fd the first time it is called,
// and registers it with t.Cleanup.
func closeOnce(t T, api sock.API, fd int) func() {
	var once sync.Once
	c := func() { once.Do(func() { api.Close(fd) }) }
	t.Cleanup(c)
	return c
}

// familyOf returns the address family of an inet sockaddr.
func familyOf(sa unix.Sockaddr) int {
	if _, ok := sa.(*unix.SockaddrInet6); ok {
		return unix.AF_INET6
	}
	return unix.AF_INET
}

// acceptWithin waits up to the I/O bound for a connection on the listener
// lfd and accepts it with flags. The accepted socket is closed at the end
// of the case or by the returned function, once.
func acceptWithin(t T, api sock.API, lfd, flags int) (int, unix.Sockaddr, func()) {
	t.Helper()
	if ev := awaitEvents(t, api, lfd, unix.POLLIN); ev&unix.POLLIN == 0 {
		t.Fatalf("listener not readable within %ds (revents %#x)", ioBoundSeconds, ev)
	}
	nfd, sa, err := api.Accept4(lfd, flags)
	if err != nil {
		t.Fatalf("accept4: %v", err)
	}
	return nfd, sa, closeOnce(t, api, nfd)
}

// tcpPair is a connected TCP pair: client on e.API, server on e.Peer.
type tcpPair struct {
	client, server           int
	closeClient, closeServer func()
}

// tcpConnected returns a connected TCP pair: client on e.API, server on
// e.Peer (accepted from a listener at e.PeerAddr4). Both have bounded I/O.
func tcpConnected(t T, e *Env) tcpPair {
	t.Helper()
	lfd, lsa := tcpListenOn(t, e.Peer, e.PeerAddr4, 8)
	var p tcpPair
	p.client, p.closeClient = tcpDial(t, e.API, lsa)
	p.server, _, p.closeServer = acceptWithin(t, e.Peer, lfd, 0)
	boundIO(t, e.Peer, p.server)
	return p
}

// awaitEvents polls fd for events for at most the I/O bound and returns
// revents (0 on timeout).
func awaitEvents(t T, api sock.API, fd int, events int16) int16 {
	t.Helper()
	pfd := []unix.PollFd{{Fd: int32(fd), Events: events}}
	deadline := time.Now().Add(ioBoundSeconds * time.Second)
	for {
		left := int(time.Until(deadline) / time.Millisecond)
		if left < 0 {
			return 0
		}
		n, err := api.Poll(pfd, left)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			t.Fatalf("poll: %v", err)
		}
		if n == 0 {
			return 0
		}
		return pfd[0].Revents
	}
}

// wantErrno fails the case unless err is the errno want.
func wantErrno(t T, what string, err error, want unix.Errno) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: got error %v, want %v (%s)", what, err, want, unix.ErrnoName(want))
	}
}

// readExactly reads exactly n bytes from a connected socket with Read.
func readExactly(t T, api sock.API, fd, n int) []byte {
	t.Helper()
	buf := make([]byte, n)
	got := 0
	for got < n {
		m, err := api.Read(fd, buf[got:])
		if err != nil {
			t.Fatalf("read after %d of %d bytes: %v", got, n, err)
		}
		if m == 0 {
			t.Fatalf("read: EOF after %d of %d bytes", got, n)
		}
		got += m
	}
	return buf
}

// writeAll writes all of p to a connected socket with Write.
func writeAll(t T, api sock.API, fd int, p []byte) {
	t.Helper()
	for len(p) > 0 {
		n, err := api.Write(fd, p)
		if err != nil {
			t.Fatalf("write: %v", err)
		}
		p = p[n:]
	}
}

// expectBytes fails the case unless got equals want.
func expectBytes(t T, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Errorf("%s: got %q, want %q", what, clip(got), clip(want))
	}
}

// clip shortens long byte slices in failure messages.
func clip(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}

// expectEOF fails the case unless a read on fd returns 0 (end of file).
func expectEOF(t T, api sock.API, fd int, what string) {
	t.Helper()
	buf := make([]byte, 16)
	n, err := api.Read(fd, buf)
	if err != nil || n != 0 {
		t.Errorf("%s: read = %d, %v; want 0 (EOF)", what, n, err)
	}
}

// sameInet reports whether two inet sockaddrs hold the same address and port.
func sameInet(a, b unix.Sockaddr) bool {
	pa, pb := inetAddrPort(a), inetAddrPort(b)
	return pa.IsValid() && pa == pb
}

// inetAddrPort converts an inet sockaddr to a netip.AddrPort (invalid for
// other families).
func inetAddrPort(sa unix.Sockaddr) netip.AddrPort {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port))
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(a.Addr), uint16(a.Port))
	}
	return netip.AddrPort{}
}

// closedPort returns an address on api's host at addr where no socket of
// type typ listens: it binds an ephemeral port and, for UDP, closes the
// socket again. For TCP the bound, non-listening socket stays open until the
// case ends, so the port stays reserved and nobody can listen on it.
func closedPort(t T, api sock.API, typ int, addr netip.Addr) unix.Sockaddr {
	t.Helper()
	fd, err := api.Socket(inetDomain(addr), typ, 0)
	if err != nil {
		t.Fatalf("socket: %v", err)
	}
	if err := api.Bind(fd, sockaddr(addr, 0)); err != nil {
		api.Close(fd)
		t.Fatalf("bind: %v", err)
	}
	sa, err := api.Getsockname(fd)
	if err != nil {
		api.Close(fd)
		t.Fatalf("getsockname: %v", err)
	}
	if typ == unix.SOCK_STREAM {
		t.Cleanup(func() { api.Close(fd) })
	} else {
		api.Close(fd)
	}
	return sa
}

// pattern returns n bytes of a recognisable pattern seeded by seed.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i%251)
	}
	return b
}

// waitUntil polls cond every few milliseconds until it holds or the I/O
// bound passes; it reports whether cond held.
func waitUntil(cond func() bool) bool {
	deadline := time.Now().Add(ioBoundSeconds * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(2 * time.Millisecond)
	}
	return cond()
}

// intOpt reads an integer socket option or fails the case.
func intOpt(t T, api sock.API, fd, level, opt int) int {
	t.Helper()
	v, err := api.GetsockoptInt(fd, level, opt)
	if err != nil {
		t.Fatalf("getsockopt(%d, %d): %v", level, opt, err)
	}
	return v
}

// setIntOpt sets an integer socket option or fails the case.
func setIntOpt(t T, api sock.API, fd, level, opt, v int) {
	t.Helper()
	if err := api.SetsockoptInt(fd, level, opt, v); err != nil {
		t.Fatalf("setsockopt(%d, %d, %d): %v", level, opt, v, err)
	}
}

// fionread is the FIONREAD ioctl request; on Linux it is the same request as
// SIOCINQ (tcp(7), udp(7)), and x/sys/unix names only the latter.
const fionread = unix.SIOCINQ

// copyInet returns a fresh copy of an inet sockaddr. x/sys/unix encodes a
// Sockaddr into the value passed to it, so goroutines must not share one.
func copyInet(sa unix.Sockaddr) unix.Sockaddr {
	ap := inetAddrPort(sa)
	return sockaddr(ap.Addr(), int(ap.Port()))
}
