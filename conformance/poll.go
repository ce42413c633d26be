package conformance

import (
	"time"

	"golang.org/x/sys/unix"
)

// pollCases checks the I/O event table of socket(7) and the revents rules
// of poll(2).
func pollCases() []Case {
	return []Case{
		{"poll/pollin-when-data-arrives", pollInOnData},
		{"poll/pollin-cleared-after-read", pollInClearedAfterRead},
		{"poll/pollin-on-listener-with-pending-connection", pollInOnListener},
		{"poll/pollout-connected-tcp", pollOutConnectedTCP},
		{"poll/pollout-cleared-when-send-buffer-full", pollOutClearedWhenFull},
		{"poll/pollout-after-nonblocking-connect", pollOutAfterConnect},
		{"poll/pollrdhup-after-peer-shut-wr", pollRdhupAfterPeerShutWR},
		{"poll/pollhup-peer-closed-and-we-shut-wr", pollHupBothDirections},
		{"poll/pollhup-after-shut-rdwr", pollHupAfterShutRDWR},
		{"poll/pollerr-pollhup-after-reset", pollErrAfterReset},
		{"poll/pollerr-nonblocking-connect-refused", pollErrConnectRefused},
		{"poll/pollerr-udp-port-unreachable", pollErrUDPUnreachable},
		{"poll/timeout-returns-zero", pollTimeoutZero},
		{"poll/pollnval-closed-descriptor", pollNvalClosed},
		{"poll/several-fds-different-revents", pollSeveralFds},
		{"poll/pollout-udp", pollOutUDP},
	}
}

// socket(7) event table: "Read | POLLIN | New data arrived." and poll(2):
// "POLLIN There is data to read."
func pollInOnData(t T, e *Env) {
	p := bConnectTCP(t, e, e.PeerAddr4)
	if n, re := bPollOne(t, e.API, p.Client, unix.POLLIN, 0); n != 0 || re != 0 {
		t.Fatalf("before any data: poll = %d, revents %#x; want 0, 0", n, re)
	}
	bWriteAll(t, e.Peer, p.Server, []byte("ping"))
	re := bAwait(t, e.API, p.Client, unix.POLLIN, unix.POLLIN)
	if re != unix.POLLIN {
		t.Fatalf("after data arrived: revents %#x, want exactly POLLIN", re)
	}
	// poll(2) does not consume: polling again reports the same.
	if _, re := bPollOne(t, e.API, p.Client, unix.POLLIN, 0); re != unix.POLLIN {
		t.Fatalf("second poll: revents %#x, want POLLIN", re)
	}
}

// poll(2): "POLLIN There is data to read." Once the data is read, there is
// none and the event is no longer reported.
func pollInClearedAfterRead(t T, e *Env) {
	p := bConnectTCP(t, e, e.PeerAddr4)
	bWriteAll(t, e.Peer, p.Server, []byte("abc"))
	bAwait(t, e.API, p.Client, unix.POLLIN, unix.POLLIN)
	if got := string(bReadN(t, e.API, p.Client, 3)); got != "abc" {
		t.Fatalf("read %q, want abc", got)
	}
	if n, re := bPollOne(t, e.API, p.Client, unix.POLLIN, 0); n != 0 || re != 0 {
		t.Fatalf("after reading everything: poll = %d, revents %#x; want 0, 0", n, re)
	}
}

// accept(2): "In order to be notified of incoming connections on a socket,
// you can use select(2), poll(2) ... A readable event will be delivered
// when a new connection is attempted".
func pollInOnListener(t T, e *Env) {
	lfd, lsa := bListen(t, e.API, e.Addr4)
	if n, re := bPollOne(t, e.API, lfd, unix.POLLIN, 0); n != 0 || re != 0 {
		t.Fatalf("listener without connections: poll = %d, revents %#x", n, re)
	}
	bDial(t, e.Peer, lsa)
	re := bAwait(t, e.API, lfd, unix.POLLIN|unix.POLLOUT, unix.POLLIN)
	if re != unix.POLLIN {
		t.Fatalf("listener with a pending connection: revents %#x, want exactly POLLIN", re)
	}
	bAccept(t, e.API, lfd)
	if n, re := bPollOne(t, e.API, lfd, unix.POLLIN, 0); n != 0 {
		t.Fatalf("after accepting the only connection: revents %#x, want none", re)
	}
}

