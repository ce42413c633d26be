package conformance

import (
	"bytes"
	"os"
	"regexp"

	"golang.org/x/sys/unix"

	"sockstack/sock"
)

// unixCases checks AF_UNIX sockets as unix(7) describes them. They always
// run on e.API, with pathnames under e.Dir.
func unixCases() []Case {
	return []Case{
		{"unix/stream-pathname-echo", uxStreamPathEcho},
		{"unix/stream-abstract-echo", uxStreamAbstractEcho},
		{"unix/dgram-pathname-recvfrom-sender", uxDgramPathSender},
		{"unix/dgram-unbound-sender-unnamed", uxDgramUnboundSender},
		{"unix/seqpacket-boundaries-and-trunc", uxSeqpacketTrunc},
		{"unix/socketpair-stream", uxPairStream},
		{"unix/socketpair-dgram", uxPairDgram},
		{"unix/socketpair-seqpacket", uxPairSeqpacket},
		{"unix/peercred-connected-stream", uxPeercredStream},
		{"unix/peercred-socketpair", uxPeercredPair},
		{"unix/bind-existing-path-eaddrinuse", uxBindInUse},
		{"unix/connect-nonexistent-path-enoent", uxConnectENOENT},
		{"unix/connect-without-listener-econnrefused", uxConnectRefused},
		{"unix/connect-wrong-type-eprototype", uxConnectPrototype},
		{"unix/names", uxNames},
		{"unix/shutdown-wr-eof-socketpair", uxShutdownWR},
		{"unix/epipe-after-peer-close", uxEPIPE},
		{"unix/so-type-domain-protocol", uxSoType},
		{"unix/dgram-full-eagain", uxDgramFull},
		{"unix/abstract-name-freed-on-close", uxAbstractFreed},
		{"unix/autobind-abstract", uxAutobind},
	}
}

// bUnixListen opens a bounded AF_UNIX socket of typ bound to sa and, for
// connection types, listening.
func bUnixListen(t T, api sock.API, typ int, sa *unix.SockaddrUnix) int {
	t.Helper()
	fd := bSock(t, api, unix.AF_UNIX, typ, 0)
	if err := api.Bind(fd, sa); err != nil {
		t.Fatalf("bind(%s): %v", sa.Name, err)
	}
	if typ != unix.SOCK_DGRAM {
		if err := api.Listen(fd, 8); err != nil {
			t.Fatalf("listen: %v", err)
		}
	}
	return fd
}

// bUnixConn connects a new AF_UNIX socket of typ to sa and accepts it:
// it returns the client and the accepted socket.
func bUnixConn(t T, api sock.API, typ int, sa *unix.SockaddrUnix) (int, int) {
	t.Helper()
	lfd := bUnixListen(t, api, typ, sa)
	c := bSock(t, api, unix.AF_UNIX, typ, 0)
	if err := api.Connect(c, sa); err != nil {
		t.Fatalf("connect(%s): %v", sa.Name, err)
	}
	s, _ := bAccept(t, api, lfd)
	return c, s
}

// bSocketpair makes a bounded socket pair of typ; closers close each end
// early.
func bSocketpair(t T, api sock.API, typ int) ([2]int, [2]func()) {
	t.Helper()
	fds, err := api.Socketpair(unix.AF_UNIX, typ, 0)
	if err != nil {
		t.Fatalf("socketpair(AF_UNIX, %d): %v", typ, err)
	}
	closers := [2]func(){bOnce(t, api, fds[0]), bOnce(t, api, fds[1])}
	bBound(t, api, fds[0])
	bBound(t, api, fds[1])
	return fds, closers
}

// bEcho sends msg from a to b and back and checks it arrives intact.
func bEcho(t T, api sock.API, a, b int, msg []byte) {
	t.Helper()
	bWriteAll(t, api, a, msg)
	got := bReadN(t, api, b, len(msg))
	bWriteAll(t, api, b, got)
	if back := bReadN(t, api, a, len(msg)); !bytes.Equal(back, msg) {
		t.Fatalf("echo = %q, want %q", back, msg)
	}
}

