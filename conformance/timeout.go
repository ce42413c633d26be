package conformance

import (
	"time"

	"golang.org/x/sys/unix"

	"sockstack/sock"
)

// timeoutCases checks SO_RCVTIMEO and SO_SNDTIMEO (socket(7)).
func timeoutCases() []Case {
	return []Case{
		{"timeout/tcp-recv-rcvtimeo-eagain", toTCPRecv},
		{"timeout/udp-recvfrom-rcvtimeo-eagain", toUDPRecv},
		{"timeout/unix-dgram-recv-rcvtimeo-eagain", toUnixDgramRecv},
		{"timeout/accept-rcvtimeo-eagain", toAccept},
		{"timeout/tcp-send-sndtimeo", toTCPSend},
		{"timeout/unix-stream-send-sndtimeo", toUnixSend},
		{"timeout/rcvtimeo-returns-partial-data", toPartialRecv},
		{"timeout/nonblocking-ignores-rcvtimeo", toNonblocking},
		{"timeout/zero-default-and-roundtrip", toZero},
		{"timeout/roundtrip-jiffy-granularity", toRoundtrip},
		{"timeout/usec-out-of-range-edom", toEDOM},
	}
}

// bTimeo is the timeout the blocking cases set: short, but far above the
// scheduling noise of a loaded machine.
const bTimeo = 200 * time.Millisecond

// bCheckElapsed fails the case unless a call that timed out after elapsed
// waited about to: at least 90% of it and less than to plus bWait.
func bCheckElapsed(t T, what string, elapsed, to time.Duration) {
	t.Helper()
	if elapsed < to*9/10 || elapsed > to+bWait {
		t.Fatalf("%s returned after %v, want about %v", what, elapsed, to)
	}
}

// bTimedErr runs call, which must fail with EAGAIN after about SO_RCVTIMEO.
func bTimedErr(t T, what string, call func() error) {
	t.Helper()
	start := time.Now()
	err := call()
	elapsed := time.Since(start)
	bWantErr(t, what, err, unix.EAGAIN)
	bCheckElapsed(t, what, elapsed, bTimeo)
}

// socket(7) SO_RCVTIMEO: "If an input or output function blocks for this
// period of time ... and no data has been transferred and the timeout has
// been reached, then -1 is returned with errno set to EAGAIN or
// EWOULDBLOCK".
func toTCPRecv(t T, e *Env) {
	p := bConnectTCP(t, e, e.PeerAddr4)
	bSetTimeo(t, e.API, p.Client, unix.SO_RCVTIMEO, bTimeo)
	buf := make([]byte, 16)
	bTimedErr(t, "TCP read with no data", func() error {
		_, err := e.API.Read(p.Client, buf)
		return err
	})
	// The socket is still usable after the timeout.
	bWriteAll(t, e.Peer, p.Server, []byte("late"))
	if got := string(bReadN(t, e.API, p.Client, 4)); got != "late" {
		t.Fatalf("read after timeout = %q", got)
	}
}

// socket(7) SO_RCVTIMEO, as above, for recvfrom(2) on a UDP socket.
func toUDPRecv(t T, e *Env) {
	fd, _ := bBind(t, e.API, unix.SOCK_DGRAM, e.Addr4)
	bSetTimeo(t, e.API, fd, unix.SO_RCVTIMEO, bTimeo)
	buf := make([]byte, 16)
	bTimedErr(t, "UDP recvfrom with no datagram", func() error {
		_, _, err := e.API.Recvfrom(fd, buf, 0)
		return err
	})
}

// socket(7) SO_RCVTIMEO, as above, for an AF_UNIX datagram socket.
func toUnixDgramRecv(t T, e *Env) {
	fds, _ := bSocketpair(t, e.API, unix.SOCK_DGRAM)
	bSetTimeo(t, e.API, fds[0], unix.SO_RCVTIMEO, bTimeo)
	buf := make([]byte, 16)
	bTimedErr(t, "unix datagram recv with no datagram", func() error {
		_, _, _, _, err := e.API.Recvmsg(fds[0], buf, nil, 0)
		return err
	})
}

