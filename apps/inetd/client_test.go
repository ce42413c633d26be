package inetd

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/sock"
)

// client is a test client of the services over any provider.
type client struct {
	t   *testing.T
	api sock.API
}

// open makes a non-blocking socket of typ for dst's family, bound to src
// when src is valid.
func (c client) open(typ int, src netip.AddrPort, dst netip.AddrPort) *conn {
	c.t.Helper()
	family := unix.AF_INET
	if !dst.Addr().Is4() {
		family = unix.AF_INET6
	}
	fd, err := c.api.Socket(family, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		c.t.Fatalf("socket: %v", err)
	}
	c.t.Cleanup(func() { c.api.Close(fd) })
	if src.IsValid() {
		if err := c.api.Bind(fd, sockaddr(src)); err != nil {
			c.t.Fatalf("bind %v: %v", src, err)
		}
	}
	return &conn{api: c.api, fd: fd}
}

// exchange sends payload to dst from a fresh UDP socket and returns the
// reply, or nil after wait without one.
func (c client) exchange(dst netip.AddrPort, payload []byte, wait time.Duration) []byte {
	c.t.Helper()
	cn := c.open(unix.SOCK_DGRAM, netip.AddrPort{}, dst)
	return c.exchangeOn(cn, dst, payload, wait)
}

func (c client) exchangeOn(cn *conn, dst netip.AddrPort, payload []byte, wait time.Duration) []byte {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := cn.sendto(ctx, payload, sockaddr(dst)); err != nil {
		c.t.Fatalf("sendto %v: %v", dst, err)
	}
	buf := make([]byte, 70000)
	for {
		n, from, err := c.api.Recvfrom(cn.fd, buf, 0)
		if err == nil {
			if got := addrPort(from); got != dst {
				c.t.Fatalf("reply from %v, want %v", got, dst)
			}
			return buf[:n]
		}
		if !errors.Is(err, unix.EAGAIN) {
			c.t.Fatalf("recvfrom: %v", err)
		}
		if _, err := cn.wait(ctx, unix.POLLIN); err != nil {
			return nil // no reply in time
		}
	}
}

// dial connects a TCP socket to dst.
func (c client) dial(ctx context.Context, dst netip.AddrPort) *conn {
	c.t.Helper()
	cn := c.open(unix.SOCK_STREAM, netip.AddrPort{}, dst)
	err := c.api.Connect(cn.fd, sockaddr(dst))
	if errors.Is(err, unix.EINPROGRESS) {
		if _, err = cn.wait(ctx, unix.POLLOUT); err == nil {
			var soerr int
			soerr, err = c.api.GetsockoptInt(cn.fd, unix.SOL_SOCKET, unix.SO_ERROR)
			if soerr != 0 {
				err = unix.Errno(soerr)
			}
		}
	}
	if err != nil {
		c.t.Fatalf("connect %v: %v", dst, err)
	}
	return cn
}

// readFull reads exactly len(p) bytes.
func readFull(ctx context.Context, cn *conn, p []byte) error {
	for got := 0; got < len(p); {
		n, err := cn.read(ctx, p[got:])
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("EOF after %d of %d bytes", got, len(p))
		}
		got += n
	}
	return nil
}

// readAll reads until EOF.
func readAll(ctx context.Context, cn *conn) ([]byte, error) {
	var out []byte
	buf := make([]byte, 4096)
	for {
		n, err := cn.read(ctx, buf)
		if err != nil {
			return out, err
		}
		if n == 0 {
			return out, nil
		}
		out = append(out, buf[:n]...)
	}
}

// hasTCP reports whether api can make a TCP socket.
func hasTCP(api sock.API) bool {
	fd, err := api.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		return false
	}
	api.Close(fd)
	return true
}
