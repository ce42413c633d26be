package conformance

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/sock"
)

func tcpCases() []Case {
	return append(tcpStreamCases(), tcpStateCases()...)
}

func tcpStreamCases() []Case {
	return []Case{
		{Name: "tcp/echo-one-client", Run: tcpEchoOneClient},
		{Name: "tcp/echo-many-clients", Run: tcpEchoManyClients},
		{Name: "tcp/half-close-shut-wr", Run: tcpHalfCloseShutWR},
		{Name: "tcp/shut-rd", Run: tcpShutRD},
		{Name: "tcp/shut-rdwr", Run: tcpShutRDWR},
		{Name: "tcp/msg-peek", Run: tcpMsgPeek},
		{Name: "tcp/msg-waitall", Run: tcpMsgWaitall},
		{Name: "tcp/msg-dontwait-eagain", Run: tcpMsgDontwait},
		{Name: "tcp/msg-nosignal-epipe", Run: tcpMsgNosignalEPIPE},
		{Name: "tcp/epipe-after-peer-close", Run: tcpEPIPEAfterPeerClose},
		{Name: "tcp/read-eof-repeated", Run: tcpReadEOFRepeated},
		{Name: "tcp/read-write-methods", Run: tcpReadWriteMethods},
		{Name: "tcp/dup-shares-connection", Run: tcpDupShares},
		{Name: "tcp/fionread-queued-bytes", Run: tcpFIONREAD},
		{Name: "tcp/siocoutq-unsent-bytes", Run: tcpSIOCOUTQ},
		{Name: "tcp/linger-zero-rst", Run: tcpLingerZeroRST},
	}
}

// serveEcho is the seed's serv_client: recv until 0 (EOF) or an error,
// sending back what arrived, then close. It runs in its own goroutine and so
// reports through the returned error, never t.Fatal.
func serveEcho(api sock.API, fd int) error {
	defer api.Close(fd)
	buf := make([]byte, 2048)
	for {
		n, _, err := api.Recvfrom(fd, buf, 0)
		if err != nil {
			return fmt.Errorf("echo recv: %w", err)
		}
		if n == 0 {
			return nil
		}
		if err := api.Sendto(fd, buf[:n], 0, nil); err != nil {
			return fmt.Errorf("echo send: %w", err)
		}
	}
}

// echoClient sends each message with send and reads back its echo with recv.
func echoClient(api sock.API, fd int, msgs [][]byte) error {
	for _, m := range msgs {
		if err := api.Sendto(fd, m, 0, nil); err != nil {
			return fmt.Errorf("send: %w", err)
		}
		got := make([]byte, 0, len(m))
		buf := make([]byte, len(m))
		for len(got) < len(m) {
			n, _, err := api.Recvfrom(fd, buf[:len(m)-len(got)], 0)
			if err != nil {
				return fmt.Errorf("recv: %w", err)
			}
			if n == 0 {
				return errors.New("recv: EOF before the echo")
			}
			got = append(got, buf[:n]...)
		}
		if string(got) != string(m) {
			return fmt.Errorf("echo: got %q, want %q", clip(got), clip(m))
		}
	}
	return nil
}

