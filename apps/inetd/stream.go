package inetd

import (
	"context"
	"errors"

	"golang.org/x/sys/unix"
)

// streamBuf is the read buffer of one TCP connection.
const streamBuf = 16 << 10

// serveStream runs one TCP connection of svc; the caller closes it.
func (s *Server) serveStream(ctx context.Context, c *conn, svc Service, pattern []byte) error {
	switch svc {
	case Echo:
		return echoStream(ctx, c)
	case Discard:
		return discardStream(ctx, c)
	case Daytime:
		// RFC 867: "send the current date and time as an ASCII
		// character string ... and close the connection."
		return c.writeAll(ctx, AppendDaytime(nil, s.now()))
	case Chargen:
		return chargenStream(ctx, c, pattern)
	}
	return nil
}

// echoStream is RFC 862's TCP echo: "Once a connection is established any
// data received is sent back. This continues until the calling user
// terminates the connection."
func echoStream(ctx context.Context, c *conn) error {
	buf := make([]byte, streamBuf)
	for {
		n, err := c.read(ctx, buf)
		if err != nil || n == 0 {
			return err
		}
		if err := c.writeAll(ctx, buf[:n]); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// discardStream is RFC 863's TCP discard: "Once a connection is
// established any data received is thrown away. No response is sent."
func discardStream(ctx context.Context, c *conn) error {
	buf := make([]byte, streamBuf)
	for {
		n, err := c.read(ctx, buf)
		if err != nil || n == 0 {
			return err
		}
	}
}

// chargenStream is RFC 864's TCP chargen: "Once a connection is
// established a stream of data is sent out the connection (and any data
// received is thrown away). This continues until the calling user
// terminates the connection." The client's end of sending (EOF) is not
// the end: only a failed write is.
func chargenStream(ctx context.Context, c *conn, pattern []byte) error {
	buf := make([]byte, 2048)
	off := 0
	events := int16(unix.POLLIN | unix.POLLOUT)
	for {
		n, err := c.api.Write(c.fd, pattern[off:off+chargenPeriod])
		if n > 0 {
			off = (off + n) % chargenPeriod
		}
		if err == nil {
			if err := ctx.Err(); err != nil {
				return err
			}
			continue
		}
		if !errors.Is(err, unix.EAGAIN) {
			return closedByPeer(err)
		}
		rev, err := c.wait(ctx, events)
		if err != nil {
			return err
		}
		if rev&unix.POLLIN != 0 {
			if n, err := c.api.Read(c.fd, buf); n == 0 && err == nil {
				events = unix.POLLOUT // EOF: keep sending, stop reading
			}
		}
	}
}

// closedByPeer turns the errors of a write after the client closed into
// the ordinary end of a chargen connection.
func closedByPeer(err error) error {
	// send(2): EPIPE: "The local end has been shut down on a connection
	// oriented socket"; ECONNRESET: "Connection reset by peer".
	if errors.Is(err, unix.EPIPE) || errors.Is(err, unix.ECONNRESET) {
		return nil
	}
	return err
}
