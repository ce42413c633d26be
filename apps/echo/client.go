package echo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"

	"golang.org/x/sys/unix"

	"sockstack/sock"
)

// Client dials an echo server over any sockets provider.
type Client struct {
	// API is the sockets provider.
	API sock.API
	// Network is "tcp" (the default when empty) or "udp".
	Network string
	// Addr is the server's address. An IPv4 address gives an AF_INET
	// socket, any other an AF_INET6 one.
	Addr netip.AddrPort
}

// Conn is one connection to an echo server. Its descriptor is non-blocking;
// every wait is a poll(2) loop that ends when the context is done. A Conn
// may be read by one goroutine while another writes to it.
type Conn struct {
	api    sock.API
	udp    bool
	r, w   *endpoint // the same descriptor, each with its own poll set
	local  netip.AddrPort
	remote netip.AddrPort
	closed bool
}

// Dial connects to the server. For TCP it completes the three-way handshake
// or fails with the provider's errno (errors.Is(err, unix.ECONNREFUSED)).
// For UDP it sets the default peer, so Read and Write exchange datagrams
// with the server only (udp(7): connect).
func (c *Client) Dial(ctx context.Context) (*Conn, error) {
	typ, err := sockType(c.Network)
	if err != nil {
		return nil, err
	}
	sa, err := sockaddr(c.Addr)
	if err != nil {
		return nil, err
	}
	fd, err := c.API.Socket(family(c.Addr.Addr()), typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("echo: socket: %w", err)
	}
	conn := &Conn{api: c.API, udp: typ == unix.SOCK_DGRAM, remote: c.Addr,
		r: newEndpoint(c.API, fd), w: newEndpoint(c.API, fd)}
	if err := conn.connect(ctx, sa); err != nil {
		c.API.Close(fd)
		return nil, fmt.Errorf("echo: connect %v: %w", c.Addr, err)
	}
	// connect(2): an unbound socket is bound to a default address;
	// getsockname(2) reports which.
	if got, err := c.API.Getsockname(fd); err == nil {
		conn.local = addrPort(got)
	}
	return conn, nil
}

// connect runs connect(2) on the non-blocking descriptor.
func (c *Conn) connect(ctx context.Context, sa unix.Sockaddr) error {
	err := c.api.Connect(c.w.fd, sa)
	// connect(2): EINPROGRESS: the socket is nonblocking and the
	// connection cannot be completed immediately. Wait until it is
	// writable, then read SO_ERROR to learn whether connect succeeded.
	if !errors.Is(err, unix.EINPROGRESS) {
		return err
	}
	if err := c.w.wait(ctx, unix.POLLOUT); err != nil {
		return err
	}
	soerr, err := c.api.GetsockoptInt(c.w.fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return err
	}
	if soerr != 0 {
		return unix.Errno(soerr)
	}
	return nil
}

// LocalAddr returns the address the connection was bound to.
func (c *Conn) LocalAddr() netip.AddrPort { return c.local }

// RemoteAddr returns the server's address.
func (c *Conn) RemoteAddr() netip.AddrPort { return c.remote }

// Read reads what the server sent, waiting until something arrives or ctx
// is done. Over TCP it returns io.EOF after the server's orderly shutdown;
// over UDP each call returns one datagram.
func (c *Conn) Read(ctx context.Context, p []byte) (int, error) {
	n, err := c.r.read(ctx, p)
	if err != nil {
		return 0, err
	}
	if n == 0 && !c.udp && len(p) > 0 {
		return 0, io.EOF
	}
	return n, nil
}

// Write sends all of p over TCP, or p as one datagram over UDP.
func (c *Conn) Write(ctx context.Context, p []byte) error {
	if c.udp {
		// A connected UDP socket takes each write as one datagram.
		return c.w.sendto(ctx, p, nil)
	}
	return c.w.writeAll(ctx, p)
}

// CloseWrite shuts down the sending side of a TCP connection: the server
// reads EOF after the bytes already sent, echoes them and closes (shutdown(2):
// SHUT_WR: further transmissions will be disallowed). Over UDP there is
// nothing to shut down and CloseWrite does nothing.
func (c *Conn) CloseWrite() error {
	if c.udp {
		return nil
	}
	return c.api.Shutdown(c.w.fd, unix.SHUT_WR)
}

// Close releases the descriptor. It must not be called while another
// goroutine reads or writes the Conn. A second Close does nothing.
func (c *Conn) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	return c.api.Close(c.w.fd)
}