// bUnnamed reports whether sa is the address of an unnamed AF_UNIX socket.
// unix(7): "when the address of an unnamed socket is returned, its length
// is sizeof(sa_family_t), and sun_path should not be inspected";
// x/sys/unix renders that empty path as "@".
func bUnnamed(sa unix.Sockaddr) bool {
	u, ok := sa.(*unix.SockaddrUnix)
	return ok && (u.Name == "" || u.Name == "@")
}

// unix(7) pathname: "a UNIX domain socket can be bound to a null-terminated
// filesystem pathname using bind(2)"; SOCK_STREAM "provides a
// stream-oriented socket".
func uxStreamPathEcho(t T, e *Env) {
	sa := bPath(e, "s")
	c, s := bUnixConn(t, e.API, unix.SOCK_STREAM, sa)
	bEcho(t, e.API, c, s, []byte("over a pathname socket"))
	if st, err := os.Stat(sa.Name); err == nil && st.Mode()&os.ModeSocket == 0 {
		t.Fatalf("%s exists but is not a socket", sa.Name)
	}
}

// unix(7) abstract: "an abstract socket address is distinguished (from a
// pathname socket) by the fact that sun_path[0] is a null byte"; "When the
// address of an abstract socket is returned ... the name of the socket is
// contained in the first (addrlen - sizeof(sa_family_t)) bytes of sun_path".
func uxStreamAbstractEcho(t T, e *Env) {
	sa := bAbstract(t)
	c, s := bUnixConn(t, e.API, unix.SOCK_STREAM, sa)
	bEcho(t, e.API, c, s, []byte("over an abstract socket"))
	peer, err := e.API.Getpeername(c)
	if u, ok := peer.(*unix.SockaddrUnix); err != nil || !ok || u.Name != sa.Name {
		t.Fatalf("getpeername = %s, %v; want %s", bFmt(peer), err, sa.Name)
	}
}

// unix(7) SOCK_DGRAM: "for a datagram socket ... message boundaries are
// preserved"; recvfrom(2) "src_addr ... is filled in with the source
// address" — for a bound sender, its pathname.
func uxDgramPathSender(t T, e *Env) {
	rsa, ssa := bPath(e, "r"), bPath(e, "w")
	r := bUnixListen(t, e.API, unix.SOCK_DGRAM, rsa)
	s := bUnixListen(t, e.API, unix.SOCK_DGRAM, ssa)
	for _, m := range []string{"one", "two!"} {
		if err := e.API.Sendto(s, []byte(m), 0, rsa); err != nil {
			t.Fatalf("sendto: %v", err)
		}
	}
	buf := make([]byte, 64)
	for _, want := range []string{"one", "two!"} {
		n, from, err := e.API.Recvfrom(r, buf, 0)
		if err != nil || string(buf[:n]) != want {
			t.Fatalf("recvfrom = %q, %v; want %q", buf[:n], err, want)
		}
		if u, ok := from.(*unix.SockaddrUnix); !ok || u.Name != ssa.Name {
			t.Fatalf("recvfrom source = %s, want %s", bFmt(from), ssa.Name)
		}
	}
}

// unix(7) unnamed: "A stream socket that has not been bound ... has no
// name"; likewise an unbound datagram sender (without SO_PASSCRED it is not
// autobound). Linux then returns no source address at all (msg_namelen 0),
// which x/sys/unix reports as a nil Sockaddr.
func uxDgramUnboundSender(t T, e *Env) {
	rsa := bPath(e, "r")
	r := bUnixListen(t, e.API, unix.SOCK_DGRAM, rsa)
	s := bSock(t, e.API, unix.AF_UNIX, unix.SOCK_DGRAM, 0)
	if err := e.API.Sendto(s, []byte("anon"), 0, rsa); err != nil {
		t.Fatalf("sendto: %v", err)
	}
	buf := make([]byte, 16)
	n, from, err := e.API.Recvfrom(r, buf, 0)
	if err != nil || string(buf[:n]) != "anon" {
		t.Fatalf("recvfrom = %q, %v", buf[:n], err)
	}
	if from != nil {
		t.Fatalf("source of an unbound sender = %s, want none (nil)", bFmt(from))
	}
}

