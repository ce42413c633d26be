package netconn

import (
	"context"
	"errors"
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/sock"
)

// Dialer connects to addresses over a provider, like net.Dialer.
type Dialer struct {
	// API is the provider: kernel.New() or a *stack.Host.
	API sock.API
	// Timeout bounds the whole dial; zero means none (the context may
	// still end it). net.Dialer: "the maximum amount of time a dial will
	// wait for a connect to complete".
	Timeout time.Duration
	// LocalAddr, if set, is bound before connecting: a *net.TCPAddr,
	// *net.UDPAddr or *net.UnixAddr.
	LocalAddr net.Addr
}

// Dial connects with a background context.
func (d *Dialer) Dial(network, address string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

// DialContext connects to address on network ("tcp", "tcp4", "tcp6",
// "udp", "udp4", "udp6", "unix", "unixgram", "unixpacket"): socket(2),
// an optional bind(2), and a non-blocking connect(2) that ends when the
// connection completes, fails, or ctx (or Timeout) ends. Hosts must be IP
// literals or "localhost" (errors.Is(err, ErrNotNumeric) otherwise).
func (d *Dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	_, typ, err := parseNetwork(network)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	sa, domain, err := resolve(network, address)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	opErr := func(err error) error {
		return &net.OpError{Op: "dial", Net: network, Source: d.LocalAddr, Addr: netAddr(network, sa), Err: err}
	}
	if d.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.Timeout)
		defer cancel()
	}
	if err := ctx.Err(); err != nil {
		return nil, opErr(mapCtx(err))
	}
	sysfd, err := d.API.Socket(domain, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, opErr(os.NewSyscallError("socket", err))
	}
	f := newFD(d.API, sysfd, domain, network)
	if err := d.bindLocal(sysfd, domain); err != nil {
		f.close()
		return nil, opErr(err)
	}
	if err := f.connect(ctx, sa); err != nil {
		f.close()
		return nil, opErr(err)
	}
	return newConn(f), nil
}

func (d *Dialer) bindLocal(sysfd, domain int) error {
	if d.LocalAddr == nil {
		return nil
	}
	la, err := sockaddrOf(d.LocalAddr, domain)
	if err != nil {
		return err
	}
	return wrapSys("bind", d.API.Bind(sysfd, la))
}

// connect runs connect(2) to completion on the non-blocking descriptor.
// connect(2): "EINPROGRESS: The socket is nonblocking and the connection
// cannot be completed immediately. It is possible to select(2) or poll(2)
// for completion by selecting the socket for writing. After select(2)
// indicates writability, use getsockopt(2) to read the SO_ERROR option".
func (f *fd) connect(ctx context.Context, sa unix.Sockaddr) error {
	var dl int64
	if t, ok := ctx.Deadline(); ok {
		dl = t.UnixNano()
	}
	err := f.api.Connect(f.sysfd, sa)
	for f.domain == unix.AF_UNIX && errors.Is(err, unix.EAGAIN) {
		// unix(7): EAGAIN: a non-blocking connect to a listener whose
		// backlog is full; it did not start, so it is retried.
		if err := f.pause(ctx, dl); err != nil {
			return err
		}
		err = f.api.Connect(f.sysfd, sa)
	}
	switch {
	case err == nil || errors.Is(err, unix.EISCONN):
		return nil
	case !errors.Is(err, unix.EINPROGRESS):
		return os.NewSyscallError("connect", err)
	}
	for {
		if err := ctx.Err(); err != nil {
			return mapCtx(err)
		}
		switch err := f.waitSlice(&f.wr, unix.POLLOUT, dl); err {
		case nil:
		case errSlice:
			continue
		default:
			return err
		}
		// socket(7): SO_ERROR: "Get and clear the pending socket error".
		v, err := f.api.GetsockoptInt(f.sysfd, unix.SOL_SOCKET, unix.SO_ERROR)
		if err != nil {
			return os.NewSyscallError("getsockopt", err)
		}
		switch e := unix.Errno(v); {
		case v == 0 || e == unix.EISCONN:
		case e == unix.EINPROGRESS || e == unix.EALREADY || e == unix.EINTR:
			continue
		default:
			return os.NewSyscallError("connect", e)
		}
		// getpeername(2) succeeds only on a connected socket: a spurious
		// wake-up leaves ENOTCONN and the wait goes on.
		if _, err := f.api.Getpeername(f.sysfd); err == nil {
			return nil
		} else if !errors.Is(err, unix.ENOTCONN) {
			return os.NewSyscallError("getpeername", err)
		}
	}
}

// pause waits one pollSlice (or until dl or ctx ends) before a retry.
func (f *fd) pause(ctx context.Context, dl int64) error {
	wait := pollSlice / 5
	if dl != 0 {
		left := time.Duration(dl - time.Now().UnixNano())
		if left <= 0 {
			return os.ErrDeadlineExceeded
		}
		wait = min(wait, left)
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return mapCtx(ctx.Err())
	case <-t.C:
		return nil
	}
}

// mapCtx maps the end of a dial's context as the net package does: a
// deadline becomes os.ErrDeadlineExceeded (a net.Error whose Timeout is
// true); a cancellation stays context.Canceled.
func mapCtx(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return os.ErrDeadlineExceeded
	}
	return err
}

// Dial connects with a zero Dialer on api.
func Dial(api sock.API, network, address string) (net.Conn, error) {
	return (&Dialer{API: api}).Dial(network, address)
}
