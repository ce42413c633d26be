package conformance

import (
	"errors"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/sock"
)

// tcpUrgentCases check TCP urgent data as Linux implements it: tcp(7)
// "Sockets API" and ioctl SIOCATMARK, socket(7) SO_OOBINLINE, recv(2) and
// send(2) MSG_OOB, poll(2) POLLPRI. SIGURG is left out: the stack has no
// signals to raise.
func tcpUrgentCases() []Case {
	return []Case{
		{Name: "tcp/urgent-recv-oob-byte", Run: tcpUrgentRecvOOB},
		{Name: "tcp/urgent-read-stops-at-mark", Run: tcpUrgentReadStopsAtMark},
		{Name: "tcp/urgent-einval-without-urgent-data", Run: tcpUrgentEINVAL},
		{Name: "tcp/urgent-so-oobinline", Run: tcpUrgentOOBInline},
		{Name: "tcp/urgent-pollpri", Run: tcpUrgentPollPri},
		{Name: "tcp/urgent-msg-peek", Run: tcpUrgentPeek},
		{Name: "tcp/urgent-newer-replaces-older", Run: tcpUrgentReplaces},
		{Name: "tcp/urgent-announced-not-arrived", Run: tcpUrgentNotArrived},
		{Name: "tcp/urgent-mark-ends-waitall-and-lowat", Run: tcpUrgentWaitallLowat},
	}
}

// sendOOB sends p with MSG_OOB: send(2) "MSG_OOB Sends out-of-band data on
// sockets that support this notion (e.g., of type SOCK_STREAM)".
func sendOOB(t T, api sock.API, fd int, p []byte) {
	t.Helper()
	if n, err := api.SendmsgN(fd, p, nil, nil, unix.MSG_OOB); err != nil || n != len(p) {
		t.Fatalf("send(%q, MSG_OOB) = %d, %v", p, n, err)
	}
}

// recvOOB is recv(fd, n bytes, MSG_OOB|extra); it returns the bytes, the
// returned msg_flags and the error.
func recvOOB(api sock.API, fd, n, extra int) ([]byte, int, error) {
	b := make([]byte, n)
	k, _, rflags, _, err := api.Recvmsg(fd, b, nil, unix.MSG_OOB|extra)
	if err != nil {
		return nil, rflags, err
	}
	return b[:k], rflags, nil
}

// wantOOBByte fails the case unless recv(MSG_OOB|extra) returns exactly the
// byte b with MSG_OOB in msg_flags (recvmsg(2): "MSG_OOB is returned to
// indicate that expedited or out-of-band data were received").
func wantOOBByte(t T, api sock.API, fd, extra int, b byte) {
	t.Helper()
	got, rflags, err := recvOOB(api, fd, 8, extra)
	if err != nil || len(got) != 1 || got[0] != b || rflags&unix.MSG_OOB == 0 {
		t.Fatalf("recv(MSG_OOB|%#x) = %q flags %#x, %v; want %q with MSG_OOB", extra, got, rflags, err, b)
	}
}

// atMark returns SIOCATMARK for fd.
func atMark(t T, api sock.API, fd int) int {
	t.Helper()
	v, err := api.IoctlGetInt(fd, unix.SIOCATMARK)
	if err != nil {
		t.Fatalf("ioctl(SIOCATMARK): %v", err)
	}
	return v
}

// awaitPri waits for POLLPRI on fd (poll(2): "POLLPRI There is some
// exceptional condition ... out-of-band data on a TCP socket").
func awaitPri(t T, api sock.API, fd int) {
	t.Helper()
	if re := bAwait(t, api, fd, unix.POLLPRI, unix.POLLPRI); re&unix.POLLPRI == 0 {
		t.Fatalf("no POLLPRI within %v (revents %#x)", bWait, re)
	}
}