// socket(7) SO_RCVTIMEO: "If an input or output function blocks for this
// period of time ... -1 is returned with errno set to EAGAIN". Linux's
// accept(2) waits for a connection with the receive timeout as well.
func toAccept(t T, e *Env) {
	lfd, _ := bListen(t, e.API, e.Addr4)
	bSetTimeo(t, e.API, lfd, unix.SO_RCVTIMEO, bTimeo)
	bTimedErr(t, "accept with no pending connection", func() error {
		fd, _, err := e.API.Accept4(lfd, 0)
		if err == nil {
			e.API.Close(fd)
		}
		return err
	})
}

// bSendUntilTimeout writes big chunks to fd, whose peer never reads, until
// a write blocks for SO_SNDTIMEO: it then returns EAGAIN, or the partial
// count if some of it was sent (socket(7): "the return value of that
// function will be the amount of data transferred").
func bSendUntilTimeout(t T, api sock.API, fd int) {
	t.Helper()
	chunk := make([]byte, 65536)
	deadline := time.Now().Add(3 * bWait)
	for sent := 0; time.Now().Before(deadline); {
		start := time.Now()
		n, err := api.Write(fd, chunk)
		elapsed := time.Since(start)
		if err != nil {
			bWantErr(t, "blocked write", err, unix.EAGAIN)
			bCheckElapsed(t, "write that found no room", elapsed, bTimeo)
			return
		}
		if n < len(chunk) {
			bCheckElapsed(t, "write that sent part of its data", elapsed, bTimeo)
			return
		}
		sent += n
	}
	t.Fatalf("writes to a peer that never reads did not time out within %v", 3*bWait)
}

// socket(7) SO_SNDTIMEO: "If an input or output function blocks for this
// period of time, and data has been sent ..., the return value of that
// function will be the amount of data transferred; if no data has been
// transferred ... -1 is returned with errno set to EAGAIN". A TCP peer that
// never reads stops the sender once the small buffers are full.
func toTCPSend(t T, e *Env) {
	lfd, lsa := bBind(t, e.Peer, unix.SOCK_STREAM, e.PeerAddr4)
	if err := e.Peer.SetsockoptInt(lfd, unix.SOL_SOCKET, unix.SO_RCVBUF, 4096); err != nil {
		t.Fatalf("SO_RCVBUF: %v", err)
	}
	if err := e.Peer.Listen(lfd, 4); err != nil {
		t.Fatalf("listen: %v", err)
	}
	fd := bSock(t, e.API, unix.AF_INET, unix.SOCK_STREAM, 0)
	if err := e.API.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, 4096); err != nil {
		t.Fatalf("SO_SNDBUF: %v", err)
	}
	if err := e.API.Connect(fd, lsa); err != nil {
		t.Fatalf("connect: %v", err)
	}
	bAccept(t, e.Peer, lfd)
	bSetTimeo(t, e.API, fd, unix.SO_SNDTIMEO, bTimeo)
	bSendUntilTimeout(t, e.API, fd)
}

// socket(7) SO_SNDTIMEO, as above, on an AF_UNIX stream socket pair whose
// other end never reads.
func toUnixSend(t T, e *Env) {
	fds, _ := bSocketpair(t, e.API, unix.SOCK_STREAM)
	bSetTimeo(t, e.API, fds[0], unix.SO_SNDTIMEO, bTimeo)
	bSendUntilTimeout(t, e.API, fds[0])
}