// seed 003 "Example: TCP Echo Server": socket, SO_REUSEADDR, bind, listen
// (SOMAXCONN), accept, then "while ((len = recv(fd, buf, ...)) > 0) send(fd,
// buf, len, 0)"; the client (telnet) sees every line echoed.
func tcpEchoOneClient(t T, e *Env) {
	lfd := open(t, e.Peer, inetDomain(e.PeerAddr4), unix.SOCK_STREAM, unix.IPPROTO_TCP)
	boundIO(t, e.Peer, lfd)
	setIntOpt(t, e.Peer, lfd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
	if err := e.Peer.Bind(lfd, sockaddr(e.PeerAddr4, 0)); err != nil {
		t.Fatalf("bind: %v", err)
	}
	if err := e.Peer.Listen(lfd, unix.SOMAXCONN); err != nil {
		t.Fatalf("listen: %v", err)
	}
	lsa, err := e.Peer.Getsockname(lfd)
	if err != nil {
		t.Fatalf("getsockname: %v", err)
	}
	cfd, closeClient := tcpDial(t, e.API, lsa)
	sfd, psa, err := e.Peer.Accept4(lfd, 0)
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	boundIO(t, e.Peer, sfd)
	csa, _ := e.API.Getsockname(cfd)
	if !sameInet(psa, csa) {
		t.Errorf("accept: peer %v, client's getsockname %v", inetAddrPort(psa), inetAddrPort(csa))
	}
	done := make(chan error, 1)
	go func() { done <- serveEcho(e.Peer, sfd) }()
	msgs := [][]byte{[]byte("abcde\r\n"), []byte("12345\r\n"), []byte("hello\r\n")}
	if err := echoClient(e.API, cfd, msgs); err != nil {
		t.Error(err)
	}
	closeClient()
	if err := <-done; err != nil {
		t.Error(err)
	}
}

// seed 003: the echo server's accept loop serves every client that connects
// ("accept(2) ... return: file descriptor connected to the client"); here 20
// clients at once, each echoing its own data.
func tcpEchoManyClients(t T, e *Env) {
	const clients = 20
	lfd, lsa := tcpListenOn(t, e.Peer, e.PeerAddr4, unix.SOMAXCONN)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < clients; i++ {
			nfd, _, err := e.Peer.Accept4(lfd, 0)
			if err != nil {
				t.Errorf("accept %d: %v", i, err)
				return
			}
			e.Peer.SetsockoptTimeval(nfd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: ioBoundSeconds})
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := serveEcho(e.Peer, nfd); err != nil {
					t.Errorf("server %d: %v", i, err)
				}
			}()
		}
	}()
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// x/sys/unix encodes a Sockaddr into the value itself, so
			// each goroutine needs its own.
			if err := manyEchoClient(e.API, copyInet(lsa), i); err != nil {
				t.Errorf("client %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
}

// manyEchoClient connects to lsa, echoes three messages unique to client i
// and closes.
func manyEchoClient(api sock.API, lsa unix.Sockaddr, i int) error {
	fd, err := api.Socket(familyOf(lsa), unix.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	defer api.Close(fd)
	tv := &unix.Timeval{Sec: ioBoundSeconds}
	api.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, tv)
	api.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_SNDTIMEO, tv)
	if err := api.Connect(fd, lsa); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	msgs := [][]byte{
		[]byte(fmt.Sprintf("client %d says hello", i)),
		pattern(1000+i*37, byte(i)),
		[]byte(fmt.Sprintf("client %d says bye", i)),
	}
	return echoClient(api, fd, msgs)
}

// seed 003 shutdown(2): "able to half-close a socket descriptor". After
// SHUT_WR the peer reads EOF (0) and can still send back.
func tcpHalfCloseShutWR(t T, e *Env) {
	p := tcpConnected(t, e)
	writeAll(t, e.API, p.client, []byte("request"))
	if err := e.API.Shutdown(p.client, unix.SHUT_WR); err != nil {
		t.Fatalf("shutdown(SHUT_WR): %v", err)
	}
	expectBytes(t, "server read", readExactly(t, e.Peer, p.server, 7), []byte("request"))
	expectEOF(t, e.Peer, p.server, "server after SHUT_WR")
	writeAll(t, e.Peer, p.server, []byte("response"))
	expectBytes(t, "client read after its SHUT_WR", readExactly(t, e.API, p.client, 8), []byte("response"))
	_, err := e.API.Write(p.client, []byte("x"))
	// socket(7): "When writing onto a connection-oriented socket that has
	// been shut down (by the local or the remote end) ... EPIPE is returned."
	wantErrno(t, "write after SHUT_WR", err, unix.EPIPE)
}

