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

// Listener is a listening stream socket as a net.Listener.
type Listener struct {
	fd   *fd
	addr net.Addr
}

var _ net.Listener = (*Listener)(nil)

// Accept waits for the next connection: accept4(2) with SOCK_NONBLOCK,
// until the deadline set by SetDeadline or Close.
func (l *Listener) Accept() (net.Conn, error) {
	f := l.fd
	if err := f.acquire(); err != nil {
		return nil, l.opErr(err)
	}
	defer f.release()
	f.rd.mu.Lock()
	defer f.rd.mu.Unlock()
	for {
		if f.closed.Load() {
			return nil, l.opErr(net.ErrClosed)
		}
		if f.rd.expired() {
			return nil, l.opErr(os.ErrDeadlineExceeded)
		}
		nfd, _, err := f.api.Accept4(f.sysfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		if err == nil {
			return newConn(newFD(f.api, nfd, f.domain, f.net)), nil
		}
		// accept(2): "Linux accept() passes already-pending network errors
		// on the new socket as an error code from accept()"; ECONNABORTED
		// (a connection reset while queued) and EINTR are worth a retry.
		if errors.Is(err, unix.ECONNABORTED) || errors.Is(err, unix.EINTR) {
			continue
		}
		// accept(2): EAGAIN: "The socket is marked nonblocking and no
		// connections are present to be accepted".
		if !errors.Is(err, unix.EAGAIN) {
			return nil, l.opErr(os.NewSyscallError("accept", err))
		}
		if err := f.wait(&f.rd, unix.POLLIN); err != nil {
			return nil, l.opErr(err)
		}
	}
}

// SetDeadline sets the deadline of pending and future Accepts, like
// (*net.TCPListener).SetDeadline; the zero time means none.
func (l *Listener) SetDeadline(t time.Time) error {
	if l.fd.closed.Load() {
		return &net.OpError{Op: "set", Net: l.fd.net, Addr: l.addr, Err: net.ErrClosed}
	}
	l.fd.rd.setDeadline(t)
	return nil
}

func (l *Listener) opErr(err error) error {
	return &net.OpError{Op: "accept", Net: l.fd.net, Addr: l.addr, Err: err}
}

// Close stops listening; a blocked Accept returns net.ErrClosed.
func (l *Listener) Close() error {
	if err := l.fd.close(); err != nil {
		return &net.OpError{Op: "close", Net: l.fd.net, Addr: l.addr, Err: err}
	}
	return nil
}

// Addr returns the listening address.
func (l *Listener) Addr() net.Addr { return l.addr }

// ListenConfig creates listeners on a provider.
type ListenConfig struct {
	// API is the provider: kernel.New() or a *stack.Host.
	API sock.API
	// Backlog is listen(2)'s backlog; zero means SOMAXCONN.
	Backlog int
}

// Listen announces on address: socket, SO_REUSEADDR (as the net package
// sets on listeners), bind, listen.
func (lc ListenConfig) Listen(ctx context.Context, network, address string) (net.Listener, error) {
	f, addr, err := lc.bound(network, address, unix.SOCK_STREAM)
	if err != nil {
		return nil, err
	}
	backlog := lc.Backlog
	if backlog <= 0 {
		backlog = sock.SOMAXCONN
	}
	if err := f.api.Listen(f.sysfd, backlog); err != nil {
		f.close()
		return nil, &net.OpError{Op: "listen", Net: network, Addr: addr, Err: os.NewSyscallError("listen", err)}
	}
	return &Listener{fd: f, addr: addr}, nil
}

// ListenPacket opens a datagram socket bound to address.
func (lc ListenConfig) ListenPacket(ctx context.Context, network, address string) (net.PacketConn, error) {
	f, addr, err := lc.bound(network, address, unix.SOCK_DGRAM)
	if err != nil {
		return nil, err
	}
	return &PacketConn{fd: f, laddr: addr}, nil
}

// bound makes a non-blocking socket bound to address.
func (lc ListenConfig) bound(network, address string, want int) (*fd, net.Addr, error) {
	_, typ, err := parseNetwork(network)
	if err != nil {
		return nil, nil, err
	}
	if typ != want && !(want == unix.SOCK_STREAM && typ == unix.SOCK_SEQPACKET) {
		return nil, nil, net.UnknownNetworkError(network)
	}
	sa, domain, err := resolve(network, address)
	if err != nil {
		return nil, nil, &net.OpError{Op: "listen", Net: network, Err: err}
	}
	sysfd, err := lc.API.Socket(domain, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, &net.OpError{Op: "listen", Net: network, Err: os.NewSyscallError("socket", err)}
	}
	f := newFD(lc.API, sysfd, domain, network)
	if domain != unix.AF_UNIX && typ == unix.SOCK_STREAM {
		// socket(7): SO_REUSEADDR lets a listener bind while connections
		// of an earlier one linger in TIME-WAIT, as the net package sets it.
		if err := lc.API.SetsockoptInt(sysfd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
			f.close()
			return nil, nil, &net.OpError{Op: "listen", Net: network, Err: os.NewSyscallError("setsockopt", err)}
		}
	}
	if err := lc.API.Bind(sysfd, sa); err != nil {
		f.close()
		return nil, nil, &net.OpError{Op: "listen", Net: network, Addr: netAddr(network, sa), Err: os.NewSyscallError("bind", err)}
	}
	bsa, err := lc.API.Getsockname(sysfd)
	if err != nil {
		bsa = sa
	}
	return f, netAddr(network, bsa), nil
}

// Listen is ListenConfig{API: api}.Listen with a background context.
func Listen(api sock.API, network, address string) (net.Listener, error) {
	return ListenConfig{API: api}.Listen(context.Background(), network, address)
}

// ListenPacket is ListenConfig{API: api}.ListenPacket.
func ListenPacket(api sock.API, network, address string) (net.PacketConn, error) {
	return ListenConfig{API: api}.ListenPacket(context.Background(), network, address)
}