// tcp(7): "TCP provides limited support for out-of-band data, in the form
// of (a single byte of) urgent data": of send("XYZ", MSG_OOB) only Z is
// out of band; recv(MSG_OOB) returns it once, and a second time fails with
// EINVAL; X and Y stay in the normal stream.
func tcpUrgentRecvOOB(t T, e *Env) {
	p := bConnectTCP(t, e, e.PeerAddr4)
	bWriteAll(t, e.Peer, p.Server, []byte("abc"))
	sendOOB(t, e.Peer, p.Server, []byte("XYZ"))
	awaitPri(t, e.API, p.Client)
	wantOOBByte(t, e.API, p.Client, 0, 'Z')
	_, _, err := recvOOB(e.API, p.Client, 8, 0)
	bWantErr(t, "second recv(MSG_OOB)", err, unix.EINVAL)
	if got := string(bReadN(t, e.API, p.Client, 5)); got != "abcXY" {
		t.Fatalf("normal data %q, want abcXY", got)
	}
}

// tcp(7) SIOCATMARK: "Returns true (i.e., a nonzero value) if the inbound
// data stream is at the urgent mark. ... If the SO_OOBINLINE socket option
// is not set, and SIOCATMARK returns true, then the next read from the
// socket will return the bytes following the urgent data ... Note that a
// read never reads across the urgent mark." Reading past the mark without
// recv(MSG_OOB) loses the byte on Linux: recv(MSG_OOB) is then EINVAL.
func tcpUrgentReadStopsAtMark(t T, e *Env) {
	p := bConnectTCP(t, e, e.PeerAddr4)
	bWriteAll(t, e.API, p.Client, []byte("abc"))
	sendOOB(t, e.API, p.Client, []byte("!"))
	bWriteAll(t, e.API, p.Client, []byte("def"))
	awaitPri(t, e.Peer, p.Server)
	if m := atMark(t, e.Peer, p.Server); m != 0 {
		t.Fatalf("SIOCATMARK before reading = %d, want 0", m)
	}
	buf := make([]byte, 100)
	n, err := e.Peer.Read(p.Server, buf)
	if err != nil || string(buf[:n]) != "abc" {
		t.Fatalf("read = %q, %v; want abc (stop at the mark)", buf[:n], err)
	}
	if m := atMark(t, e.Peer, p.Server); m != 1 {
		t.Fatalf("SIOCATMARK at the mark = %d, want 1", m)
	}
	if got := string(bReadN(t, e.Peer, p.Server, 3)); got != "def" {
		t.Fatalf("read after the mark %q, want def (the urgent byte skipped)", got)
	}
	if m := atMark(t, e.Peer, p.Server); m != 0 {
		t.Fatalf("SIOCATMARK past the mark = %d, want 0", m)
	}
	_, _, err = recvOOB(e.Peer, p.Server, 8, 0)
	bWantErr(t, "recv(MSG_OOB) after reading past the mark", err, unix.EINVAL)
}

// recv(2) EINVAL "Invalid argument passed": with no urgent data pending
// Linux answers recv(MSG_OOB) with EINVAL, blocking or not, and SIOCATMARK
// is 0; on a listening socket recv is ENOTCONN ("The socket is associated
// with a connection-oriented protocol and has not been connected"); an
// unconnected socket has no urgent data (EINVAL) and send(MSG_OOB) there
// is EPIPE like any send.
func tcpUrgentEINVAL(t T, e *Env) {
	p := bConnectTCP(t, e, e.PeerAddr4)
	_, _, err := recvOOB(e.API, p.Client, 8, 0)
	bWantErr(t, "recv(MSG_OOB) on a fresh connection", err, unix.EINVAL)
	bWriteAll(t, e.Peer, p.Server, []byte("plain"))
	if got := string(bReadN(t, e.API, p.Client, 5)); got != "plain" {
		t.Fatalf("read %q", got)
	}
	_, _, err = recvOOB(e.API, p.Client, 8, unix.MSG_DONTWAIT)
	bWantErr(t, "recv(MSG_OOB|MSG_DONTWAIT) after plain data", err, unix.EINVAL)
	if m := atMark(t, e.API, p.Client); m != 0 {
		t.Fatalf("SIOCATMARK without urgent data = %d", m)
	}
	lfd, _ := bListen(t, e.API, e.Addr4)
	_, _, err = recvOOB(e.API, lfd, 8, 0)
	bWantErr(t, "recv(MSG_OOB) on a listener", err, unix.ENOTCONN)
	if m := atMark(t, e.API, lfd); m != 0 {
		t.Fatalf("SIOCATMARK on a listener = %d", m)
	}
	fd := bSock(t, e.API, unix.AF_INET, unix.SOCK_STREAM, 0)
	_, _, err = recvOOB(e.API, fd, 8, 0)
	bWantErr(t, "recv(MSG_OOB) unconnected", err, unix.EINVAL)
	_, err = e.API.SendmsgN(fd, []byte("x"), nil, nil, unix.MSG_OOB|unix.MSG_NOSIGNAL)
	bWantErr(t, "send(MSG_OOB) unconnected", err, unix.EPIPE)
}

