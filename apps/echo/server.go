package echo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"sync"

	"golang.org/x/sys/unix"

	"sockstack/sock"
)

// ErrNetwork reports a Network other than "tcp" or "udp".
var ErrNetwork = errors.New("echo: network must be tcp or udp")

// ErrListening reports a second Listen on a Server that already listens.
var ErrListening = errors.New("echo: server already listening")

// bufSize is the echo buffer of a connection. seed 003 uses char buf[2048];
// a larger buffer moves bulk data in fewer calls.
const bufSize = 32 << 10

// Server is the echo server of seed 003 over any sockets provider: every
// byte a TCP client sends comes back to it until it shuts down its sending
// side, and every UDP datagram goes back to its source.
//
// Set the fields, then call Listen (optional) and Serve. A Server serves
// once; the fields must not change after Listen.
type Server struct {
	// API is the sockets provider.
	API sock.API
	// Network is "tcp" (the default when empty) or "udp".
	Network string
	// Addr is the address to bind; port 0 asks for an ephemeral port and
	// the zero AddrPort means 0.0.0.0:0. An IPv4 address gives an AF_INET
	// socket, any other an AF_INET6 one.
	Addr netip.AddrPort
	// Backlog is listen(2)'s backlog; zero or less means sock.SOMAXCONN,
	// as seed 003 passes SOMAXCONN.
	Backlog int
	// Log receives one line per connection event (seed 003 prints
	// "connected from" and "disconnected from"). Nil discards them.
	Log io.Writer

	mu sync.Mutex // serialises writes to Log
	ln *endpoint  // the listening (TCP) or bound (UDP) socket
}

// Listen creates the server's socket, binds it and, for TCP, marks it
// listening. It returns the bound address, whose port is the one the
// provider chose when Addr's port is 0.
func (s *Server) Listen() (netip.AddrPort, error) {
	if s.ln != nil {
		return netip.AddrPort{}, ErrListening
	}
	typ, err := sockType(s.Network)
	if err != nil {
		return netip.AddrPort{}, err
	}
	addr := s.Addr
	if !addr.Addr().IsValid() {
		addr = netip.AddrPortFrom(netip.IPv4Unspecified(), addr.Port())
	}
	sa, err := sockaddr(addr)
	if err != nil {
		return netip.AddrPort{}, err
	}
	fd, err := s.API.Socket(family(addr.Addr()), typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("echo: socket: %w", err)
	}
	bound, err := s.bindListen(fd, typ, addr, sa)
	if err != nil {
		s.API.Close(fd)
		return netip.AddrPort{}, err
	}
	s.ln = newEndpoint(s.API, fd)
	return bound, nil
}

// bindListen performs the seed's setsockopt, bind and listen on fd.
func (s *Server) bindListen(fd, typ int, addr netip.AddrPort, sa unix.Sockaddr) (netip.AddrPort, error) {
	// seed 003: SO_REUSEADDR before bind, so a restarted server can bind
	// while old connections linger in TIME_WAIT.
	if err := s.API.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return netip.AddrPort{}, fmt.Errorf("echo: setsockopt SO_REUSEADDR: %w", err)
	}
	if err := s.API.Bind(fd, sa); err != nil {
		return netip.AddrPort{}, fmt.Errorf("echo: bind %v: %w", addr, err)
	}
	if typ == unix.SOCK_STREAM {
		backlog := s.Backlog
		if backlog <= 0 {
			backlog = sock.SOMAXCONN
		}
		if err := s.API.Listen(fd, backlog); err != nil {
			return netip.AddrPort{}, fmt.Errorf("echo: listen %v: %w", addr, err)
		}
	}
	// getsockname(2) reports the port bind chose for port 0.
	got, err := s.API.Getsockname(fd)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("echo: getsockname: %w", err)
	}
	return addrPort(got), nil
}

// Close releases the socket of a Server that Listen opened but Serve will
// not serve. It must not be called while Serve runs: cancel Serve's context
// instead. Close after Serve returned does nothing.
func (s *Server) Close() error {
	if s.ln == nil {
		return nil
	}
	fd := s.ln.fd
	s.ln = nil
	return s.API.Close(fd)
}

// Serve echoes until ctx is cancelled, calling Listen first if it has not
// been called. On return the listening socket is closed and, for TCP, every
// client goroutine has ended and closed its descriptor. Cancellation is a
// clean shutdown and returns nil; an error of accept(2) or recvfrom(2) that
// is not transient is returned.
func (s *Server) Serve(ctx context.Context) error {
	if s.ln == nil {
		if _, err := s.Listen(); err != nil {
			return err
		}
	}
	if s.Network == "udp" {
		return s.serveUDP(ctx)
	}
	return s.serveTCP(ctx)
}

// sockType maps a Network to socket(2)'s type.
func sockType(network string) (int, error) {
	switch network {
	case "", "tcp":
		return unix.SOCK_STREAM, nil
	case "udp":
		return unix.SOCK_DGRAM, nil
	}
	return 0, fmt.Errorf("%w, not %q", ErrNetwork, network)
}

// logf writes one line to Log, if set.
func (s *Server) logf(format string, args ...any) {
	if s.Log == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(s.Log, format+"\n", args...)
}