// shutdown(2): SHUT_RD: "further receptions will be disallowed" — a read
// returns 0 at once; the write side still works.
func tcpShutRD(t T, e *Env) {
	p := tcpConnected(t, e)
	if err := e.API.Shutdown(p.client, unix.SHUT_RD); err != nil {
		t.Fatalf("shutdown(SHUT_RD): %v", err)
	}
	expectEOF(t, e.API, p.client, "read after SHUT_RD")
	writeAll(t, e.API, p.client, []byte("still writing"))
	expectBytes(t, "peer read", readExactly(t, e.Peer, p.server, 13), []byte("still writing"))
}

// shutdown(2): SHUT_RDWR: "further receptions and transmissions will be
// disallowed": read returns 0, write fails with EPIPE, the peer reads EOF.
func tcpShutRDWR(t T, e *Env) {
	p := tcpConnected(t, e)
	if err := e.API.Shutdown(p.client, unix.SHUT_RDWR); err != nil {
		t.Fatalf("shutdown(SHUT_RDWR): %v", err)
	}
	expectEOF(t, e.API, p.client, "read after SHUT_RDWR")
	err := e.API.Sendto(p.client, []byte("x"), unix.MSG_NOSIGNAL, nil)
	wantErrno(t, "send after SHUT_RDWR", err, unix.EPIPE)
	expectEOF(t, e.Peer, p.server, "peer read")
}

// seed 003 recv flags: "MSG_PEEK Return packet contents without consuming
// packet": the next recv returns the same bytes.
func tcpMsgPeek(t T, e *Env) {
	p := tcpConnected(t, e)
	writeAll(t, e.Peer, p.server, []byte("peekaboo"))
	if awaitEvents(t, e.API, p.client, unix.POLLIN)&unix.POLLIN == 0 {
		t.Fatal("no data within the bound")
	}
	if !waitUntil(func() bool { n, _ := e.API.IoctlGetInt(p.client, unix.SIOCINQ); return n == 8 }) {
		t.Fatal("8 bytes never queued")
	}
	buf := make([]byte, 4)
	n, _, err := e.API.Recvfrom(p.client, buf, unix.MSG_PEEK)
	if err != nil || n != 4 {
		t.Fatalf("recv(MSG_PEEK) = %d, %v", n, err)
	}
	expectBytes(t, "peek", buf[:n], []byte("peek"))
	expectBytes(t, "read after peek", readExactly(t, e.API, p.client, 8), []byte("peekaboo"))
}

