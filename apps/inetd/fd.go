package inetd

import (
	"context"
	"errors"

	"golang.org/x/sys/unix"

	"sockstack/sock"
)

// pollInterval bounds every poll(2) wait, in milliseconds, so a cancelled
// context is noticed promptly on any provider.
const pollInterval = 50

// conn is one non-blocking descriptor with a reusable poll set.
type conn struct {
	api sock.API
	fd  int
	pfd [1]unix.PollFd
}

// wait blocks until fd reports one of events, an error or a hang-up, or
// ctx is done. It returns the events seen.
func (c *conn) wait(ctx context.Context, events int16) (int16, error) {
	timeout := 0
	for {
		c.pfd[0] = unix.PollFd{Fd: int32(c.fd), Events: events}
		n, err := c.api.Poll(c.pfd[:], timeout)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return 0, err
		}
		if n > 0 {
			// poll(2): POLLNVAL: invalid request: fd not open.
			if c.pfd[0].Revents&unix.POLLNVAL != 0 {
				return 0, unix.EBADF
			}
			return c.pfd[0].Revents, nil
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		timeout = pollInterval
	}
}

// read reads into p, waiting while nothing is queued; 0 with a nil error
// is a stream's end (recv(2)).
func (c *conn) read(ctx context.Context, p []byte) (int, error) {
	for {
		n, err := c.api.Read(c.fd, p)
		if !errors.Is(err, unix.EAGAIN) {
			return n, err
		}
		if _, err := c.wait(ctx, unix.POLLIN); err != nil {
			return 0, err
		}
	}
}

// writeAll writes all of p, waiting while the send buffer is full
// (send(2): a non-blocking stream socket may take part of p).
func (c *conn) writeAll(ctx context.Context, p []byte) error {
	for len(p) > 0 {
		n, err := c.api.Write(c.fd, p)
		if n > 0 {
			p = p[n:]
		}
		if err == nil {
			continue
		}
		if !errors.Is(err, unix.EAGAIN) {
			return err
		}
		if _, err := c.wait(ctx, unix.POLLOUT); err != nil {
			return err
		}
	}
	return nil
}

// sendto sends one datagram, waiting while the send buffer is full.
func (c *conn) sendto(ctx context.Context, p []byte, to unix.Sockaddr) error {
	for {
		err := c.api.Sendto(c.fd, p, 0, to)
		if !errors.Is(err, unix.EAGAIN) {
			return err
		}
		if _, err := c.wait(ctx, unix.POLLOUT); err != nil {
			return err
		}
	}
}
