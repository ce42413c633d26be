package netconn

import (
	"io"
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Conn is a connected socket as a net.Conn. For TCP it also offers the
// *net.TCPConn extras: CloseRead, CloseWrite, SetNoDelay, SetKeepAlive,
// SetLinger and the buffer sizes.
type Conn struct {
	fd     *fd
	laddr  net.Addr
	raddr  net.Addr
	stream bool
}

var _ net.Conn = (*Conn)(nil)

func newConn(f *fd) *Conn {
	c := &Conn{fd: f, stream: f.net != "udp" && f.net != "udp4" && f.net != "udp6" && f.net != "unixgram"}
	if sa, err := f.api.Getsockname(f.sysfd); err == nil {
		c.laddr = netAddr(f.net, sa)
	}
	if sa, err := f.api.Getpeername(f.sysfd); err == nil {
		c.raddr = netAddr(f.net, sa)
	}
	return c
}

func (c *Conn) opErr(op string, err error) error {
	if err == nil {
		return nil
	}
	return &net.OpError{Op: op, Net: c.fd.net, Source: c.laddr, Addr: c.raddr, Err: err}
}

// Read reads data; io.EOF at the end of a stream (read(2) returning 0).
func (c *Conn) Read(p []byte) (int, error) {
	n, err := c.fd.read(p)
	if err != nil {
		return n, c.opErr("read", err)
	}
	if n == 0 && len(p) > 0 && c.stream {
		return 0, io.EOF
	}
	return n, nil
}

// Write writes all of p unless an error or the deadline stops it.
func (c *Conn) Write(p []byte) (int, error) {
	n, err := c.fd.write(p)
	return n, c.opErr("write", err)
}

// Close closes the connection; calls in flight return net.ErrClosed.
func (c *Conn) Close() error { return c.opErr("close", c.fd.close()) }

// LocalAddr returns the local address.
func (c *Conn) LocalAddr() net.Addr { return c.laddr }

// RemoteAddr returns the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.raddr }

// SetDeadline sets the read and write deadlines.
func (c *Conn) SetDeadline(t time.Time) error {
	setDeadline(&c.fd.rdl, t)
	setDeadline(&c.fd.wdl, t)
	return nil
}

// SetReadDeadline sets the read deadline.
func (c *Conn) SetReadDeadline(t time.Time) error { setDeadline(&c.fd.rdl, t); return nil }

// SetWriteDeadline sets the write deadline.
func (c *Conn) SetWriteDeadline(t time.Time) error { setDeadline(&c.fd.wdl, t); return nil }

// CloseWrite shuts down the sending side: shutdown(2) SHUT_WR.
func (c *Conn) CloseWrite() error { return c.shutdown(unix.SHUT_WR) }

// CloseRead shuts down the receiving side: shutdown(2) SHUT_RD.
func (c *Conn) CloseRead() error { return c.shutdown(unix.SHUT_RD) }

func (c *Conn) shutdown(how int) error {
	if err := c.fd.acquire(); err != nil {
		return c.opErr("shutdown", err)
	}
	defer c.fd.release()
	return c.opErr("shutdown", wrapSys("shutdown", c.fd.api.Shutdown(c.fd.sysfd, how)))
}

func (c *Conn) setInt(level, opt, v int) error {
	if err := c.fd.acquire(); err != nil {
		return c.opErr("set", err)
	}
	defer c.fd.release()
	return c.opErr("set", wrapSys("setsockopt", c.fd.api.SetsockoptInt(c.fd.sysfd, level, opt, v)))
}

// SetNoDelay sets TCP_NODELAY (tcp(7)).
func (c *Conn) SetNoDelay(on bool) error {
	return c.setInt(unix.IPPROTO_TCP, unix.TCP_NODELAY, b2i(on))
}

// SetKeepAlive sets SO_KEEPALIVE (socket(7)).
func (c *Conn) SetKeepAlive(on bool) error {
	return c.setInt(unix.SOL_SOCKET, unix.SO_KEEPALIVE, b2i(on))
}

// SetReadBuffer sets SO_RCVBUF.
func (c *Conn) SetReadBuffer(n int) error { return c.setInt(unix.SOL_SOCKET, unix.SO_RCVBUF, n) }

// SetWriteBuffer sets SO_SNDBUF.
func (c *Conn) SetWriteBuffer(n int) error { return c.setInt(unix.SOL_SOCKET, unix.SO_SNDBUF, n) }

// SetLinger sets SO_LINGER like (*net.TCPConn).SetLinger: negative turns
// lingering off, zero resets the connection on Close.
func (c *Conn) SetLinger(sec int) error {
	if err := c.fd.acquire(); err != nil {
		return c.opErr("set", err)
	}
	defer c.fd.release()
	l := &unix.Linger{}
	if sec >= 0 {
		l.Onoff, l.Linger = 1, int32(sec)
	}
	return c.opErr("set", wrapSys("setsockopt", c.fd.api.SetsockoptLinger(c.fd.sysfd, unix.SOL_SOCKET, unix.SO_LINGER, l)))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func wrapSys(name string, err error) error {
	if err == nil {
		return nil
	}
	return os.NewSyscallError(name, err)
}