// socket(7) SO_OOBINLINE: "If this option is enabled, out-of-band data is
// directly placed into the receive data stream. Otherwise, out-of-band
// data is passed only when the MSG_OOB flag is set during receiving."
// tcp(7): "If the SO_OOBINLINE socket option is set, and SIOCATMARK
// returns true, then the next read from the socket will return the urgent
// data." recv(MSG_OOB) is EINVAL; POLLPRI is still reported.
func tcpUrgentOOBInline(t T, e *Env) {
	p := bConnectTCP(t, e, e.PeerAddr4)
	setIntOpt(t, e.API, p.Client, unix.SOL_SOCKET, unix.SO_OOBINLINE, 1)
	bWriteAll(t, e.Peer, p.Server, []byte("ab"))
	sendOOB(t, e.Peer, p.Server, []byte("U"))
	bWriteAll(t, e.Peer, p.Server, []byte("cd"))
	awaitPri(t, e.API, p.Client)
	_, _, err := recvOOB(e.API, p.Client, 8, 0)
	bWantErr(t, "recv(MSG_OOB) with SO_OOBINLINE", err, unix.EINVAL)
	buf := make([]byte, 100)
	n, err := e.API.Read(p.Client, buf)
	if err != nil || string(buf[:n]) != "ab" {
		t.Fatalf("read = %q, %v; want ab (stop at the mark)", buf[:n], err)
	}
	if m := atMark(t, e.API, p.Client); m != 1 {
		t.Fatalf("SIOCATMARK = %d, want 1", m)
	}
	if got := string(bReadN(t, e.API, p.Client, 3)); got != "Ucd" {
		t.Fatalf("read at the mark %q, want Ucd (urgent byte inline)", got)
	}
	if m := atMark(t, e.API, p.Client); m != 0 {
		t.Fatalf("SIOCATMARK past the mark = %d, want 0", m)
	}
}

// poll(2): "POLLPRI There is some exceptional condition on the file
// descriptor. Possibilities include: There is out-of-band data on a TCP
// socket (see tcp(7))." It is reported while the urgent byte waits and
// cleared by recv(MSG_OOB); tcp(7) "a read never reads across the urgent
// mark", so with only the urgent byte queued POLLIN is not reported.
func tcpUrgentPollPri(t T, e *Env) {
	p := bConnectTCP(t, e, e.PeerAddr4)
	bWriteAll(t, e.Peer, p.Server, []byte("x"))
	bReadN(t, e.API, p.Client, 1)
	if n, re := bPollOne(t, e.API, p.Client, unix.POLLIN|unix.POLLPRI, 0); n != 0 {
		t.Fatalf("before urgent data: revents %#x, want none", re)
	}
	sendOOB(t, e.Peer, p.Server, []byte("Z"))
	awaitPri(t, e.API, p.Client)
	if _, re := bPollOne(t, e.API, p.Client, unix.POLLIN|unix.POLLPRI, 0); re != unix.POLLPRI {
		t.Fatalf("only the urgent byte queued: revents %#x, want exactly POLLPRI", re)
	}
	wantOOBByte(t, e.API, p.Client, 0, 'Z')
	if n, re := bPollOne(t, e.API, p.Client, unix.POLLIN|unix.POLLPRI, 0); n != 0 {
		t.Fatalf("after recv(MSG_OOB): revents %#x, want none", re)
	}
}