// socket(7) SO_RCVTIMEO: "If an input or output function blocks for this
// period of time, and data has been ... received, the return value of that
// function will be the amount of data transferred". SO_RCVLOWAT makes a
// read wait for more than has arrived: "A subsequent read from the socket
// will block until SO_RCVLOWAT bytes are available."
func toPartialRecv(t T, e *Env) {
	p := bConnectTCP(t, e, e.PeerAddr4)
	if err := e.API.SetsockoptInt(p.Client, unix.SOL_SOCKET, unix.SO_RCVLOWAT, 100); err != nil {
		t.Fatalf("SO_RCVLOWAT: %v", err)
	}
	bSetTimeo(t, e.API, p.Client, unix.SO_RCVTIMEO, bTimeo)
	bWriteAll(t, e.Peer, p.Server, []byte("ten bytes!"))
	buf := make([]byte, 200)
	start := time.Now()
	n, err := e.API.Read(p.Client, buf)
	elapsed := time.Since(start)
	if err != nil || string(buf[:n]) != "ten bytes!" {
		t.Fatalf("read = %q, %v; want the 10 bytes that arrived", buf[:max(n, 0)], err)
	}
	bCheckElapsed(t, "read below SO_RCVLOWAT", elapsed, bTimeo)
}

// socket(7): with O_NONBLOCK "all operations that would block will
// (usually) return with EAGAIN" — at once, whatever SO_RCVTIMEO says.
func toNonblocking(t T, e *Env) {
	fd, _ := bBind(t, e.API, unix.SOCK_DGRAM, e.Addr4)
	bSetTimeo(t, e.API, fd, unix.SO_RCVTIMEO, time.Second)
	if err := e.API.SetNonblock(fd, true); err != nil {
		t.Fatalf("SetNonblock: %v", err)
	}
	start := time.Now()
	_, _, err := e.API.Recvfrom(fd, make([]byte, 8), 0)
	elapsed := time.Since(start)
	bWantErr(t, "non-blocking recvfrom", err, unix.EAGAIN)
	if elapsed > 500*time.Millisecond {
		t.Fatalf("non-blocking recvfrom took %v: it waited for SO_RCVTIMEO", elapsed)
	}
}

// socket(7) SO_RCVTIMEO/SO_SNDTIMEO: "If the timeout is set to zero (the
// default) then the operation will never timeout."
func toZero(t T, e *Env) {
	fd := open(t, e.API, unix.AF_INET, unix.SOCK_STREAM, 0)
	for _, opt := range []int{unix.SO_RCVTIMEO, unix.SO_SNDTIMEO} {
		if d := bGetTimeo(t, e.API, fd, opt); d != 0 {
			t.Fatalf("default timeout %d = %v, want 0", opt, d)
		}
		bSetTimeo(t, e.API, fd, opt, time.Second)
		bSetTimeo(t, e.API, fd, opt, 0)
		if d := bGetTimeo(t, e.API, fd, opt); d != 0 {
			t.Fatalf("timeout %d after setting 0 = %v, want 0", opt, d)
		}
	}
}

// socket(7) SO_RCVTIMEO/SO_SNDTIMEO: "The argument is a struct timeval."
// getsockopt returns what was set, to within the kernel's clock tick
// (Linux keeps the value in jiffies and rounds up).
func toRoundtrip(t T, e *Env) {
	fd := open(t, e.API, unix.AF_INET, unix.SOCK_DGRAM, 0)
	const tick = 10 * time.Millisecond
	for _, opt := range []int{unix.SO_RCVTIMEO, unix.SO_SNDTIMEO} {
		for _, d := range []time.Duration{250 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second, 20 * time.Millisecond} {
			bSetTimeo(t, e.API, fd, opt, d)
			if got := bGetTimeo(t, e.API, fd, opt); got < d-tick || got > d+tick {
				t.Fatalf("option %d set to %v reads back %v", opt, d, got)
			}
		}
	}
}

// POSIX setsockopt(): "[EDOM] The send and receive timeout values are too
// big to fit into the timeout fields"; Linux returns EDOM for a timeval
// whose tv_usec is not below one second.
func toEDOM(t T, e *Env) {
	fd := open(t, e.API, unix.AF_INET, unix.SOCK_DGRAM, 0)
	for _, opt := range []int{unix.SO_RCVTIMEO, unix.SO_SNDTIMEO} {
		for _, usec := range []int64{1000000, -1} {
			err := e.API.SetsockoptTimeval(fd, unix.SOL_SOCKET, opt, &unix.Timeval{Sec: 1, Usec: usec})
			bWantErr(t, "timeval with tv_usec out of range", err, unix.EDOM)
		}
	}
}