// socket(7) event table: "Write | POLLOUT | Socket has enough send buffer
// space for writing new data."
func pollOutConnectedTCP(t T, e *Env) {
	p := bConnectTCP(t, e, e.PeerAddr4)
	n, re := bPollOne(t, e.API, p.Client, unix.POLLIN|unix.POLLOUT, 0)
	if n != 1 || re != unix.POLLOUT {
		t.Fatalf("idle connected socket: poll = %d, revents %#x; want 1, POLLOUT only", n, re)
	}
}

// socket(7) event table: POLLOUT means "enough send buffer space"; when the
// peer does not read and the send path is full, POLLOUT is not reported.
func pollOutClearedWhenFull(t T, e *Env) {
	p := bConnectTCP(t, e, e.PeerAddr4)
	bFillTCP(t, e, p)
	if _, re := bPollOne(t, e.API, p.Client, unix.POLLOUT, 50); re&unix.POLLOUT != 0 {
		t.Fatalf("send path full: revents %#x still has POLLOUT", re)
	}
}

// bFillTCP shrinks the buffers of p and writes from the client without
// blocking until EAGAIN; the server never reads.
func bFillTCP(t T, e *Env, p bTCPPair) {
	t.Helper()
	if err := e.API.SetsockoptInt(p.Client, unix.SOL_SOCKET, unix.SO_SNDBUF, 4096); err != nil {
		t.Fatalf("SO_SNDBUF: %v", err)
	}
	if err := e.API.SetNonblock(p.Client, true); err != nil {
		t.Fatalf("SetNonblock: %v", err)
	}
	chunk := make([]byte, 16384)
	deadline := time.Now().Add(bWait)
	for sent := 0; ; {
		n, err := e.API.Write(p.Client, chunk)
		if err == unix.EAGAIN {
			// The window may still be opening: confirm it stays full.
			if _, re := bPollOne(t, e.API, p.Client, unix.POLLOUT, 100); re&unix.POLLOUT == 0 {
				return
			}
			continue
		}
		if err != nil {
			t.Fatalf("write after %d bytes: %v", sent, err)
		}
		sent += n
		if time.Now().After(deadline) || sent > 64<<20 {
			t.Fatalf("wrote %d bytes to a peer that never reads without EAGAIN", sent)
		}
	}
}

// socket(7): "connect(2) will return EINPROGRESS error. The user can then
// wait for various events via poll(2)"; event table: "Read/Write |
// POLLIN|POLLOUT | An outgoing connect(2) finished."
func pollOutAfterConnect(t T, e *Env) {
	_, lsa := bListen(t, e.Peer, e.PeerAddr4)
	fd := bSock(t, e.API, unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
	if err := e.API.Connect(fd, lsa); err != nil && err != unix.EINPROGRESS {
		t.Fatalf("non-blocking connect: %v, want EINPROGRESS", err)
	}
	re := bAwait(t, e.API, fd, unix.POLLOUT, unix.POLLOUT)
	if re != unix.POLLOUT {
		t.Fatalf("connect finished: revents %#x, want exactly POLLOUT", re)
	}
	if v, err := e.API.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR); err != nil || v != 0 {
		t.Fatalf("SO_ERROR after a successful connect = %d, %v; want 0", v, err)
	}
	if _, err := e.API.Getpeername(fd); err != nil {
		t.Fatalf("getpeername after connect completed: %v", err)
	}
}

// poll(2): "POLLRDHUP (since Linux 2.6.17) Stream socket peer closed
// connection, or shut down writing half of connection." A read then
// returns 0 (end of file). Linux raises POLLHUP only once both directions
// are shut down, so it is absent here.
func pollRdhupAfterPeerShutWR(t T, e *Env) {
	p := bConnectTCP(t, e, e.PeerAddr4)
	if err := e.Peer.Shutdown(p.Server, unix.SHUT_WR); err != nil {
		t.Fatalf("shutdown(SHUT_WR): %v", err)
	}
	want := int16(unix.POLLIN | unix.POLLRDHUP)
	re := bAwait(t, e.API, p.Client, unix.POLLIN|unix.POLLRDHUP, want)
	if re&want != want || re&(unix.POLLHUP|unix.POLLERR) != 0 {
		t.Fatalf("peer shut down writing: revents %#x, want POLLIN|POLLRDHUP without POLLHUP/POLLERR", re)
	}
	buf := make([]byte, 8)
	if n, err := e.API.Read(p.Client, buf); n != 0 || err != nil {
		t.Fatalf("read after peer's FIN = %d, %v; want 0 (EOF)", n, err)
	}
}

