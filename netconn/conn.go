package netconn

import (
	"io"
	"net"
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

// newConn wraps a connected descriptor. TCP connections get TCP_NODELAY,
// as the net package gives them ((*net.TCPConn).SetNoDelay: "The default
// is true (no delay), meaning that data is sent as soon as possible after a
// Write"); like the net package, a provider refusing it is not an error.
func newConn(f *fd) *Conn {
	c := &Conn{fd: f, stream: f.net != "udp" && f.net != "udp4" && f.net != "udp6" && f.net != "unixgram"}
	if f.net == "tcp" || f.net == "tcp4" || f.net == "tcp6" {
		_ = f.api.SetsockoptInt(f.sysfd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	}
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

// Read reads what is available, waiting for at least one byte (or one
// datagram) until the read deadline. read(2): "On success, the number of
// bytes read is returned (zero indicates end of file)": on a stream that is
// io.EOF, as io.Reader has it; a zero-length datagram is 0, nil.
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

// Write writes all of p, continuing after partial writes, unless an error
// or the write deadline stops it; then n counts the bytes sent.
func (c *Conn) Write(p []byte) (int, error) {
	n, err := c.fd.write(p)
	return n, c.opErr("write", err)
}

// Close closes the connection: close(2) once the calls in flight have
// returned net.ErrClosed. A second Close fails with net.ErrClosed.
func (c *Conn) Close() error { return c.opErr("close", c.fd.close()) }

// LocalAddr returns the local address.
func (c *Conn) LocalAddr() net.Addr { return c.laddr }

// RemoteAddr returns the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.raddr }

// SetDeadline sets the read and write deadlines (net.Conn: "equivalent
// to calling both SetReadDeadline and SetWriteDeadline").
func (c *Conn) SetDeadline(t time.Time) error {
	if c.fd.closed.Load() {
		return c.opErr("set", net.ErrClosed)
	}
	c.fd.rd.setDeadline(t)
	c.fd.wr.setDeadline(t)
	return nil
}

// SetReadDeadline sets the deadline for pending and future Reads; the
// zero time means none.
func (c *Conn) SetReadDeadline(t time.Time) error {
	if c.fd.closed.Load() {
		return c.opErr("set", net.ErrClosed)
	}
	c.fd.rd.setDeadline(t)
	return nil
}

// SetWriteDeadline sets the deadline for pending and future Writes; a
// Write that times out may have written part of its data (net.Conn).
func (c *Conn) SetWriteDeadline(t time.Time) error {
	if c.fd.closed.Load() {
		return c.opErr("set", net.ErrClosed)
	}
	c.fd.wr.setDeadline(t)
	return nil
}

// CloseWrite shuts down the sending side, like (*net.TCPConn).CloseWrite.
// shutdown(2): "If how is SHUT_WR, further transmissions will be
// disallowed"; on TCP the peer reads EOF once the data before it is read.
func (c *Conn) CloseWrite() error { return c.shutdown(unix.SHUT_WR) }

// CloseRead shuts down the receiving side, like (*net.TCPConn).CloseRead.
// shutdown(2): "If how is SHUT_RD, further receptions will be disallowed".
func (c *Conn) CloseRead() error { return c.shutdown(unix.SHUT_RD) }

func (c *Conn) shutdown(how int) error {
	if err := c.fd.acquire(); err != nil {
		return c.opErr("shutdown", err)
	}
	defer c.fd.release()
	return c.opErr("shutdown", wrapSys("shutdown", c.fd.api.Shutdown(c.fd.sysfd, how)))
}

func (c *Conn) setInt(level, opt, v int) error {
	return c.opErr("set", c.fd.setInt(level, opt, v))
}

// SetNoDelay sets TCP_NODELAY. tcp(7): "If set, disable the Nagle
// algorithm". On by default, as in the net package.
func (c *Conn) SetNoDelay(on bool) error {
	return c.setInt(unix.IPPROTO_TCP, unix.TCP_NODELAY, b2i(on))
}

// SetKeepAlive sets SO_KEEPALIVE. socket(7): "Enable sending of
// keep-alive messages on connection-oriented sockets".
func (c *Conn) SetKeepAlive(on bool) error {
	return c.setInt(unix.SOL_SOCKET, unix.SO_KEEPALIVE, b2i(on))
}

// SetReadBuffer sets SO_RCVBUF. socket(7): "Sets or gets the maximum
// socket receive buffer in bytes" (Linux doubles the value).
func (c *Conn) SetReadBuffer(n int) error { return c.setInt(unix.SOL_SOCKET, unix.SO_RCVBUF, n) }

// SetWriteBuffer sets SO_SNDBUF. socket(7): "Sets or gets the maximum
// socket send buffer in bytes" (Linux doubles the value).
func (c *Conn) SetWriteBuffer(n int) error { return c.setInt(unix.SOL_SOCKET, unix.SO_SNDBUF, n) }

// SetLinger sets SO_LINGER like (*net.TCPConn).SetLinger: a negative sec
// turns lingering off (the default: Close returns at once and the stack
// sends the rest in the background); zero discards unsent data and resets
// the connection on Close (RFC 9293 §3.10.4: ABORT sends a RST); a positive
// sec is socket(7)'s linger time: "a close(2) or shutdown(2) will not
// return until all queued messages for the socket have been successfully
// sent or the linger timeout has been reached", so Close may block.
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