// seed 003 recv flags: "MSG_WAITALL Wait until all data is available, i.e.,
// the passed buffer is all filled (SOCK_STREAM only)" — here across three
// separate sends.
func tcpMsgWaitall(t T, e *Env) {
	p := tcpConnected(t, e)
	parts := [][]byte{pattern(100, 1), pattern(2000, 2), pattern(300, 3)}
	var want []byte
	for _, part := range parts {
		want = append(want, part...)
	}
	done := make(chan error, 1)
	go func() {
		for _, part := range parts {
			if _, err := e.Peer.Write(p.server, part); err != nil {
				done <- err
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		done <- nil
	}()
	buf := make([]byte, len(want))
	n, _, err := e.API.Recvfrom(p.client, buf, unix.MSG_WAITALL)
	if err != nil || n != len(want) {
		t.Errorf("recv(MSG_WAITALL) = %d, %v; want %d", n, err, len(want))
	}
	expectBytes(t, "MSG_WAITALL data", buf[:max(n, 0)], want)
	if err := <-done; err != nil {
		t.Errorf("peer write: %v", err)
	}
}

// seed 003 send flags: "MSG_DONTWAIT Enable non-blocking operation
// (equivalent to using O_NONBLOCK)"; socket(7): operations that would block
// "return with EAGAIN".
func tcpMsgDontwait(t T, e *Env) {
	p := tcpConnected(t, e)
	_, _, err := e.API.Recvfrom(p.client, make([]byte, 8), unix.MSG_DONTWAIT)
	wantErrno(t, "recv(MSG_DONTWAIT) on empty queue", err, unix.EAGAIN)
	writeAll(t, e.Peer, p.server, []byte("now"))
	awaitEvents(t, e.API, p.client, unix.POLLIN)
	n, _, err := e.API.Recvfrom(p.client, make([]byte, 8), unix.MSG_DONTWAIT)
	if err != nil || n != 3 {
		t.Errorf("recv(MSG_DONTWAIT) with data = %d, %v; want 3", n, err)
	}
}

// writeUntilError writes (with flags) until the connection reports an error
// and returns it, or nil if it never did within the I/O bound.
func writeUntilError(e *Env, fd, flags int) error {
	var err error
	waitUntil(func() bool {
		err = e.API.Sendto(fd, []byte("ping"), flags, nil)
		return err != nil
	})
	return err
}

// socket(7): "When writing onto a connection-oriented socket that has been
// shut down (by the local or the remote end) SIGPIPE is sent ... and EPIPE is
// returned. The signal is not sent when the write call specified the
// MSG_NOSIGNAL flag."
func tcpMsgNosignalEPIPE(t T, e *Env) {
	p := tcpConnected(t, e)
	p.closeServer()
	expectEOF(t, e.API, p.client, "client read after peer close")
	// The first send reaches a closed peer, which answers with RST; a
	// later send fails.
	wantErrno(t, "send(MSG_NOSIGNAL) to a closed peer", writeUntilError(e, p.client, unix.MSG_NOSIGNAL), unix.EPIPE)
}

// socket(7) "SIGPIPE/EPIPE": write(2) onto a connection the peer has closed
// eventually returns EPIPE (the first write after the close may succeed; its
// RST makes later ones fail).
func tcpEPIPEAfterPeerClose(t T, e *Env) {
	p := tcpConnected(t, e)
	p.closeServer()
	expectEOF(t, e.API, p.client, "client read after peer close")
	var err error
	waitUntil(func() bool {
		_, err = e.API.Write(p.client, []byte("data"))
		return err != nil
	})
	wantErrno(t, "write to a closed peer", err, unix.EPIPE)
}

// seed 003 recv: "return: number of bytes received, 0 if no message available
// (EOF)" — and every further read at EOF returns 0 again.
func tcpReadEOFRepeated(t T, e *Env) {
	p := tcpConnected(t, e)
	writeAll(t, e.Peer, p.server, []byte("last"))
	p.closeServer()
	expectBytes(t, "data before FIN", readExactly(t, e.API, p.client, 4), []byte("last"))
	for i := 0; i < 3; i++ {
		expectEOF(t, e.API, p.client, fmt.Sprintf("read %d at EOF", i+1))
	}
}

// seed 003: "read(2) equivalent to recv(2) without any flags; write(2)
// equivalent to send(2) without any flags".
func tcpReadWriteMethods(t T, e *Env) {
	p := tcpConnected(t, e)
	out := pattern(5000, 7)
	done := make(chan error, 1)
	go func() {
		_, err := e.API.Write(p.client, out)
		done <- err
	}()
	expectBytes(t, "read what write sent", readExactly(t, e.Peer, p.server, len(out)), out)
	if err := <-done; err != nil {
		t.Errorf("write: %v", err)
	}
	writeAll(t, e.Peer, p.server, []byte("back"))
	n, _, err := e.API.Recvfrom(p.client, make([]byte, 4), 0)
	if err != nil || n != 4 {
		t.Errorf("recv of write's bytes = %d, %v", n, err)
	}
}

// seed 003: "dup(2), dup2(2): Duplicates the file descriptor as normal" —
// both descriptors name one connection, which lives until the last closes.
func tcpDupShares(t T, e *Env) {
	p := tcpConnected(t, e)
	dfd, err := e.API.Dup(p.client)
	if err != nil {
		t.Fatalf("dup: %v", err)
	}
	closeDup := closeOnce(t, e.API, dfd)
	writeAll(t, e.API, dfd, []byte("via dup"))
	expectBytes(t, "peer read", readExactly(t, e.Peer, p.server, 7), []byte("via dup"))
	p.closeClient()
	writeAll(t, e.Peer, p.server, []byte("to dup"))
	expectBytes(t, "dup read after original closed", readExactly(t, e.API, dfd, 6), []byte("to dup"))
	closeDup()
	expectEOF(t, e.Peer, p.server, "peer after the last descriptor closed")
}

// tcp(7) ioctls: "SIOCINQ Returns the amount of queued unread data in the
// receive buffer" (FIONREAD is the same request).
func tcpFIONREAD(t T, e *Env) {
	p := tcpConnected(t, e)
	if n, err := e.API.IoctlGetInt(p.client, fionread); err != nil || n != 0 {
		t.Errorf("FIONREAD on an empty queue = %d, %v", n, err)
	}
	writeAll(t, e.Peer, p.server, pattern(1234, 9))
	var n int
	if !waitUntil(func() bool { n, _ = e.API.IoctlGetInt(p.client, fionread); return n == 1234 }) {
		t.Fatalf("FIONREAD = %d, want 1234", n)
	}
	readExactly(t, e.API, p.client, 1000)
	if n, err := e.API.IoctlGetInt(p.client, unix.SIOCINQ); err != nil || n != 234 {
		t.Errorf("SIOCINQ after reading 1000 = %d, %v; want 234", n, err)
	}
}

// tcp(7) ioctls: "SIOCOUTQ Returns the amount of unsent data in the socket
// send queue": non-zero while the peer's window is closed, 0 once the peer
// has read (and acknowledged) everything.
func tcpSIOCOUTQ(t T, e *Env) {
	p := tcpConnected(t, e)
	if n, err := e.API.IoctlGetInt(p.client, unix.SIOCOUTQ); err != nil || n != 0 {
		t.Errorf("SIOCOUTQ on an idle socket = %d, %v", n, err)
	}
	sent := fillSendPath(t, e.API, p.client)
	if n, err := e.API.IoctlGetInt(p.client, unix.SIOCOUTQ); err != nil || n <= 0 {
		t.Errorf("SIOCOUTQ with a full send path = %d, %v; want > 0", n, err)
	}
	readExactly(t, e.Peer, p.server, sent)
	var n int
	if !waitUntil(func() bool { n, _ = e.API.IoctlGetInt(p.client, unix.SIOCOUTQ); return n == 0 }) {
		t.Errorf("SIOCOUTQ after the peer read all = %d, want 0", n)
	}
}

// fillSendPath writes with MSG_DONTWAIT until EAGAIN (peer receive buffer
// and local send buffer full) and returns the bytes written.
func fillSendPath(t T, api sock.API, fd int) int {
	t.Helper()
	chunk := pattern(16384, 5)
	total := 0
	for i := 0; i < 100000; i++ {
		n, err := api.SendmsgN(fd, chunk, nil, nil, unix.MSG_DONTWAIT)
		if errors.Is(err, unix.EAGAIN) {
			return total
		}
		if err != nil {
			t.Fatalf("send(MSG_DONTWAIT) after %d bytes: %v", total, err)
		}
		total += n
	}
	t.Fatalf("send never returned EAGAIN after %d bytes", total)
	return total
}

// socket(7) SO_LINGER: "When enabled, a close(2) ... will not return until
// all queued messages for the socket have been successfully sent or the
// linger timeout has been reached" — with a zero timeout the connection is
// aborted: RFC 9293 §3.10.4 ABORT "send a reset segment", which the peer's
// read reports as ECONNRESET.
func tcpLingerZeroRST(t T, e *Env) {
	p := tcpConnected(t, e)
	if err := e.API.SetsockoptLinger(p.client, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0}); err != nil {
		t.Fatalf("setsockopt(SO_LINGER): %v", err)
	}
	p.closeClient()
	if awaitEvents(t, e.Peer, p.server, unix.POLLIN)&(unix.POLLIN|unix.POLLERR|unix.POLLHUP) == 0 {
		t.Fatal("the RST never arrived")
	}
	_, err := e.Peer.Read(p.server, make([]byte, 8))
	wantErrno(t, "peer read after linger-0 close", err, unix.ECONNRESET)
}

func tcpStateCases() []Case {
	return []Case{
		{Name: "tcp/nonblock-accept-eagain", Run: tcpNonblockAccept},
		{Name: "tcp/nonblock-connect-einprogress", Run: tcpNonblockConnect},
		{Name: "tcp/connect-refused-blocking", Run: tcpConnectRefused},
		{Name: "tcp/connect-refused-nonblock", Run: tcpConnectRefusedNonblock},
		{Name: "tcp/getsockname-getpeername", Run: tcpNames},
		{Name: "tcp/bind-port-zero-ephemeral", Run: tcpBindPortZero},
		{Name: "tcp/so-acceptconn", Run: tcpSoAcceptconn},
		{Name: "tcp/accept4-sock-nonblock", Run: tcpAccept4Nonblock},
		{Name: "tcp/listen-backlog-queues", Run: tcpBacklogQueues},
		{Name: "tcp/eisconn-second-connect", Run: tcpEISCONN},
		{Name: "tcp/enotconn-unconnected", Run: tcpENOTCONN},
	}
}

// socket(7): with O_NONBLOCK "all operations that would block will
// (usually) return with EAGAIN"; accept(2): "EAGAIN ... The socket is marked
// nonblocking and no connections are present to be accepted".
func tcpNonblockAccept(t T, e *Env) {
	lfd, lsa := tcpListenOn(t, e.Peer, e.PeerAddr4, 4)
	if err := e.Peer.SetNonblock(lfd, true); err != nil {
		t.Fatalf("SetNonblock: %v", err)
	}
	_, _, err := e.Peer.Accept4(lfd, 0)
	wantErrno(t, "accept on an empty non-blocking listener", err, unix.EAGAIN)
	tcpDial(t, e.API, lsa)
	acceptWithin(t, e.Peer, lfd, 0)
}

// socket(7): with O_NONBLOCK "connect(2) will return EINPROGRESS error";
// connect(2): "It is possible to select(2) or poll(2) for completion by
// selecting the socket for writing ... use getsockopt(2) to read the
// SO_ERROR option ... SO_ERROR is zero" on success.
func tcpNonblockConnect(t T, e *Env) {
	lfd, lsa := tcpListenOn(t, e.Peer, e.PeerAddr4, 4)
	fd := open(t, e.API, familyOf(lsa), unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
	err := e.API.Connect(fd, lsa)
	wantErrno(t, "non-blocking connect", err, unix.EINPROGRESS)
	if ev := awaitEvents(t, e.API, fd, unix.POLLOUT); ev&unix.POLLOUT == 0 || ev&unix.POLLERR != 0 {
		t.Fatalf("poll(POLLOUT) revents = %#x, want POLLOUT", ev)
	}
	if v := intOpt(t, e.API, fd, unix.SOL_SOCKET, unix.SO_ERROR); v != 0 {
		t.Errorf("SO_ERROR after connect = %d, want 0", v)
	}
	acceptWithin(t, e.Peer, lfd, 0)
	if _, err := e.API.Getpeername(fd); err != nil {
		t.Errorf("getpeername after completion: %v", err)
	}
}

// connect(2): "ECONNREFUSED A connect() on a stream socket found no one
// listening on the remote address."
func tcpConnectRefused(t T, e *Env) {
	to := closedPort(t, e.Peer, unix.SOCK_STREAM, e.PeerAddr4)
	fd := open(t, e.API, familyOf(to), unix.SOCK_STREAM, 0)
	boundIO(t, e.API, fd)
	wantErrno(t, "connect to a closed port", e.API.Connect(fd, to), unix.ECONNREFUSED)
}

// connect(2) EINPROGRESS: "After select(2) indicates writability, use
// getsockopt(2) to read the SO_ERROR option ... SO_ERROR is ... one of the
// usual error codes listed here" — ECONNREFUSED for a closed port.
func tcpConnectRefusedNonblock(t T, e *Env) {
	to := closedPort(t, e.Peer, unix.SOCK_STREAM, e.PeerAddr4)
	fd := open(t, e.API, familyOf(to), unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
	err := e.API.Connect(fd, to)
	if err != nil && !errors.Is(err, unix.EINPROGRESS) {
		wantErrno(t, "non-blocking connect to a closed port", err, unix.ECONNREFUSED)
		return
	}
	if ev := awaitEvents(t, e.API, fd, unix.POLLOUT); ev == 0 {
		t.Fatal("poll: the refused connect never completed")
	}
	v := intOpt(t, e.API, fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if unix.Errno(v) != unix.ECONNREFUSED {
		t.Errorf("SO_ERROR = %v, want ECONNREFUSED", unix.Errno(v))
	}
}

// seed 003: "getsockname(2) get local address bound to a socket;
// getpeername(2) get remote address"; connect: "if sockfd is not bound to
// an address, default address will be bound"; accept: "addr holds client
// address and port number".
func tcpNames(t T, e *Env) {
	lfd, lsa := tcpListenOn(t, e.Peer, e.PeerAddr4, 4)
	cfd, _ := tcpDial(t, e.API, lsa)
	sfd, from, _ := acceptWithin(t, e.Peer, lfd, 0)
	local, err := e.API.Getsockname(cfd)
	if err != nil {
		t.Fatalf("client getsockname: %v", err)
	}
	if ap := inetAddrPort(local); ap.Port() == 0 || ap.Addr() != e.Addr4 {
		t.Errorf("client's implicit bind = %v, want %v with a non-zero port", ap, e.Addr4)
	}
	checks := []struct {
		what      string
		got, want unix.Sockaddr
	}{
		{"accept's address vs client getsockname", from, local},
		{"client getpeername vs listener", mustName(t, e.API.Getpeername, cfd), lsa},
		{"server getsockname vs listener", mustName(t, e.Peer.Getsockname, sfd), lsa},
		{"server getpeername vs client", mustName(t, e.Peer.Getpeername, sfd), local},
	}
	for _, c := range checks {
		if !sameInet(c.got, c.want) {
			t.Errorf("%s: %v != %v", c.what, inetAddrPort(c.got), inetAddrPort(c.want))
		}
	}
}

// mustName calls a getsockname/getpeername-like function or fails the case.
func mustName(t T, f func(int) (unix.Sockaddr, error), fd int) unix.Sockaddr {
	t.Helper()
	sa, err := f(fd)
	if err != nil {
		t.Fatalf("name of %d: %v", fd, err)
	}
	return sa
}

// ip(7) ip_local_port_range: the range "used by TCP and UDP to choose the
// local port"; bind(2) to port 0 is given a free port from it, visible
// through getsockname; two such binds get different ports.
func tcpBindPortZero(t T, e *Env) {
	_, a := boundSocket(t, e.API, unix.SOCK_STREAM, e.Addr4)
	_, b := boundSocket(t, e.API, unix.SOCK_STREAM, e.Addr4)
	pa, pb := portOf(a), portOf(b)
	if pa <= 0 || pb <= 0 || pa == pb {
		t.Errorf("ephemeral ports %d and %d: want two distinct non-zero ports", pa, pb)
	}
	if inetAddrPort(a).Addr() != e.Addr4 {
		t.Errorf("bound address %v, want %v", inetAddrPort(a).Addr(), e.Addr4)
	}
}

// seed 003 option table: "SO_ACCEPTCONN int Return whether a socket is
// enabled for listening (getsockopt(2) only)".
func tcpSoAcceptconn(t T, e *Env) {
	fd, _ := boundSocket(t, e.API, unix.SOCK_STREAM, e.Addr4)
	if v := intOpt(t, e.API, fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN); v != 0 {
		t.Errorf("SO_ACCEPTCONN before listen = %d, want 0", v)
	}
	if err := e.API.Listen(fd, 1); err != nil {
		t.Fatalf("listen: %v", err)
	}
	if v := intOpt(t, e.API, fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN); v != 1 {
		t.Errorf("SO_ACCEPTCONN after listen = %d, want 1", v)
	}
}

// accept(2): "SOCK_NONBLOCK Set the O_NONBLOCK file status flag on the open
// file description ... referred to by the new file descriptor" — a read on
// the accepted socket returns EAGAIN.
func tcpAccept4Nonblock(t T, e *Env) {
	lfd, lsa := tcpListenOn(t, e.Peer, e.PeerAddr4, 4)
	tcpDial(t, e.API, lsa)
	nfd, _, _ := acceptWithin(t, e.Peer, lfd, unix.SOCK_NONBLOCK)
	_, err := e.Peer.Read(nfd, make([]byte, 4))
	wantErrno(t, "read on an accept4(SOCK_NONBLOCK) socket", err, unix.EAGAIN)
}

// seed 003 listen: "backlog: number of outstanding connect requests in a
// queue" — connections complete and wait in the queue before any accept,
// and accept returns each of them.
func tcpBacklogQueues(t T, e *Env) {
	const n = 3
	lfd, lsa := tcpListenOn(t, e.Peer, e.PeerAddr4, 5)
	want := map[string]bool{}
	for i := 0; i < n; i++ {
		cfd, _ := tcpDial(t, e.API, lsa)
		want[inetAddrPort(mustName(t, e.API.Getsockname, cfd)).String()] = true
	}
	for i := 0; i < n; i++ {
		_, from, _ := acceptWithin(t, e.Peer, lfd, 0)
		key := inetAddrPort(from).String()
		if !want[key] {
			t.Errorf("accept %d returned %s, not one of the queued clients %v", i, key, want)
		}
		delete(want, key)
	}
}

// connect(2): "EISCONN The socket is already connected."
func tcpEISCONN(t T, e *Env) {
	p := tcpConnected(t, e)
	to := mustName(t, e.API.Getpeername, p.client)
	wantErrno(t, "second connect", e.API.Connect(p.client, to), unix.EISCONN)
}

// getpeername(2): "ENOTCONN The socket is not connected"; recv(2): "ENOTCONN
// The socket is associated with a connection-oriented protocol and has not
// been connected".
func tcpENOTCONN(t T, e *Env) {
	fd := open(t, e.API, inetDomain(e.Addr4), unix.SOCK_STREAM, 0)
	boundIO(t, e.API, fd)
	_, err := e.API.Getpeername(fd)
	wantErrno(t, "getpeername on an unconnected socket", err, unix.ENOTCONN)
	_, _, err = e.API.Recvfrom(fd, make([]byte, 4), 0)
	wantErrno(t, "recv on an unconnected socket", err, unix.ENOTCONN)
	err = e.API.Sendto(fd, []byte("x"), unix.MSG_NOSIGNAL, nil)
	// send(2) on Linux: an unconnected TCP socket reports EPIPE (the
	// connection-oriented write error of socket(7)).
	wantErrno(t, "send on an unconnected socket", err, unix.EPIPE)
}
