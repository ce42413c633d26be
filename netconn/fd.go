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
// concurrent Close is noticed promptly.
const pollSlice = 50 * time.Millisecond

// fd is a non-blocking socket descriptor with deadlines and a Close that
// waits for calls in flight before the descriptor is released (so its
// number cannot be reused under them).
type fd struct {
	api    sock.API
	sysfd  int
	domain int // AF_INET, AF_INET6 or AF_UNIX
	net    string
	closed atomic.Bool
	use    sync.RWMutex // read-held by every call; Close write-locks it
	rdl    atomic.Int64 // read deadline, UnixNano; 0 for none
	wdl    atomic.Int64 // write deadline
}

func newFD(api sock.API, sysfd int, network string) *fd {
	return &fd{api: api, sysfd: sysfd, net: network}
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

// close releases the descriptor once no call is using it.
func (f *fd) close() error {
	if f.closed.Swap(true) {
		return net.ErrClosed
	}
	f.use.Lock()
	defer f.use.Unlock()
	return f.api.Close(f.sysfd)
}

func setDeadline(a *atomic.Int64, t time.Time) {
	if t.IsZero() {
		a.Store(0)
		return
	}
	a.Store(t.UnixNano())
}

// wait blocks until the descriptor reports one of events, the deadline in
// dl passes (os.ErrDeadlineExceeded) or the fd is closed (net.ErrClosed).
// Call it with the fd acquired.
func (f *fd) wait(events int16, dl *atomic.Int64) error {
	for {
		if f.closed.Load() {
			return net.ErrClosed
		}
		if err := f.waitSlice(events, dl); err != errSlice {
			return err
		}
	}
}

// expired reports whether the deadline in dl has passed.
func expired(dl *atomic.Int64) bool {
	d := dl.Load()
	return d != 0 && !time.Now().Before(time.Unix(0, d))
}

// read reads once, waiting for data as needed. A stream's 0 at EOF is
// returned as 0, nil: callers map it.
func (f *fd) read(p []byte) (int, error) {
	if err := f.acquire(); err != nil {
		return 0, err
	}
	defer f.release()
	for {
		if expired(&f.rdl) {
			return 0, os.ErrDeadlineExceeded
		}
		n, err := f.api.Read(f.sysfd, p)
		if !errors.Is(err, unix.EAGAIN) {
			if err != nil {
				return 0, os.NewSyscallError("read", err)
			}
			return n, nil
		}
		if err := f.wait(unix.POLLIN, &f.rdl); err != nil {
			return 0, err
		}
	}
}

// write writes all of p, waiting for room as needed (net.Conn's Write
// contract: a short count only with an error).
func (f *fd) write(p []byte) (int, error) {
	if err := f.acquire(); err != nil {
		return 0, err
	}
	defer f.release()
	done := 0
	for {
		if expired(&f.wdl) {
			return done, os.ErrDeadlineExceeded
		}
		n, err := f.api.SendmsgN(f.sysfd, p[done:], nil, nil, unix.MSG_NOSIGNAL)
		if n > 0 {
			done += n
		}
		switch {
		case err == nil && done == len(p):
			return done, nil
		case err != nil && !errors.Is(err, unix.EAGAIN):
			return done, os.NewSyscallError("write", err)
		}
		if err := f.wait(unix.POLLOUT, &f.wdl); err != nil {
			return done, err
		}
	}
}
