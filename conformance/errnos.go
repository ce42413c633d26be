package conformance

import (
	"net/netip"

	"golang.org/x/sys/unix"
)

func errnoCases() []Case {
	return []Case{
		{Name: "errno/eaddrinuse-tcp-bind", Run: errnoAddrInUse},
		{Name: "errno/reuseaddr-needed-by-both", Run: errnoReuseBoth},
		{Name: "errno/reuseaddr-listener-blocks", Run: errnoReuseListener},
		{Name: "errno/reuseaddr-time-wait", Run: errnoReuseTimeWait},
		{Name: "errno/listen-udp-eopnotsupp", Run: errnoListenUDP},
		{Name: "errno/accept-udp-eopnotsupp", Run: errnoAcceptUDP},
		{Name: "errno/accept-not-listening-einval", Run: errnoAcceptNotListening},
		{Name: "errno/bind-twice-einval", Run: errnoBindTwice},
		{Name: "errno/bind-wrong-family", Run: errnoBindWrongFamily},
		{Name: "errno/bind-foreign-address", Run: errnoBindForeign},
		{Name: "errno/ebadf-invalid-descriptor", Run: errnoEBADF},
		{Name: "errno/socket-bad-protocol", Run: errnoSocketProtocol},
		{Name: "errno/socket-bad-type", Run: errnoSocketType},
		{Name: "errno/socket-unknown-domain", Run: errnoSocketDomain},
		{Name: "errno/send-unconnected-udp-edestaddrreq", Run: errnoDestAddrReq},
		{Name: "errno/eisconn-after-nonblock-connect", Run: errnoEISCONNNonblock},
		{Name: "errno/shutdown-unconnected-enotconn", Run: errnoShutdownUnconnected},
		{Name: "errno/listen-connected-einval", Run: errnoListenConnected},
	}
}

// bind(2): "EADDRINUSE The given address is already in use"; seed 003:
// "usually, only one socket endpoint can be bound to a given address".
func errnoAddrInUse(t T, e *Env) {
	_, sa := boundSocket(t, e.API, unix.SOCK_STREAM, e.Addr4)
	fd := open(t, e.API, inetDomain(e.Addr4), unix.SOCK_STREAM, 0)
	wantErrno(t, "second bind to a bound TCP port", e.API.Bind(fd, copyInet(sa)), unix.EADDRINUSE)
}

// reuseSocket opens a TCP socket on e.API with SO_REUSEADDR set to reuse.
func reuseSocket(t T, e *Env, reuse int) int {
	t.Helper()
	fd := open(t, e.API, inetDomain(e.Addr4), unix.SOCK_STREAM, 0)
	setIntOpt(t, e.API, fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, reuse)
	return fd
}

// socket(7) BUGS/NOTES: "Linux will only allow port reuse with the
// SO_REUSEADDR option when this option was set both in the previous program
// that performed a bind(2) to the port and in the program that wants to
// reuse the port."
func errnoReuseBoth(t T, e *Env) {
	first := reuseSocket(t, e, 0)
	if err := e.API.Bind(first, sockaddr(e.Addr4, 0)); err != nil {
		t.Fatalf("bind: %v", err)
	}
	sa := mustName(t, e.API.Getsockname, first)
	later := reuseSocket(t, e, 1)
	wantErrno(t, "SO_REUSEADDR only on the later socket", e.API.Bind(later, copyInet(sa)), unix.EADDRINUSE)

	a := reuseSocket(t, e, 1)
	if err := e.API.Bind(a, sockaddr(e.Addr4, 0)); err != nil {
		t.Fatalf("bind: %v", err)
	}
	b := reuseSocket(t, e, 1)
	if err := e.API.Bind(b, copyInet(mustName(t, e.API.Getsockname, a))); err != nil {
		t.Errorf("bind with SO_REUSEADDR on both (neither listening): %v", err)
	}
}

