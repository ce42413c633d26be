package netconn

import (
	"context"
	"errors"
	"net"
	"os"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/sock"
)

// Dialer connects to addresses over a provider, like net.Dialer.
type Dialer struct {
	// API is the provider: kernel.New() or a *stack.Host.
	API sock.API
	// Timeout bounds the whole dial; zero means none (the context may
	// still end it).
	Timeout time.Duration
	// LocalAddr, if set, is bound before connecting.
	LocalAddr net.Addr
}

// Dial connects with a background context.
func (d *Dialer) Dial(network, address string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

// DialContext connects to address: socket, optional bind, and a
// non-blocking connect(2) that waits for POLLOUT and reads SO_ERROR.
func (d *Dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	_, typ, err := parseNetwork(network)
	if err != nil {
		return nil, err
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
	sysfd, err := d.API.Socket(domain, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, opErr(os.NewSyscallError("socket", err))
	}
	f := newFD(d.API, sysfd, network)
	f.domain = domain
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

// connect runs connect(2) to completion: EINPROGRESS, then POLLOUT, then
// SO_ERROR (connect(2): "After select(2) indicates writability, use
// getsockopt(2) to read the SO_ERROR option").
func (f *fd) connect(ctx context.Context, sa unix.Sockaddr) error {
	err := f.api.Connect(f.sysfd, sa)
	if err == nil || errors.Is(err, unix.EISCONN) {
		return nil
	}
	if !errors.Is(err, unix.EINPROGRESS) && !errors.Is(err, unix.EAGAIN) {
		return os.NewSyscallError("connect", err)
	}
	var dl atomic.Int64
	if t, ok := ctx.Deadline(); ok {
		dl.Store(t.UnixNano())
	}
	for {
		if ctx.Err() != nil {
			return mapCtx(ctx.Err())
		}
		if err := f.waitSlice(unix.POLLOUT, &dl); err != nil {
			if errors.Is(err, errSlice) {
				continue
			}
			return err
		}
		v, err := f.api.GetsockoptInt(f.sysfd, unix.SOL_SOCKET, unix.SO_ERROR)
		if err != nil {
			return os.NewSyscallError("getsockopt", err)
		}
		if v != 0 {
			return os.NewSyscallError("connect", unix.Errno(v))
		}
		return nil
	}
}

var errSlice = errors.New("poll slice elapsed")

// waitSlice is one Poll slice of wait, so the caller can check its
// context between slices.
func (f *fd) waitSlice(events int16, dl *atomic.Int64) error {
	pfd := []unix.PollFd{{Fd: int32(f.sysfd), Events: events}}
	slice := pollSlice
	if d := dl.Load(); d != 0 {
		left := time.Until(time.Unix(0, d))
		if left <= 0 {
			return os.ErrDeadlineExceeded
		}
		slice = min(slice, left)
	}
	n, err := f.api.Poll(pfd, int((slice+time.Millisecond-1)/time.Millisecond))
	if err != nil && !errors.Is(err, unix.EINTR) {
		return os.NewSyscallError("poll", err)
	}
	if n > 0 && pfd[0].Revents != 0 {
		return nil
	}
	return errSlice
}

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
