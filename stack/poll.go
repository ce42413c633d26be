package stack

import (
	"time"

	"golang.org/x/sys/unix"
)

// alwaysPolled are the events poll(2) reports whether asked or not.
const alwaysPolled = unix.POLLERR | unix.POLLHUP | unix.POLLNVAL

// Poll waits for events on this host's descriptors: poll(2).
func (h *Host) Poll(fds []unix.PollFd, timeout int) (int, error) {
	files := make([]*file, len(fds))
	scan := func() int {
		n := 0
		for i := range fds {
			fds[i].Revents = 0
			if fds[i].Fd < 0 {
				continue // poll(2): negative fds are ignored
			}
			f, err := h.lookup(int(fds[i].Fd))
			files[i] = f
			if err != nil {
				fds[i].Revents = unix.POLLNVAL
				n++
				continue
			}
			if ev := f.s.events() & (fds[i].Events | alwaysPolled); ev != 0 {
				fds[i].Revents = ev
				n++
			}
		}
		return n
	}
	if n := scan(); n > 0 || timeout == 0 {
		return n, nil
	}
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(time.Duration(timeout) * time.Millisecond)
	}
	w := h.waiters.get()
	for _, f := range files {
		if f != nil {
			f.s.base().wq.add(w)
		}
	}
	defer func() {
		for _, f := range files {
			if f != nil {
				f.s.base().wq.remove(w)
			}
		}
		h.waiters.put(w)
	}()
	for {
		if n := scan(); n > 0 {
			return n, nil
		}
		if !w.sleep(deadline) {
			return 0, nil
		}
	}
}

// ioctler is implemented by sockets that answer int ioctls.
type ioctler interface {
	ioctlInt(req uint) (int, error)
}

// IoctlGetInt answers FIONREAD (SIOCINQ), SIOCOUTQ and SIOCATMARK.
func (h *Host) IoctlGetInt(fd int, req uint) (int, error) {
	f, err := h.lookup(fd)
	if err != nil {
		return 0, err
	}
	if p, ok := f.s.(ioctler); ok {
		return p.ioctlInt(req)
	}
	return 0, unix.ENOTTY
}

// IoctlGetTimeval answers SIOCGSTAMP: socket(7) "Return a struct timeval
// with the receive timestamp of the last packet passed to the user."
func (h *Host) IoctlGetTimeval(fd int, req uint) (unix.Timeval, error) {
	f, err := h.lookup(fd)
	if err != nil {
		return unix.Timeval{}, err
	}
	if req != unix.SIOCGSTAMP {
		return unix.Timeval{}, unix.ENOTTY
	}
	if p, ok := f.s.(interface{ lastStamp() (time.Time, bool) }); ok {
		if t, ok := p.lastStamp(); ok {
			return unix.NsecToTimeval(t.UnixNano()), nil
		}
	}
	// socket(7): ENOENT when no packet has been received.
	return unix.Timeval{}, unix.ENOENT
}

// poll(2)'s normal-data events, which x/sys/unix does not name on Linux.
const (
	pollRdNorm = 0x40
	pollWrNorm = 0x100
)