// socket(7) SO_REUSEADDR: "For AF_INET sockets this means that a socket may
// bind, except when there is an active listening socket bound to the
// address."
func errnoReuseListener(t T, e *Env) {
	l := reuseSocket(t, e, 1)
	if err := e.API.Bind(l, sockaddr(e.Addr4, 0)); err != nil {
		t.Fatalf("bind: %v", err)
	}
	if err := e.API.Listen(l, 1); err != nil {
		t.Fatalf("listen: %v", err)
	}
	fd := reuseSocket(t, e, 1)
	wantErrno(t, "bind with SO_REUSEADDR to a listening port", e.API.Bind(fd, mustName(t, e.API.Getsockname, l)), unix.EADDRINUSE)
}

// socket(7) SO_REUSEADDR: the rule that the listener blocks reuse leaves a
// port whose only user is a connection in TIME_WAIT free for a socket with
// SO_REUSEADDR (set on both, per the NOTES), but not for one without it.
func errnoReuseTimeWait(t T, e *Env) {
	l, closeListener := openOnce(t, e.API, inetDomain(e.Addr4), unix.SOCK_STREAM, 0)
	setIntOpt(t, e.API, l, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
	boundIO(t, e.API, l)
	if err := e.API.Bind(l, sockaddr(e.Addr4, 0)); err != nil {
		t.Fatalf("bind: %v", err)
	}
	if err := e.API.Listen(l, 1); err != nil {
		t.Fatalf("listen: %v", err)
	}
	port := mustName(t, e.API.Getsockname, l)
	cfd, closeClient := tcpDial(t, e.Peer, sockaddr(e.Addr4, portOf(port)))
	sfd, _, closeServer := acceptWithin(t, e.API, l, 0)
	boundIO(t, e.API, sfd)
	// RFC 9293 §3.6: the side that closes first (here the accepted socket
	// on the port under test) ends in TIME-WAIT.
	if err := e.API.Shutdown(sfd, unix.SHUT_WR); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	expectEOF(t, e.Peer, cfd, "client sees FIN")
	closeClient()
	expectEOF(t, e.API, sfd, "server sees the client's FIN")
	closeServer()
	closeListener()
	without := reuseSocket(t, e, 0)
	wantErrno(t, "bind without SO_REUSEADDR to a TIME_WAIT port", e.API.Bind(without, sockaddr(e.Addr4, portOf(port))), unix.EADDRINUSE)
	with := reuseSocket(t, e, 1)
	if err := e.API.Bind(with, sockaddr(e.Addr4, portOf(port))); err != nil {
		t.Errorf("bind with SO_REUSEADDR to a TIME_WAIT port: %v", err)
	}
}

// listen(2): "EOPNOTSUPP The socket is not of a type that supports the
// listen() operation."
func errnoListenUDP(t T, e *Env) {
	fd, _ := udpBoundOn(t, e.API, e.Addr4)
	wantErrno(t, "listen on UDP", e.API.Listen(fd, 1), unix.EOPNOTSUPP)
}

// accept(2): "EOPNOTSUPP The referenced socket is not of type SOCK_STREAM."
func errnoAcceptUDP(t T, e *Env) {
	fd, _ := udpBoundOn(t, e.API, e.Addr4)
	_, _, err := e.API.Accept4(fd, 0)
	wantErrno(t, "accept on UDP", err, unix.EOPNOTSUPP)
}

// accept(2): "EINVAL Socket is not listening for connections".
func errnoAcceptNotListening(t T, e *Env) {
	fd, _ := boundSocket(t, e.API, unix.SOCK_STREAM, e.Addr4)
	_, _, err := e.API.Accept4(fd, 0)
	wantErrno(t, "accept on a bound, non-listening socket", err, unix.EINVAL)
}

// bind(2): "EINVAL The socket is already bound to an address."
func errnoBindTwice(t T, e *Env) {
	for _, typ := range []int{unix.SOCK_STREAM, unix.SOCK_DGRAM} {
		fd, _ := boundSocket(t, e.API, typ, e.Addr4)
		wantErrno(t, "second bind", e.API.Bind(fd, sockaddr(e.Addr4, 0)), unix.EINVAL)
	}
}

// bind(2): "EINVAL addrlen is wrong"; ip(7)/ipv6(7) ERRORS: "EAFNOSUPPORT ...
// an invalid address family ... in sin_family". Linux checks the length
// first: an AF_INET6 address on an AF_INET socket is long enough and is
// refused for its family; an AF_INET address on an AF_INET6 socket is too
// short.
func errnoBindWrongFamily(t T, e *Env) {
	fd4 := open(t, e.API, unix.AF_INET, unix.SOCK_DGRAM, 0)
	v6 := &unix.SockaddrInet6{Addr: netip.IPv6Loopback().As16()}
	wantErrno(t, "bind(AF_INET socket, sockaddr_in6)", e.API.Bind(fd4, v6), unix.EAFNOSUPPORT)
	fd6 := open(t, e.API, unix.AF_INET6, unix.SOCK_DGRAM, 0)
	v4 := &unix.SockaddrInet4{Addr: e.Addr4.As4()}
	wantErrno(t, "bind(AF_INET6 socket, sockaddr_in)", e.API.Bind(fd6, v4), unix.EINVAL)
}

// bind(2)/ip(7): "EADDRNOTAVAIL A nonexistent interface was requested or the
// requested address was not local." 198.51.100.77 (RFC 5737 TEST-NET-2) is
// on no host of the suite; binding sends nothing.
func errnoBindForeign(t T, e *Env) {
	fd := open(t, e.API, unix.AF_INET, unix.SOCK_STREAM, 0)
	foreign := netip.AddrFrom4([4]byte{198, 51, 100, 77})
	wantErrno(t, "bind to a non-local address", e.API.Bind(fd, sockaddr(foreign, 0)), unix.EADDRNOTAVAIL)
}

// socket(7)/close(2)/bind(2)...: "EBADF sockfd is not a valid file
// descriptor." The descriptors used were never returned by the provider
// (closing and reusing a real one would race with parallel cases).
func errnoEBADF(t T, e *Env) {
	for _, fd := range []int{-1, 1<<24 + 17} {
		wantErrno(t, "bind", e.API.Bind(fd, sockaddr(e.Addr4, 0)), unix.EBADF)
		wantErrno(t, "listen", e.API.Listen(fd, 1), unix.EBADF)
		wantErrno(t, "connect", e.API.Connect(fd, sockaddr(e.PeerAddr4, 9)), unix.EBADF)
		_, _, err := e.API.Accept4(fd, 0)
		wantErrno(t, "accept4", err, unix.EBADF)
		_, err = e.API.Read(fd, make([]byte, 1))
		wantErrno(t, "read", err, unix.EBADF)
		_, err = e.API.Write(fd, []byte("x"))
		wantErrno(t, "write", err, unix.EBADF)
		_, err = e.API.Getsockname(fd)
		wantErrno(t, "getsockname", err, unix.EBADF)
		_, err = e.API.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE)
		wantErrno(t, "getsockopt", err, unix.EBADF)
		wantErrno(t, "shutdown", e.API.Shutdown(fd, unix.SHUT_RDWR), unix.EBADF)
		wantErrno(t, "close", e.API.Close(fd), unix.EBADF)
	}
}

