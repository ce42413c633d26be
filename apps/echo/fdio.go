package echo

import (
	"context"
	"errors"

	"golang.org/x/sys/unix"

	"sockstack/sock"
)

// pollInterval bounds every poll(2) wait, in milliseconds, so that a
// cancelled context is noticed promptly on any provider: no provider has to
// interrupt a blocked call for Serve or Pipe to stop.
const pollInterval = 50

// endpoint is one non-blocking descriptor of a provider, with the poll set
// reused by every wait so that waiting allocates nothing.
type endpoint struct {
	api sock.API
	fd  int
	pfd [1]unix.PollFd
}

func newEndpoint(api sock.API, fd int) *endpoint {
	return &endpoint{api: api, fd: fd}
}

// wait blocks until the descriptor reports one of events, an error or a
// hang-up, or until ctx is done, in which case it returns ctx.Err(). An
// event already pending wins over cancellation, so a peer's EOF that
// arrived before the cancel is still seen as EOF.
func (e *endpoint) wait(ctx context.Context, events int16) error {
	e.pfd[0] = unix.PollFd{Fd: int32(e.fd), Events: events}
	timeout := 0
	for {
		n, err := e.api.Poll(e.pfd[:], timeout)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			timeout = pollInterval
			continue
		}
		// poll(2): POLLNVAL: invalid request: fd not open.
		if e.pfd[0].Revents&unix.POLLNVAL != 0 {
			return unix.EBADF
		}
		// POLLERR and POLLHUP are reported even when not requested; the
		// read or write that follows returns the pending error or EOF.
		return nil
	}
}

// read reads at most len(p) bytes, waiting while the socket has nothing to
// read. For a stream socket n == 0 with a nil error is the peer's orderly
// shutdown (recv(2): "the return value will be 0").
func (e *endpoint) read(ctx context.Context, p []byte) (int, error) {
	for {
		n, err := e.api.Read(e.fd, p)
		if err == nil {
			return n, nil
		}
		if !errors.Is(err, unix.EAGAIN) {
			return 0, err
		}
		if err := e.wait(ctx, unix.POLLIN); err != nil {
			return 0, err
		}
	}
}

// writeAll writes all of p, waiting while the send buffer is full. A
// non-blocking stream socket may take part of p (send(2): "the call may
// return the number of bytes sent"), so the rest is written again.
func (e *endpoint) writeAll(ctx context.Context, p []byte) error {
	for len(p) > 0 {
		n, err := e.api.Write(e.fd, p)
		if n > 0 {
			p = p[n:]
		}
		if err == nil {
			continue
		}
		if !errors.Is(err, unix.EAGAIN) {
			return err
		}
		if err := e.wait(ctx, unix.POLLOUT); err != nil {
			return err
		}
	}
	return nil
}

// recvfrom receives one datagram and its source, waiting while none is
// queued: recvfrom(2).
func (e *endpoint) recvfrom(ctx context.Context, p []byte) (int, unix.Sockaddr, error) {
	for {
		n, from, err := e.api.Recvfrom(e.fd, p, 0)
		if err == nil {
			return n, from, nil
		}
		if !errors.Is(err, unix.EAGAIN) {
			return 0, nil, err
		}
		if err := e.wait(ctx, unix.POLLIN); err != nil {
			return 0, nil, err
		}
	}
}

// sendto sends one datagram to to, waiting while the send buffer is full:
// sendto(2).
func (e *endpoint) sendto(ctx context.Context, p []byte, to unix.Sockaddr) error {
	for {
		err := e.api.Sendto(e.fd, p, 0, to)
		if !errors.Is(err, unix.EAGAIN) {
			return err
		}
		if err := e.wait(ctx, unix.POLLOUT); err != nil {
			return err
		}
	}
}
