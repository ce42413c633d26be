package stack

import (
	"time"

	"golang.org/x/sys/unix"
)

// Socket creates an endpoint: socket(2).
func (h *Host) Socket(domain, typ, proto int) (int, error) {
	flags := typ & (unix.SOCK_NONBLOCK | unix.SOCK_CLOEXEC)
	typ &^= flags
	s, err := h.newSocket(domain, typ, proto)
	if err != nil {
		return -1, err
	}
	f := &file{s: s}
	f.nonblock.Store(flags&unix.SOCK_NONBLOCK != 0)
	return h.install(f), nil
}

// newBase fills in the common part of a new socket.
func (h *Host) newBase(domain, typ, proto int) sockBase {
	return sockBase{host: h, domain: domain, typ: typ, proto: proto, opts: defaultOptions()}
}

// Bind assigns a local address: bind(2).
func (h *Host) Bind(fd int, sa unix.Sockaddr) error {
	f, err := h.lookup(fd)
	if err != nil {
		return err
	}
	return f.s.bind(sa)
}

// Listen marks a socket as passive: listen(2).
func (h *Host) Listen(fd, backlog int) error {
	f, err := h.lookup(fd)
	if err != nil {
		return err
	}
	return f.s.listen(backlog)
}

// Accept4 takes a connection from the accept queue: accept4(2).
func (h *Host) Accept4(fd, flags int) (int, unix.Sockaddr, error) {
	if flags&^(unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC) != 0 {
		return -1, nil, unix.EINVAL
	}
	f, err := h.lookup(fd)
	if err != nil {
		return -1, nil, err
	}
	var ns socket
	var sa unix.Sockaddr
	err = h.block(f, 0, h.rcvTimeout(f), func() error {
		var e error
		ns, sa, e = f.s.accept()
		return e
	})
	if err != nil {
		return -1, nil, err
	}
	nf := &file{s: ns}
	nf.nonblock.Store(flags&unix.SOCK_NONBLOCK != 0)
	return h.install(nf), sa, nil
}