// socket(2): "EPROTONOSUPPORT The protocol type or the specified protocol is
// not supported within this domain."
func errnoSocketProtocol(t T, e *Env) {
	cases := []struct{ typ, proto int }{
		{unix.SOCK_STREAM, unix.IPPROTO_UDP},
		{unix.SOCK_DGRAM, unix.IPPROTO_TCP},
	}
	for _, c := range cases {
		fd, err := e.API.Socket(unix.AF_INET, c.typ, c.proto)
		if err == nil {
			e.API.Close(fd)
		}
		wantErrno(t, "socket(AF_INET, type, mismatched protocol)", err, unix.EPROTONOSUPPORT)
	}
}

// socket(2): "EINVAL Unknown protocol, or protocol family not available.
// EINVAL Invalid flags in type." and ESOCKTNOSUPPORT for a known type the
// domain does not implement (Linux: SOCK_SEQPACKET in AF_INET with protocol 0).
func errnoSocketType(t T, e *Env) {
	fd, err := e.API.Socket(unix.AF_INET, 77, 0)
	if err == nil {
		e.API.Close(fd)
	}
	wantErrno(t, "socket(AF_INET, 77, 0)", err, unix.EINVAL)
	fd, err = e.API.Socket(unix.AF_INET, unix.SOCK_SEQPACKET, 0)
	if err == nil {
		e.API.Close(fd)
	}
	wantErrno(t, "socket(AF_INET, SOCK_SEQPACKET, 0)", err, unix.ESOCKTNOSUPPORT)
}