// unix(7) SOCK_SEQPACKET: "a sequenced-packet socket that is
// connection-oriented, preserves message boundaries"; recv(2) MSG_TRUNC
// (out): "the trailing portion of a datagram was discarded because the
// datagram was larger than the buffer supplied"; MSG_TRUNC (in): "return
// the real length of the packet ... even when it was longer than the passed
// buffer" (sequenced-packet sockets since Linux 3.4).
func uxSeqpacketTrunc(t T, e *Env) {
	c, s := bUnixConn(t, e.API, unix.SOCK_SEQPACKET, bPath(e, "q"))
	for _, m := range []string{"first message", "second", "third message!"} {
		bWriteAll(t, e.API, c, []byte(m))
	}
	small := make([]byte, 5)
	n, _, flags, _, err := e.API.Recvmsg(s, small, nil, 0)
	if err != nil || n != 5 || flags&unix.MSG_TRUNC == 0 || string(small) != "first" {
		t.Fatalf("recvmsg(5 bytes) = %d %q flags %#x, %v; want 5 \"first\" with MSG_TRUNC", n, small[:max(n, 0)], flags, err)
	}
	buf := make([]byte, 64)
	n, _, flags, _, err = e.API.Recvmsg(s, buf, nil, 0)
	if err != nil || string(buf[:n]) != "second" || flags&unix.MSG_TRUNC != 0 {
		t.Fatalf("next recvmsg = %q flags %#x, %v; want \"second\" (the rest of the first is discarded)", buf[:n], flags, err)
	}
	n, _, _, _, err = e.API.Recvmsg(s, small, nil, unix.MSG_TRUNC)
	if err != nil || n != len("third message!") {
		t.Fatalf("recvmsg(MSG_TRUNC) = %d, %v; want the real length %d", n, err, len("third message!"))
	}
}

// socketpair(2): "creates an unnamed pair of connected sockets"; unix(7)
// SOCK_STREAM is a byte stream.
func uxPairStream(t T, e *Env) {
	fds, _ := bSocketpair(t, e.API, unix.SOCK_STREAM)
	bEcho(t, e.API, fds[0], fds[1], []byte("stream pair"))
	bEcho(t, e.API, fds[1], fds[0], bytes.Repeat([]byte("x"), 100000))
}

// socketpair(2) with SOCK_DGRAM: unix(7) "for a datagram socket ...
// message boundaries are preserved", in both directions.
func uxPairDgram(t T, e *Env) {
	fds, _ := bSocketpair(t, e.API, unix.SOCK_DGRAM)
	bCheckBoundaries(t, e.API, fds[0], fds[1])
	bCheckBoundaries(t, e.API, fds[1], fds[0])
}

// socketpair(2) with SOCK_SEQPACKET: unix(7) "connection-oriented,
// preserves message boundaries, and delivers messages in the order that
// they were sent".
func uxPairSeqpacket(t T, e *Env) {
	fds, _ := bSocketpair(t, e.API, unix.SOCK_SEQPACKET)
	bCheckBoundaries(t, e.API, fds[0], fds[1])
	bCheckBoundaries(t, e.API, fds[1], fds[0])
}