// socket(7) event table: "Read/Write | POLLHUP | The other end has shut
// down one direction." On Linux POLLHUP is reported once the connection is
// shut down in both directions: the peer closed and we shut down writing.
func pollHupBothDirections(t T, e *Env) {
	p := bConnectTCP(t, e, e.PeerAddr4)
	p.CloseServer()
	bAwait(t, e.API, p.Client, unix.POLLRDHUP, unix.POLLRDHUP)
	if err := e.API.Shutdown(p.Client, unix.SHUT_WR); err != nil {
		t.Fatalf("shutdown(SHUT_WR): %v", err)
	}
	re := bAwait(t, e.API, p.Client, unix.POLLIN, unix.POLLHUP)
	if re&(unix.POLLHUP|unix.POLLIN) != unix.POLLHUP|unix.POLLIN {
		t.Fatalf("both directions shut down: revents %#x, want POLLHUP|POLLIN", re)
	}
}

// poll(2): "POLLHUP Hang up"; shutdown(2) SHUT_RDWR disables "further
// receptions and transmissions", so the socket is hung up at once.
func pollHupAfterShutRDWR(t T, e *Env) {
	p := bConnectTCP(t, e, e.PeerAddr4)
	if err := e.API.Shutdown(p.Client, unix.SHUT_RDWR); err != nil {
		t.Fatalf("shutdown(SHUT_RDWR): %v", err)
	}
	re := bAwait(t, e.API, p.Client, unix.POLLIN, unix.POLLHUP)
	if re&unix.POLLHUP == 0 {
		t.Fatalf("after shutdown(SHUT_RDWR): revents %#x, want POLLHUP", re)
	}
}

