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

// ReadFrom reads one datagram and its source: recvfrom(2). udp(7): "If
// the buffer is too small, the rest of the datagram is discarded" (n is
// the bytes copied, as with the net package).
func (c *PacketConn) ReadFrom(p []byte) (int, net.Addr, error) {
	f := c.fd
	if err := f.acquire(); err != nil {
		return 0, nil, c.opErr("read", nil, err)
	}
	defer f.release()
	f.rd.mu.Lock()
	defer f.rd.mu.Unlock()
	for {
		if f.closed.Load() {
			return 0, nil, c.opErr("read", nil, net.ErrClosed)
		}
		if f.rd.expired() {
			return 0, nil, c.opErr("read", nil, os.ErrDeadlineExceeded)
		}
		n, from, err := f.api.Recvfrom(f.sysfd, p, 0)
		if err == nil {
			return n, netAddr(f.net, from), nil
		}
		// recv(2): EAGAIN: "the receive operation would block".
		if !errors.Is(err, unix.EAGAIN) {
			return 0, nil, c.opErr("read", nil, os.NewSyscallError("recvfrom", err))
		}
		if err := f.wait(&f.rd, unix.POLLIN); err != nil {
			return 0, nil, c.opErr("read", nil, err)
		}
	}
}

// WriteTo sends one datagram to addr (a *net.UDPAddr or *net.UnixAddr):
// sendto(2).
func (c *PacketConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	f := c.fd
	sa, err := sockaddrOf(addr, f.domain)
	if err != nil {
		return 0, c.opErr("write", addr, err)
	}
	if err := f.acquire(); err != nil {
		return 0, c.opErr("write", addr, err)
	}
	defer f.release()
	f.wr.mu.Lock()
	defer f.wr.mu.Unlock()
	for {
		if f.closed.Load() {
			return 0, c.opErr("write", addr, net.ErrClosed)
		}
		if f.wr.expired() {
			return 0, c.opErr("write", addr, os.ErrDeadlineExceeded)
		}
		err := f.api.Sendto(f.sysfd, p, 0, sa)
		if err == nil {
			return len(p), nil // a datagram goes whole or not at all
		}
		// send(2): EAGAIN: the send buffer is full; wait for room.
		if !errors.Is(err, unix.EAGAIN) {
			return 0, c.opErr("write", addr, os.NewSyscallError("sendto", err))
		}
		if err := f.wait(&f.wr, unix.POLLOUT); err != nil {
			return 0, c.opErr("write", addr, err)
		}
	}
}

// Close closes the socket; pending calls return net.ErrClosed.
func (c *PacketConn) Close() error { return c.opErr("close", nil, c.fd.close()) }

// LocalAddr returns the bound address: a *net.UDPAddr or *net.UnixAddr.
func (c *PacketConn) LocalAddr() net.Addr { return c.laddr }

// SetDeadline sets both deadlines.
func (c *PacketConn) SetDeadline(t time.Time) error {
	if c.fd.closed.Load() {
		return c.opErr("set", nil, net.ErrClosed)
	}
	c.fd.rd.setDeadline(t)
	c.fd.wr.setDeadline(t)
	return nil
}

// SetReadDeadline sets the deadline of pending and future ReadFroms.
func (c *PacketConn) SetReadDeadline(t time.Time) error {
	if c.fd.closed.Load() {
		return c.opErr("set", nil, net.ErrClosed)
	}
	c.fd.rd.setDeadline(t)
	return nil
}

// SetWriteDeadline sets the deadline of pending and future WriteTos.
func (c *PacketConn) SetWriteDeadline(t time.Time) error {
	if c.fd.closed.Load() {
		return c.opErr("set", nil, net.ErrClosed)
	}
	c.fd.wr.setDeadline(t)
	return nil
}

// SetReadBuffer sets SO_RCVBUF (socket(7)).
func (c *PacketConn) SetReadBuffer(n int) error {
	return c.opErr("set", nil, c.fd.setInt(unix.SOL_SOCKET, unix.SO_RCVBUF, n))
}

// SetWriteBuffer sets SO_SNDBUF (socket(7)).
func (c *PacketConn) SetWriteBuffer(n int) error {
	return c.opErr("set", nil, c.fd.setInt(unix.SOL_SOCKET, unix.SO_SNDBUF, n))
}
