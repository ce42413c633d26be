package netconn

import (
	"errors"
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// PacketConn is a datagram socket as a net.PacketConn.
type PacketConn struct {
	fd    *fd
	laddr net.Addr
}

var _ net.PacketConn = (*PacketConn)(nil)

func (c *PacketConn) opErr(op string, addr net.Addr, err error) error {
	if err == nil {
		return nil
	}
	return &net.OpError{Op: op, Net: c.fd.net, Source: c.laddr, Addr: addr, Err: err}
}

// ReadFrom reads one datagram and its source: recvfrom(2).
func (c *PacketConn) ReadFrom(p []byte) (int, net.Addr, error) {
	if err := c.fd.acquire(); err != nil {
		return 0, nil, c.opErr("read", nil, err)
	}
	defer c.fd.release()
	for {
		if expired(&c.fd.rdl) {
			return 0, nil, c.opErr("read", nil, os.ErrDeadlineExceeded)
		}
		n, from, err := c.fd.api.Recvfrom(c.fd.sysfd, p, 0)
		if err == nil {
			return n, netAddr(c.fd.net, from), nil
		}
		if !errors.Is(err, unix.EAGAIN) {
			return 0, nil, c.opErr("read", nil, os.NewSyscallError("recvfrom", err))
		}
		if err := c.fd.wait(unix.POLLIN, &c.fd.rdl); err != nil {
			return 0, nil, c.opErr("read", nil, err)
		}
	}
}

// WriteTo sends one datagram to addr: sendto(2).
func (c *PacketConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	sa, err := sockaddrOf(addr, c.fd.domain)
	if err != nil {
		return 0, c.opErr("write", addr, err)
	}
	if err := c.fd.acquire(); err != nil {
		return 0, c.opErr("write", addr, err)
	}
	defer c.fd.release()
	for {
		if expired(&c.fd.wdl) {
			return 0, c.opErr("write", addr, os.ErrDeadlineExceeded)
		}
		err := c.fd.api.Sendto(c.fd.sysfd, p, 0, sa)
		if err == nil {
			return len(p), nil
		}
		if !errors.Is(err, unix.EAGAIN) {
			return 0, c.opErr("write", addr, os.NewSyscallError("sendto", err))
		}
		if err := c.fd.wait(unix.POLLOUT, &c.fd.wdl); err != nil {
			return 0, c.opErr("write", addr, err)
		}
	}
}

// Close closes the socket.
func (c *PacketConn) Close() error { return c.opErr("close", nil, c.fd.close()) }

// LocalAddr returns the bound address.
func (c *PacketConn) LocalAddr() net.Addr { return c.laddr }

// SetDeadline sets both deadlines.
func (c *PacketConn) SetDeadline(t time.Time) error {
	setDeadline(&c.fd.rdl, t)
	setDeadline(&c.fd.wdl, t)
	return nil
}

// SetReadDeadline sets the read deadline.
func (c *PacketConn) SetReadDeadline(t time.Time) error { setDeadline(&c.fd.rdl, t); return nil }

// SetWriteDeadline sets the write deadline.
func (c *PacketConn) SetWriteDeadline(t time.Time) error { setDeadline(&c.fd.wdl, t); return nil }