// socket(2): "EAFNOSUPPORT The implementation does not support the
// specified address family."
func errnoSocketDomain(t T, e *Env) {
	for _, domain := range []int{unix.AF_MAX + 5, 4242} {
		fd, err := e.API.Socket(domain, unix.SOCK_DGRAM, 0)
		if err == nil {
			e.API.Close(fd)
		}
		wantErrno(t, "socket(unknown domain)", err, unix.EAFNOSUPPORT)
	}
}

// send(2): "EDESTADDRREQ The socket is not connection-mode, and no peer
// address is set."
func errnoDestAddrReq(t T, e *Env) {
	fd, _ := udpBoundOn(t, e.API, e.Addr4)
	wantErrno(t, "send on an unconnected UDP socket", e.API.Sendto(fd, []byte("x"), 0, nil), unix.EDESTADDRREQ)
	_, err := e.API.Write(fd, []byte("x"))
	wantErrno(t, "write on an unconnected UDP socket", err, unix.EDESTADDRREQ)
}

// connect(2): "EISCONN The socket is already connected" — also once a
// non-blocking connect has completed. Linux (__inet_stream_connect) first
// lets one more connect() return 0, moving the socket to connected (the
// classic "call connect again to learn the outcome" idiom); every connect
// after that fails with EISCONN.
func errnoEISCONNNonblock(t T, e *Env) {
	lfd, lsa := tcpListenOn(t, e.Peer, e.PeerAddr4, 2)
	fd := open(t, e.API, familyOf(lsa), unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
	wantErrno(t, "non-blocking connect", e.API.Connect(fd, lsa), unix.EINPROGRESS)
	if awaitEvents(t, e.API, fd, unix.POLLOUT)&unix.POLLOUT == 0 {
		t.Fatal("connect never completed")
	}
	acceptWithin(t, e.Peer, lfd, 0)
	if err := e.API.Connect(fd, copyInet(lsa)); err != nil {
		t.Errorf("first connect after completion: %v, want success", err)
	}
	wantErrno(t, "connect once connected", e.API.Connect(fd, copyInet(lsa)), unix.EISCONN)
}

// shutdown(2): "ENOTCONN The specified socket is not connected."
func errnoShutdownUnconnected(t T, e *Env) {
	fd, _ := boundSocket(t, e.API, unix.SOCK_STREAM, e.Addr4)
	wantErrno(t, "shutdown of an unconnected TCP socket", e.API.Shutdown(fd, unix.SHUT_RDWR), unix.ENOTCONN)
}

// listen(2) on Linux (inet_listen): a socket that is already connected
// cannot listen: EINVAL.
func errnoListenConnected(t T, e *Env) {
	p := tcpConnected(t, e)
	wantErrno(t, "listen on a connected socket", e.API.Listen(p.client, 1), unix.EINVAL)
}