// bCheckBoundaries sends three messages from a and reads them from b one
// per read, with a buffer larger than all of them together.
func bCheckBoundaries(t T, api sock.API, a, b int) {
	t.Helper()
	msgs := []string{"a", "bb", "ccc"}
	for _, m := range msgs {
		if _, err := api.Write(a, []byte(m)); err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	buf := make([]byte, 64)
	for _, want := range msgs {
		n, err := api.Read(b, buf)
		if err != nil || string(buf[:n]) != want {
			t.Fatalf("read = %q, %v; want %q (one message per read)", buf[:n], err, want)
		}
	}
}

// bCheckCred checks SO_PEERCRED of fd names this process.
func bCheckCred(t T, api sock.API, fd int, what string) {
	t.Helper()
	cred, err := api.GetsockoptUcred(fd, unix.SOL_SOCKET, unix.SO_PEERCRED)
	if err != nil {
		t.Fatalf("%s: SO_PEERCRED: %v", what, err)
	}
	if int(cred.Pid) != os.Getpid() || int(cred.Uid) != os.Getuid() || int(cred.Gid) != os.Getgid() {
		t.Fatalf("%s: SO_PEERCRED = pid %d uid %d gid %d; want %d %d %d", what,
			cred.Pid, cred.Uid, cred.Gid, os.Getpid(), os.Getuid(), os.Getgid())
	}
}

// socket(7) SO_PEERCRED: "Return the credentials of the foreign process
// connected to this socket. This is possible only for connected AF_UNIX
// stream sockets".
func uxPeercredStream(t T, e *Env) {
	c, s := bUnixConn(t, e.API, unix.SOCK_STREAM, bPath(e, "p"))
	bCheckCred(t, e.API, c, "client")
	bCheckCred(t, e.API, s, "accepted")
}

// socket(7) SO_PEERCRED: possible "for ... AF_UNIX stream and datagram
// socket pairs created using socketpair(2)".
func uxPeercredPair(t T, e *Env) {
	for _, typ := range []int{unix.SOCK_STREAM, unix.SOCK_DGRAM} {
		fds, _ := bSocketpair(t, e.API, typ)
		bCheckCred(t, e.API, fds[0], "socketpair[0]")
		bCheckCred(t, e.API, fds[1], "socketpair[1]")
	}
}

// unix(7) errors: "EADDRINUSE The specified local address is already in use
// or the filesystem socket object already exists." The file outlives the
// socket.
func uxBindInUse(t T, e *Env) {
	sa := bPath(e, "u")
	first, closeFirst := bSockC(t, e.API, unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err := e.API.Bind(first, sa); err != nil {
		t.Fatalf("bind: %v", err)
	}
	second := bSock(t, e.API, unix.AF_UNIX, unix.SOCK_DGRAM, 0)
	bWantErr(t, "bind to a bound path", e.API.Bind(second, sa), unix.EADDRINUSE)
	closeFirst()
	third := bSock(t, e.API, unix.AF_UNIX, unix.SOCK_STREAM, 0)
	bWantErr(t, "bind to a path whose socket was closed", e.API.Bind(third, sa), unix.EADDRINUSE)
}

// unix(7) errors: "ENOENT The pathname in the remote address specified to
// connect(2) did not exist."
func uxConnectENOENT(t T, e *Env) {
	for _, typ := range []int{unix.SOCK_STREAM, unix.SOCK_DGRAM, unix.SOCK_SEQPACKET} {
		fd := bSock(t, e.API, unix.AF_UNIX, typ, 0)
		bWantErr(t, "connect to a missing path", e.API.Connect(fd, bPath(e, "missing")), unix.ENOENT)
	}
}

// unix(7) errors: "ECONNREFUSED The remote address specified by connect(2)
// was not a listening socket. This error can also occur if the target
// pathname is not a socket." A bound socket that does not listen, and the
// file left by a closed socket, both refuse.
func uxConnectRefused(t T, e *Env) {
	sa := bPath(e, "n")
	b, closeB := bSockC(t, e.API, unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err := e.API.Bind(b, sa); err != nil {
		t.Fatalf("bind: %v", err)
	}
	c := bSock(t, e.API, unix.AF_UNIX, unix.SOCK_STREAM, 0)
	bWantErr(t, "connect to a bound, not listening socket", e.API.Connect(c, sa), unix.ECONNREFUSED)
	closeB()
	c2 := bSock(t, e.API, unix.AF_UNIX, unix.SOCK_STREAM, 0)
	bWantErr(t, "connect to the path of a closed socket", e.API.Connect(c2, sa), unix.ECONNREFUSED)
	d := bSock(t, e.API, unix.AF_UNIX, unix.SOCK_DGRAM, 0)
	bWantErr(t, "datagram connect to the path of a closed socket", e.API.Connect(d, sa), unix.ECONNREFUSED)
}

// unix(7) errors: "EPROTOTYPE The remote socket does not match the local
// socket type (SOCK_DGRAM versus SOCK_STREAM)."
func uxConnectPrototype(t T, e *Env) {
	sa := bPath(e, "d")
	bUnixListen(t, e.API, unix.SOCK_DGRAM, sa)
	c := bSock(t, e.API, unix.AF_UNIX, unix.SOCK_STREAM, 0)
	bWantErr(t, "stream connect to a datagram socket", e.API.Connect(c, sa), unix.EPROTOTYPE)
	lsa := bPath(e, "l")
	bUnixListen(t, e.API, unix.SOCK_STREAM, lsa)
	d := bSock(t, e.API, unix.AF_UNIX, unix.SOCK_DGRAM, 0)
	bWantErr(t, "datagram connect to a stream listener", e.API.Connect(d, lsa), unix.EPROTOTYPE)
}

// unix(7) address format: getsockname(2) and getpeername(2) return the
// pathname a socket is bound to; an unbound connecting socket is unnamed,
// and the accepted socket carries the listener's name.
func uxNames(t T, e *Env) {
	sa := bPath(e, "x")
	lfd := bUnixListen(t, e.API, unix.SOCK_STREAM, sa)
	c := bSock(t, e.API, unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err := e.API.Connect(c, sa); err != nil {
		t.Fatalf("connect: %v", err)
	}
	s, from := bAccept(t, e.API, lfd)
	check := func(what string, got unix.Sockaddr, err error, want string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if (want == "" && !bUnnamed(got)) || (want != "" && bFmt(got) != "unix:"+want) {
			t.Errorf("%s = %s, want %q", what, bFmt(got), want)
		}
	}
	name, err := e.API.Getsockname(lfd)
	check("listener getsockname", name, err, sa.Name)
	peer, err := e.API.Getpeername(c)
	check("client getpeername", peer, err, sa.Name)
	name, err = e.API.Getsockname(c)
	check("client getsockname", name, err, "")
	name, err = e.API.Getsockname(s)
	check("accepted getsockname", name, err, sa.Name)
	peer, err = e.API.Getpeername(s)
	check("accepted getpeername", peer, err, "")
	check("accept address", from, nil, "")
}

// shutdown(2): SHUT_WR disallows further transmissions; the other end of a
// stream then reads end of file (0) after the data already sent.
func uxShutdownWR(t T, e *Env) {
	fds, _ := bSocketpair(t, e.API, unix.SOCK_STREAM)
	bWriteAll(t, e.API, fds[0], []byte("last"))
	if err := e.API.Shutdown(fds[0], unix.SHUT_WR); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if got := string(bReadN(t, e.API, fds[1], 4)); got != "last" {
		t.Fatalf("read %q, want last", got)
	}
	buf := make([]byte, 8)
	if n, err := e.API.Read(fds[1], buf); n != 0 || err != nil {
		t.Fatalf("read after SHUT_WR = %d, %v; want 0 (EOF)", n, err)
	}
	// The other direction still works.
	bWriteAll(t, e.API, fds[1], []byte("back"))
	if got := string(bReadN(t, e.API, fds[0], 4)); got != "back" {
		t.Fatalf("reverse direction read %q", got)
	}
}

// socket(7): "When writing onto a connection-oriented socket that has been
// shut down (by the local or the remote end) SIGPIPE is sent to the writing
// process and EPIPE is returned. The signal is not sent when the write call
// specified the MSG_NOSIGNAL flag."
func uxEPIPE(t T, e *Env) {
	for _, typ := range []int{unix.SOCK_STREAM, unix.SOCK_SEQPACKET} {
		fds, closers := bSocketpair(t, e.API, typ)
		closers[1]()
		err := e.API.Sendto(fds[0], []byte("x"), unix.MSG_NOSIGNAL, nil)
		bWantErr(t, "send after the peer closed", err, unix.EPIPE)
	}
	fds, _ := bSocketpair(t, e.API, unix.SOCK_STREAM)
	if err := e.API.Shutdown(fds[0], unix.SHUT_WR); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	err := e.API.Sendto(fds[0], []byte("x"), unix.MSG_NOSIGNAL, nil)
	bWantErr(t, "send after local SHUT_WR", err, unix.EPIPE)
}

// socket(7) SO_TYPE: "Gets the socket type as an integer (e.g.,
// SOCK_STREAM)"; SO_DOMAIN returns the domain and SO_PROTOCOL the protocol
// (0 for AF_UNIX).
func uxSoType(t T, e *Env) {
	for _, typ := range []int{unix.SOCK_STREAM, unix.SOCK_DGRAM, unix.SOCK_SEQPACKET} {
		fd := bSock(t, e.API, unix.AF_UNIX, typ, 0)
		for _, o := range []struct{ opt, want int }{
			{unix.SO_TYPE, typ}, {unix.SO_DOMAIN, unix.AF_UNIX}, {unix.SO_PROTOCOL, 0},
		} {
			v, err := e.API.GetsockoptInt(fd, unix.SOL_SOCKET, o.opt)
			if err != nil || v != o.want {
				t.Fatalf("type %d: getsockopt(%d) = %d, %v; want %d", typ, o.opt, v, err, o.want)
			}
		}
	}
}

// socket(7): with non-blocking I/O "all operations that would block will
// (usually) return with EAGAIN". A datagram socket whose peer never reads
// fills up and a MSG_DONTWAIT send fails with EAGAIN.
func uxDgramFull(t T, e *Env) {
	fds, _ := bSocketpair(t, e.API, unix.SOCK_DGRAM)
	msg := make([]byte, 512)
	for i := 0; i < 100000; i++ {
		err := e.API.Sendto(fds[0], msg, unix.MSG_DONTWAIT, nil)
		if err == nil {
			continue
		}
		bWantErr(t, "send to a full datagram peer", err, unix.EAGAIN)
		if i == 0 {
			t.Fatalf("EAGAIN on the very first datagram")
		}
		// Reading one datagram makes room for one more.
		if n, err := e.API.Read(fds[1], make([]byte, 1024)); err != nil || n != len(msg) {
			t.Fatalf("read = %d, %v; want %d", n, err, len(msg))
		}
		if err := e.API.Sendto(fds[0], msg, unix.MSG_DONTWAIT, nil); err != nil {
			t.Fatalf("send after the reader took a datagram: %v", err)
		}
		return
	}
	t.Fatalf("100000 datagrams to a peer that never reads, no EAGAIN")
}

// unix(7) abstract: the name is in a namespace of its own; "The abstract
// socket namespace ... automatically disappear[s] when all open references
// to the socket are closed."
func uxAbstractFreed(t T, e *Env) {
	sa := bAbstract(t)
	a, closeA := bSockC(t, e.API, unix.AF_UNIX, unix.SOCK_DGRAM, 0)
	if err := e.API.Bind(a, sa); err != nil {
		t.Fatalf("bind: %v", err)
	}
	b := bSock(t, e.API, unix.AF_UNIX, unix.SOCK_DGRAM, 0)
	bWantErr(t, "bind to a used abstract name", e.API.Bind(b, sa), unix.EADDRINUSE)
	closeA()
	if err := e.API.Bind(b, sa); err != nil {
		t.Fatalf("bind after the holder closed: %v, want success", err)
	}
}

// unix(7) autobind: "If a bind(2) call specifies addrlen as
// sizeof(sa_family_t) ... then the socket is autobound to an abstract
// address. The address consists of a null byte followed by 5 bytes in the
// character set [0-9a-f]."
func uxAutobind(t T, e *Env) {
	fd := bSock(t, e.API, unix.AF_UNIX, unix.SOCK_DGRAM, 0)
	if err := e.API.Bind(fd, &unix.SockaddrUnix{}); err != nil {
		t.Fatalf("bind with an empty address: %v", err)
	}
	sa, err := e.API.Getsockname(fd)
	if err != nil {
		t.Fatalf("getsockname: %v", err)
	}
	u, ok := sa.(*unix.SockaddrUnix)
	if !ok || !regexp.MustCompile(`^@[0-9a-f]{5}$`).MatchString(u.Name) {
		t.Fatalf("autobound name = %s, want @ and 5 hex digits", bFmt(sa))
	}
}