// Connect initiates a connection or sets the default peer: connect(2).
func (h *Host) Connect(fd int, sa unix.Sockaddr) error {
	f, err := h.lookup(fd)
	if err != nil {
		return err
	}
	err = f.s.connect(sa)
	if err != unix.EINPROGRESS || f.nonblock.Load() {
		return err
	}
	// connect(2): a blocking connect waits for the handshake; the outcome
	// is the pending error. On timeout it returns EINPROGRESS.
	b := f.s.base()
	err = h.block(f, 0, h.sndTimeout(f), func() error {
		if f.s.events()&(unix.POLLOUT|unix.POLLERR|unix.POLLHUP) == 0 {
			return unix.EAGAIN
		}
		return nil
	})
	if err == unix.EAGAIN {
		return unix.EINPROGRESS
	}
	if err != nil {
		return err
	}
	if c, ok := f.s.(interface{ connectDone() error }); ok {
		return c.connectDone()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.takeError()
}

// Read reads from a connected socket: read(2).
func (h *Host) Read(fd int, p []byte) (int, error) {
	n, _, _, _, err := h.Recvmsg(fd, p, nil, msgNoName)
	return n, err
}

// msgNoName is an internal recv flag, outside Linux's MSG_* bits, saying
// the caller does not want the source address (read(2)), so none is built.
const msgNoName = 1 << 40

// msgLowatOK is an internal recv flag: return data below SO_RCVLOWAT (the
// receive timeout has passed).
const msgLowatOK = 1 << 41

// Write writes to a connected socket: write(2).
func (h *Host) Write(fd int, p []byte) (int, error) {
	return h.SendmsgN(fd, p, nil, nil, 0)
}

// Recvfrom receives a message and its source: recvfrom(2).
func (h *Host) Recvfrom(fd int, p []byte, flags int) (int, unix.Sockaddr, error) {
	n, _, _, from, err := h.Recvmsg(fd, p, nil, flags)
	return n, from, err
}

// Sendto sends a message to an address: sendto(2).
func (h *Host) Sendto(fd int, p []byte, flags int, to unix.Sockaddr) error {
	_, err := h.SendmsgN(fd, p, nil, to, flags)
	return err
}

// Recvmsg receives data and ancillary data: recvmsg(2).
func (h *Host) Recvmsg(fd int, p, oob []byte, flags int) (n, oobn, rflags int, from unix.Sockaddr, err error) {
	f, err := h.lookup(fd)
	if err != nil {
		return 0, 0, 0, nil, err
	}
	if flags&unix.MSG_OOB != 0 {
		// tcp(7): recv(MSG_OOB) never blocks; it fails with EAGAIN when
		// the urgent byte has not arrived, whatever the blocking mode.
		return f.s.recv(p, oob, flags)
	}
	if flags&unix.MSG_WAITALL != 0 && flags&unix.MSG_PEEK == 0 && f.s.base().typ == unix.SOCK_STREAM {
		n, err := h.recvAll(f, p, flags)
		return n, 0, 0, nil, err
	}
	err = h.block(f, flags, h.rcvTimeout(f), func() error {
		var e error
		n, oobn, rflags, from, e = f.s.recv(p, oob, flags)
		return e
	})
	if err == unix.EAGAIN && f.s.base().typ == unix.SOCK_STREAM && !f.nonblock.Load() && flags&unix.MSG_DONTWAIT == 0 {
		// The timeout passed below SO_RCVLOWAT: return what is there.
		n, oobn, rflags, from, err = f.s.recv(p, oob, flags|msgLowatOK)
	}
	if flags&msgNoName != 0 {
		from = nil
	}
	return n, oobn, rflags, from, err
}

// SendmsgN sends data and ancillary data: sendmsg(2).
func (h *Host) SendmsgN(fd int, p, oob []byte, to unix.Sockaddr, flags int) (int, error) {
	f, err := h.lookup(fd)
	if err != nil {
		return 0, err
	}
	if f.s.base().typ == unix.SOCK_STREAM {
		return h.sendStream(f, p, oob, to, flags)
	}
	var n int
	err = h.block(f, flags, h.sndTimeout(f), func() error {
		var e error
		n, e = f.s.send(p, oob, to, flags)
		return e
	})
	return n, err
}

// sendStream writes all of p to a stream socket, waiting for room as
// needed. send(2): a blocking call returns when everything is queued; when
// it times out (SO_SNDTIMEO) or the socket is non-blocking, it returns the
// bytes queued so far, or EAGAIN if none.
func (h *Host) sendStream(f *file, p, oob []byte, to unix.Sockaddr, flags int) (int, error) {
	total := 0
	err := h.block(f, flags, h.sndTimeout(f), func() error {
		n, e := f.s.send(p[total:], oob, to, flags)
		total += n
		if e != nil {
			return e
		}
		if total < len(p) {
			return unix.EAGAIN
		}
		return nil
	})
	if total > 0 && err != nil {
		return total, nil
	}
	return total, err
}

// recvAll fills p from a stream socket: recv(2) MSG_WAITALL "requests
// that the operation block until the full request is satisfied", returning
// less on EOF, an error, a signal or a timeout.
func (h *Host) recvAll(f *file, p []byte, flags int) (int, error) {
	total := 0
	err := h.block(f, flags, h.rcvTimeout(f), func() error {
		n, _, _, _, e := f.s.recv(p[total:], nil, flags&^unix.MSG_WAITALL)
		total += n
		switch {
		case e != nil:
			return e
		case n == 0 || total == len(p):
			return nil // EOF or full
		}
		if m, ok := f.s.(interface{ atMark() bool }); ok && m.atMark() {
			return nil // tcp(7): no read crosses the urgent mark
		}
		return unix.EAGAIN
	})
	if total > 0 {
		return total, nil
	}
	return 0, err
}

// Shutdown shuts down part of a full-duplex connection: shutdown(2).
func (h *Host) Shutdown(fd, how int) error {
	f, err := h.lookup(fd)
	if err != nil {
		return err
	}
	if how < unix.SHUT_RD || how > unix.SHUT_RDWR {
		return unix.EINVAL
	}
	err = f.s.shutdown(how)
	f.s.base().wq.notify()
	return err
}

// Getsockname returns the local address: getsockname(2).
func (h *Host) Getsockname(fd int) (unix.Sockaddr, error) {
	f, err := h.lookup(fd)
	if err != nil {
		return nil, err
	}
	return f.s.sockname()
}

// Getpeername returns the peer's address: getpeername(2).
func (h *Host) Getpeername(fd int) (unix.Sockaddr, error) {
	f, err := h.lookup(fd)
	if err != nil {
		return nil, err
	}
	return f.s.peername()
}

// SetNonblock sets or clears O_NONBLOCK: fcntl(2) F_SETFL.
func (h *Host) SetNonblock(fd int, nonblocking bool) error {
	f, err := h.lookup(fd)
	if err != nil {
		return err
	}
	f.nonblock.Store(nonblocking)
	return nil
}

func (h *Host) rcvTimeout(f *file) time.Duration {
	b := f.s.base()
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.opts.rcvtimeo
}

func (h *Host) sndTimeout(f *file) time.Duration {
	b := f.s.base()
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.opts.sndtimeo
}

// block runs op until it returns something other than EAGAIN, waiting for
// the socket to change between attempts. socket(7): with O_NONBLOCK or
// MSG_DONTWAIT the call fails with EAGAIN instead; with a timeout set
// (SO_RCVTIMEO, SO_SNDTIMEO) it fails with EAGAIN when the timeout expires.
func (h *Host) block(f *file, flags int, timeout time.Duration, op func() error) error {
	err := op()
	if err != unix.EAGAIN || f.nonblock.Load() || flags&unix.MSG_DONTWAIT != 0 {
		return err
	}
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	w := h.waiters.get()
	q := &f.s.base().wq
	q.add(w)
	defer func() {
		q.remove(w)
		h.waiters.put(w)
	}()
	for {
		if err = op(); err != unix.EAGAIN {
			return err
		}
		if !w.sleep(deadline) {
			return unix.EAGAIN
		}
	}
}

// Socketpair creates a pair of connected sockets: socketpair(2). Only
// AF_UNIX has pairs; for AF_INET and AF_INET6 Linux answers EOPNOTSUPP.
func (h *Host) Socketpair(domain, typ, proto int) ([2]int, error) {
	flags := typ & (unix.SOCK_NONBLOCK | unix.SOCK_CLOEXEC)
	typ &^= flags
	switch domain {
	case unix.AF_UNIX:
	case unix.AF_INET, unix.AF_INET6:
		return [2]int{-1, -1}, unix.EOPNOTSUPP
	default:
		return [2]int{-1, -1}, unix.EAFNOSUPPORT
	}
	a, b, err := h.unixPair(typ, proto)
	if err != nil {
		return [2]int{-1, -1}, err
	}
	fa, fb := &file{s: a}, &file{s: b}
	fa.nonblock.Store(flags&unix.SOCK_NONBLOCK != 0)
	fb.nonblock.Store(flags&unix.SOCK_NONBLOCK != 0)
	return [2]int{h.install(fa), h.install(fb)}, nil
}