// socket(7) event table: "POLLERR | An asynchronous error occurred." A
// reset from the peer (SO_LINGER with a zero timeout, then close) is such
// an error; SO_ERROR reports ECONNRESET and the connection is hung up.
func pollErrAfterReset(t T, e *Env) {
	p := bConnectTCP(t, e, e.PeerAddr4)
	l := &unix.Linger{Onoff: 1, Linger: 0}
	if err := e.Peer.SetsockoptLinger(p.Server, unix.SOL_SOCKET, unix.SO_LINGER, l); err != nil {
		t.Fatalf("SO_LINGER: %v", err)
	}
	p.CloseServer()
	want := int16(unix.POLLERR | unix.POLLHUP)
	re := bAwait(t, e.API, p.Client, unix.POLLIN, want)
	if re&want != want {
		t.Fatalf("after RST: revents %#x, want POLLERR|POLLHUP", re)
	}
	v, err := e.API.GetsockoptInt(p.Client, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil || unix.Errno(v) != unix.ECONNRESET {
		t.Fatalf("SO_ERROR = %d, %v; want ECONNRESET", v, err)
	}
}

// socket(7) event table: "POLLERR | An asynchronous error occurred." and
// SO_ERROR: "Get and clear the pending socket error." A non-blocking
// connect to a port without a listener fails with ECONNREFUSED.
func pollErrConnectRefused(t T, e *Env) {
	port := bClosedPort(t, e.Peer, unix.SOCK_STREAM, e.PeerAddr4)
	fd := bSock(t, e.API, unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
	err := e.API.Connect(fd, sockaddr(e.PeerAddr4, port))
	if err != nil && err != unix.EINPROGRESS {
		bWantErr(t, "non-blocking connect to a closed port", err, unix.ECONNREFUSED)
		return
	}
	re := bAwait(t, e.API, fd, unix.POLLOUT, unix.POLLERR)
	if re&unix.POLLERR == 0 {
		t.Fatalf("refused connect: revents %#x, want POLLERR", re)
	}
	v, err := e.API.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil || unix.Errno(v) != unix.ECONNREFUSED {
		t.Fatalf("SO_ERROR = %d, %v; want ECONNREFUSED", v, err)
	}
	if v, err := e.API.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR); err != nil || v != 0 {
		t.Fatalf("second SO_ERROR = %d, %v; want 0 (read clears it)", v, err)
	}
}

// socket(7) event table: "POLLERR | An asynchronous error occurred." ip(7):
// for a connected UDP socket an ICMP port unreachable is reported as
// ECONNREFUSED.
func pollErrUDPUnreachable(t T, e *Env) {
	port := bClosedPort(t, e.Peer, unix.SOCK_DGRAM, e.PeerAddr4)
	fd := bSock(t, e.API, unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err := e.API.Connect(fd, sockaddr(e.PeerAddr4, port)); err != nil {
		t.Fatalf("connect: %v", err)
	}
	if _, err := e.API.Write(fd, []byte("anyone?")); err != nil {
		t.Fatalf("write: %v", err)
	}
	re := bAwait(t, e.API, fd, unix.POLLIN, unix.POLLERR)
	if re&unix.POLLERR == 0 {
		t.Fatalf("after ICMP port unreachable: revents %#x, want POLLERR", re)
	}
	v, err := e.API.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil || unix.Errno(v) != unix.ECONNREFUSED {
		t.Fatalf("SO_ERROR = %d, %v; want ECONNREFUSED", v, err)
	}
	if _, re := bPollOne(t, e.API, fd, unix.POLLIN, 0); re&unix.POLLERR != 0 {
		t.Fatalf("POLLERR still reported after SO_ERROR cleared the error: %#x", re)
	}
}

// poll(2): "A value of 0 indicates that the call timed out and no file
// descriptors were ready."
func pollTimeoutZero(t T, e *Env) {
	fd, _ := bBind(t, e.API, unix.SOCK_DGRAM, e.Addr4)
	start := time.Now()
	n, re := bPollOne(t, e.API, fd, unix.POLLIN, 150)
	elapsed := time.Since(start)
	if n != 0 || re != 0 {
		t.Fatalf("poll on an idle socket = %d, revents %#x; want 0, 0", n, re)
	}
	if elapsed < 135*time.Millisecond || elapsed > 150*time.Millisecond+bWait {
		t.Fatalf("poll with 150 ms timeout returned after %v", elapsed)
	}
}

// poll(2): "POLLNVAL Invalid request: fd not open (only returned in
// revents; ignored in events)." Descriptors of a closed socket may be
// reused by other cases running in parallel, so a reused number is
// detected and the check retried.
func pollNvalClosed(t T, e *Env) {
	for try := 0; try < 5; try++ {
		fd, err := e.API.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
		if err != nil {
			t.Fatalf("socket: %v", err)
		}
		if err := e.API.Close(fd); err != nil {
			t.Fatalf("close: %v", err)
		}
		n, re := bPollOne(t, e.API, fd, unix.POLLIN|unix.POLLOUT, 0)
		if n == 1 && re == unix.POLLNVAL {
			return
		}
		if _, err := e.API.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE); err == nil {
			continue // another case opened a socket with this number
		}
		t.Fatalf("poll on closed fd %d = %d, revents %#x; want 1, POLLNVAL", fd, n, re)
	}
	t.Fatalf("closed descriptor was reused every time; could not check POLLNVAL")
}

// poll(2): "On success, poll() returns a nonnegative value which is the
// number of elements in the pollfds whose revents fields have been set to
// a nonzero value"; "If this field is negative, then the corresponding
// events field is ignored and the revents field returns zero."
func pollSeveralFds(t T, e *Env) {
	withData, sa := bBind(t, e.API, unix.SOCK_DGRAM, e.Addr4)
	idle, _ := bBind(t, e.API, unix.SOCK_DGRAM, e.Addr4)
	p := bConnectTCP(t, e, e.PeerAddr4)
	sender, _ := bBind(t, e.Peer, unix.SOCK_DGRAM, e.PeerAddr4)
	if err := e.Peer.Sendto(sender, []byte("x"), 0, sa); err != nil {
		t.Fatalf("sendto: %v", err)
	}
	bAwait(t, e.API, withData, unix.POLLIN, unix.POLLIN)
	fds := []unix.PollFd{
		{Fd: int32(withData), Events: unix.POLLIN},
		{Fd: int32(idle), Events: unix.POLLIN},
		{Fd: int32(p.Client), Events: unix.POLLOUT},
		{Fd: -1, Events: unix.POLLIN},
	}
	n, err := e.API.Poll(fds, bWaitMs)
	if err != nil {
		t.Fatalf("poll: %v", err)
	}
	want := []int16{unix.POLLIN, 0, unix.POLLOUT, 0}
	for i := range fds {
		if fds[i].Revents != want[i] {
			t.Errorf("fds[%d].revents = %#x, want %#x", i, fds[i].Revents, want[i])
		}
	}
	if n != 2 {
		t.Errorf("poll returned %d, want 2 ready descriptors", n)
	}
}

// socket(7) event table: "Write | POLLOUT | Socket has enough send buffer
// space for writing new data." A fresh UDP socket has all of its buffer.
func pollOutUDP(t T, e *Env) {
	fd := bSock(t, e.API, unix.AF_INET, unix.SOCK_DGRAM, 0)
	n, re := bPollOne(t, e.API, fd, unix.POLLIN|unix.POLLOUT, 0)
	if n != 1 || re != unix.POLLOUT {
		t.Fatalf("fresh UDP socket: poll = %d, revents %#x; want 1, POLLOUT", n, re)
	}
}
