package netconn

import (
	"errors"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/sock"
)

// pollSlice bounds one wait in Poll, so that a deadline moved earlier or a
// concurrent Close is noticed promptly: Poll cannot be interrupted on every
// provider.
const pollSlice = 50 * time.Millisecond

// half is one direction of a descriptor: its deadline and the state of the
// one caller that may wait in that direction at a time.
type half struct {
	// mu serialises the callers of this direction, as the net package
	// serialises Reads (and Writes) on one net.Conn: a Write is never
	// interleaved with another Write.
	mu sync.Mutex
	// dl is the deadline, time.Time.UnixNano; 0 means none.
	dl atomic.Int64
	// pfd is the Poll argument, reused so that a wait does not allocate.
	pfd [1]unix.PollFd
}

// setDeadline stores t; the zero time clears the deadline. net.Conn: "A
// deadline can be extended by setting it again", so a later call un-expires.
func (h *half) setDeadline(t time.Time) {
	if t.IsZero() {
		h.dl.Store(0)
		return
	}
	h.dl.Store(t.UnixNano())
}

// expired reports whether the deadline has passed. net.Conn: "a deadline
// is an absolute time after which I/O operations fail instead of blocking",
// even when data is ready.
func (h *half) expired() bool {
	d := h.dl.Load()
	return d != 0 && time.Now().UnixNano() >= d
}

// fd is a non-blocking socket descriptor with deadlines and a Close that
// waits for the calls in flight before the descriptor is released, so that
// its number cannot be reused under them.
type fd struct {
	api    sock.API
	sysfd  int
	domain int // AF_INET, AF_INET6 or AF_UNIX
	net    string
	closed atomic.Bool
	use    sync.RWMutex // read-held by every call; Close write-locks it
	rd, wr half
}

func newFD(api sock.API, sysfd, domain int, network string) *fd {
	return &fd{api: api, sysfd: sysfd, domain: domain, net: network}
}

// acquire marks a call in flight; it fails once the fd is closed.
func (f *fd) acquire() error {
	f.use.RLock()
	if f.closed.Load() {
		f.use.RUnlock()
		return net.ErrClosed
	}
	return nil
}

func (f *fd) release() { f.use.RUnlock() }

// close releases the descriptor once no call is using it. Calls waiting
// in Poll see closed within one pollSlice and return net.ErrClosed
// (net.Conn: "Any blocked Read or Write operations will be unblocked and
// return errors").
func (f *fd) close() error {
	if f.closed.Swap(true) {
		return net.ErrClosed
	}
	f.use.Lock()
	defer f.use.Unlock()
	return wrapSys("close", f.api.Close(f.sysfd))
}

// errSlice says one Poll slice ended with nothing ready.
var errSlice = errors.New("netconn: poll slice elapsed")

// waitSlice polls for events for at most one pollSlice, cut short by the
// deadline dl (UnixNano, 0 for none). It returns nil when the descriptor is
// ready, errSlice when the slice ran out, os.ErrDeadlineExceeded when dl
// has passed. Call it with h.mu held.
func (f *fd) waitSlice(h *half, events int16, dl int64) error {
	slice := pollSlice
	if dl != 0 {
		left := time.Duration(dl - time.Now().UnixNano())
		if left <= 0 {
			return os.ErrDeadlineExceeded
		}
		slice = min(slice, left)
	}
	h.pfd[0] = unix.PollFd{Fd: int32(f.sysfd), Events: events}
	ms := int((slice + time.Millisecond - 1) / time.Millisecond)
	n, err := f.api.Poll(h.pfd[:], ms)
	// poll(2): EINTR means a signal arrived first; try again.
	if err != nil && !errors.Is(err, unix.EINTR) {
		return os.NewSyscallError("poll", err)
	}
	// poll(2): revents may hold POLLERR, POLLHUP or POLLNVAL even when not
	// asked for; the next call on the descriptor reports the error.
	if n > 0 && h.pfd[0].Revents != 0 {
		return nil
	}
	return errSlice
}

// wait blocks until the descriptor reports one of events, the deadline of
// h passes (os.ErrDeadlineExceeded) or the fd is closed (net.ErrClosed).
// Call it with the fd acquired and h.mu held.
func (f *fd) wait(h *half, events int16) error {
	for {
		if f.closed.Load() {
			return net.ErrClosed
		}
		if err := f.waitSlice(h, events, h.dl.Load()); err != errSlice {
			return err
		}
	}
}

// read reads once, waiting for data as needed. A stream's 0 at EOF is
// returned as 0, nil: callers map it to io.EOF.
func (f *fd) read(p []byte) (int, error) {
	if err := f.acquire(); err != nil {
		return 0, err
	}
	defer f.release()
	f.rd.mu.Lock()
	defer f.rd.mu.Unlock()
	for {
		if f.closed.Load() {
			return 0, net.ErrClosed
		}
		if f.rd.expired() {
			return 0, os.ErrDeadlineExceeded
		}
		n, err := f.api.Read(f.sysfd, p)
		// read(2): EAGAIN on a non-blocking descriptor with nothing to read.
		if !errors.Is(err, unix.EAGAIN) {
			if err != nil {
				return 0, os.NewSyscallError("read", err)
			}
			return n, nil
		}
		if err := f.wait(&f.rd, unix.POLLIN); err != nil {
			return 0, err
		}
	}
}

// write writes all of p, waiting for room as needed. net.Conn's Write
// follows io.Writer: "Write must return a non-nil error if it returns
// n < len(p)", so partial writes are continued.
func (f *fd) write(p []byte) (int, error) {
	if err := f.acquire(); err != nil {
		return 0, err
	}
	defer f.release()
	f.wr.mu.Lock()
	defer f.wr.mu.Unlock()
	done := 0
	for {
		if f.closed.Load() {
			return done, net.ErrClosed
		}
		if f.wr.expired() {
			return done, os.ErrDeadlineExceeded
		}
		// send(2): MSG_NOSIGNAL: no SIGPIPE when the peer has closed a
		// stream; EPIPE is still returned.
		n, err := f.api.SendmsgN(f.sysfd, p[done:], nil, nil, unix.MSG_NOSIGNAL)
		if n > 0 {
			done += n
		}
		switch {
		case err == nil && done == len(p):
			return done, nil
		case err != nil && !errors.Is(err, unix.EAGAIN):
			return done, os.NewSyscallError("write", err)
		case err == nil && n > 0:
			continue // a partial write: send(2) may take part of p
		}
		if err := f.wait(&f.wr, unix.POLLOUT); err != nil {
			return done, err
		}
	}
}

// setInt is setsockopt(2) with an int value on the acquired descriptor.
func (f *fd) setInt(level, opt, v int) error {
	if err := f.acquire(); err != nil {
		return err
	}
	defer f.release()
	return wrapSys("setsockopt", f.api.SetsockoptInt(f.sysfd, level, opt, v))
}

func wrapSys(name string, err error) error {
	if err == nil {
		return nil
	}
	return os.NewSyscallError(name, err)
}