// recv(2) "MSG_PEEK This flag causes the receive operation to return data
// from the beginning of the receive queue without removing that data from
// the queue": with MSG_OOB it peeks at the urgent byte, which recv(MSG_OOB)
// then still returns. A zero-length recv(MSG_OOB) takes the byte and
// reports MSG_TRUNC (recvmsg(2): "MSG_TRUNC indicates that the trailing
// portion of a datagram was discarded"), as Linux does.
func tcpUrgentPeek(t T, e *Env) {
	p := bConnectTCP(t, e, e.PeerAddr4)
	bWriteAll(t, e.Peer, p.Server, []byte("ab"))
	sendOOB(t, e.Peer, p.Server, []byte("P"))
	awaitPri(t, e.API, p.Client)
	wantOOBByte(t, e.API, p.Client, unix.MSG_PEEK, 'P')
	wantOOBByte(t, e.API, p.Client, unix.MSG_PEEK, 'P')
	wantOOBByte(t, e.API, p.Client, 0, 'P')
	_, _, err := recvOOB(e.API, p.Client, 8, unix.MSG_PEEK)
	bWantErr(t, "recv(MSG_OOB|MSG_PEEK) after the byte was read", err, unix.EINVAL)
	if got := string(bReadN(t, e.API, p.Client, 2)); got != "ab" {
		t.Fatalf("normal data %q, want ab", got)
	}
	sendOOB(t, e.Peer, p.Server, []byte("Q"))
	awaitPri(t, e.API, p.Client)
	n, _, rflags, _, err := e.API.Recvmsg(p.Client, nil, nil, unix.MSG_OOB)
	if err != nil || n != 0 || rflags != unix.MSG_OOB|unix.MSG_TRUNC {
		t.Fatalf("zero-length recv(MSG_OOB) = %d flags %#x, %v; want 0 with MSG_OOB|MSG_TRUNC", n, rflags, err)
	}
	_, _, err = recvOOB(e.API, p.Client, 8, 0)
	bWantErr(t, "recv(MSG_OOB) after a zero-length one", err, unix.EINVAL)
}

// tcp(7): "In Linux this means if the other end sends newer out-of-band
// data the older urgent data is inserted as normal data into the stream
// (even when SO_OOBINLINE is not set)."
func tcpUrgentReplaces(t T, e *Env) {
	p := bConnectTCP(t, e, e.PeerAddr4)
	bWriteAll(t, e.API, p.Client, []byte("ab"))
	sendOOB(t, e.API, p.Client, []byte("1"))
	bWriteAll(t, e.API, p.Client, []byte("cd"))
	sendOOB(t, e.API, p.Client, []byte("2"))
	bWriteAll(t, e.API, p.Client, []byte("ef"))
	var last []byte
	if !waitUntil(func() bool {
		last, _, _ = recvOOB(e.Peer, p.Server, 8, unix.MSG_PEEK)
		return string(last) == "2"
	}) {
		t.Fatalf("recv(MSG_OOB|MSG_PEEK) = %q, want the newer urgent byte 2", last)
	}
	if got := string(bReadN(t, e.Peer, p.Server, 5)); got != "ab1cd" {
		t.Fatalf("read up to the mark %q, want ab1cd (the older byte inline)", got)
	}
	if m := atMark(t, e.Peer, p.Server); m != 1 {
		t.Fatalf("SIOCATMARK = %d, want 1", m)
	}
	wantOOBByte(t, e.Peer, p.Server, 0, '2')
	if got := string(bReadN(t, e.Peer, p.Server, 2)); got != "ef" {
		t.Fatalf("read after the mark %q, want ef", got)
	}
}

// RFC 9293 §3.8.5: the urgent pointer may reach the receiver before the
// urgent byte (here the receiver's window is closed). Linux then answers
// recv(MSG_OOB) with EAGAIN without blocking (recv(2) EAGAIN: "the receive
// operation would block"; tcp(7) urgent data never blocks the caller), and
// delivers the byte once the data before it has been read.
func tcpUrgentNotArrived(t T, e *Env) {
	// tcp(7): "the socket buffer size must be set prior to the listen(2)
	// or connect(2) calls in order to have it take effect."
	lfd, lsa := bBind(t, e.Peer, unix.SOCK_STREAM, e.PeerAddr4)
	setIntOpt(t, e.Peer, lfd, unix.SOL_SOCKET, unix.SO_RCVBUF, 2048)
	if err := e.Peer.Listen(lfd, 4); err != nil {
		t.Fatalf("listen: %v", err)
	}
	c := bSock(t, e.API, unix.AF_INET, unix.SOCK_STREAM, 0)
	setIntOpt(t, e.API, c, unix.SOL_SOCKET, unix.SO_SNDBUF, 200000)
	if err := e.API.Connect(c, lsa); err != nil {
		t.Fatalf("connect: %v", err)
	}
	s, _, _ := bAcceptC(t, e.Peer, lfd)
	const bulk = 30000 // well past the receive window, within 0xffff
	if n, err := e.API.SendmsgN(c, pattern(bulk, 3), nil, nil, unix.MSG_DONTWAIT); err != nil || n != bulk {
		t.Fatalf("send %d bytes = %d, %v", bulk, n, err)
	}
	if n, err := e.API.SendmsgN(c, []byte("!"), nil, nil, unix.MSG_OOB|unix.MSG_DONTWAIT); err != nil || n != 1 {
		t.Fatalf("send(MSG_OOB) = %d, %v", n, err)
	}
	var err error
	if !waitUntil(func() bool {
		_, _, err = recvOOB(e.Peer, s, 8, 0) // a blocking socket: must not block
		return errors.Is(err, unix.EAGAIN)
	}) {
		t.Fatalf("recv(MSG_OOB) with the pointer announced: %v, want EAGAIN", err)
	}
	if _, re := bPollOne(t, e.Peer, s, unix.POLLPRI, 0); re&unix.POLLPRI != 0 {
		t.Fatalf("POLLPRI before the urgent byte arrived")
	}
	start := time.Now()
	if got := bReadN(t, e.Peer, s, bulk); string(got) != string(pattern(bulk, 3)) {
		t.Fatalf("bulk data differs")
	}
	awaitPri(t, e.Peer, s)
	if m := atMark(t, e.Peer, s); m != 1 {
		t.Fatalf("SIOCATMARK after the bulk = %d, want 1", m)
	}
	wantOOBByte(t, e.Peer, s, 0, '!')
	t.Logf("bulk read and urgent byte in %v", time.Since(start))
}

// tcp(7) SIOCATMARK: "Note that a read never reads across the urgent
// mark" — not even one that asked for more: recv(2) MSG_WAITALL ("block
// until the full request is satisfied") and socket(7) SO_RCVLOWAT ("the
// minimum number of bytes in the buffer until the socket layer will pass
// the data to the user") both return the bytes before the mark at once.
func tcpUrgentWaitallLowat(t T, e *Env) {
	p := bConnectTCP(t, e, e.PeerAddr4)
	bWriteAll(t, e.Peer, p.Server, []byte("abc"))
	sendOOB(t, e.Peer, p.Server, []byte("!"))
	bWriteAll(t, e.Peer, p.Server, []byte("def"))
	awaitPri(t, e.API, p.Client)
	start := time.Now()
	buf := make([]byte, 7)
	n, _, err := e.API.Recvfrom(p.Client, buf, unix.MSG_WAITALL)
	if err != nil || string(buf[:n]) != "abc" {
		t.Fatalf("recv(7, MSG_WAITALL) = %q, %v; want abc (stop at the mark)", buf[:n], err)
	}
	wantOOBByte(t, e.API, p.Client, 0, '!')
	if got := string(bReadN(t, e.API, p.Client, 3)); got != "def" {
		t.Fatalf("read after the mark %q, want def", got)
	}
	setIntOpt(t, e.API, p.Client, unix.SOL_SOCKET, unix.SO_RCVLOWAT, 5)
	bWriteAll(t, e.Peer, p.Server, []byte("gh"))
	sendOOB(t, e.Peer, p.Server, []byte("?"))
	awaitPri(t, e.API, p.Client)
	n, err = e.API.Read(p.Client, buf)
	if err != nil || string(buf[:n]) != "gh" {
		t.Fatalf("read with SO_RCVLOWAT 5 = %q, %v; want gh (stop at the mark)", buf[:n], err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("the reads waited %v: the mark should end them at once", d)
	}
}
