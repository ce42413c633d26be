package inetd

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/sock"
)

// ErrListening reports a second Listen on a Server.
var ErrListening = errors.New("inetd: already listening")

// Server serves the small services on one address. Set the fields, then
// call Listen (optional) and Serve; the fields must not change after
// Listen. A Server serves once.
type Server struct {
	// API is the sockets provider.
	API sock.API
	// Addr is the address to bind; the zero Addr is 0.0.0.0. An IPv6
	// address gives AF_INET6 sockets.
	Addr netip.Addr
	// Services lists the services to run; nil runs All().
	Services []Service
	// Ports overrides a service's well-known port; a present 0 asks for
	// an ephemeral port (TCP and UDP then get different ports: see
	// Bindings).
	Ports map[Service]uint16
	// NoTCP serves UDP only even when the provider has TCP.
	NoTCP bool
	// RcvBuf, if positive, is set as SO_RCVBUF on the UDP sockets so that
	// a burst of requests is queued rather than dropped.
	RcvBuf int
	// Now returns the time for daytime; nil means time.Now.
	Now func() time.Time
	// Log receives one line per TCP connection and per error; nil
	// discards them.
	Log io.Writer

	logMu    sync.Mutex
	bindings []Binding
	fds      []int
	rng      *rand.Rand // chargen datagram lengths; used by Serve's goroutine only
	pattern  []byte
	stats    [Chargen + 1]counters
}

// Binding is one bound socket of a Server.
type Binding struct {
	Service Service
	Network string // "udp" or "tcp"
	Addr    netip.AddrPort
}

// String formats a binding as "udp echo 0.0.0.0:7".
func (b Binding) String() string { return fmt.Sprintf("%s %s %v", b.Network, b.Service, b.Addr) }

// Listen creates, binds and (for TCP) listens on every service's sockets
// and returns them. TCP is skipped without error when socket(2) cannot
// make a SOCK_STREAM socket (EPROTONOSUPPORT, ESOCKTNOSUPPORT,
// EAFNOSUPPORT): a provider without TCP serves UDP only.
func (s *Server) Listen() ([]Binding, error) {
	if s.fds != nil {
		return nil, ErrListening
	}
	s.fds = []int{}
	tcp := !s.NoTCP
	for _, svc := range s.services() {
		b, err := s.bind(svc, "udp")
		if err != nil {
			s.Close()
			return nil, err
		}
		s.bindings = append(s.bindings, b)
		if !tcp {
			continue
		}
		b, err = s.bind(svc, "tcp")
		if noTCP(err) {
			tcp = false
			continue
		}
		if err != nil {
			s.Close()
			return nil, err
		}
		s.bindings = append(s.bindings, b)
	}
	return append([]Binding(nil), s.bindings...), nil
}

// noTCP reports whether err says the provider cannot make TCP sockets.
func noTCP(err error) bool {
	return errors.Is(err, unix.EPROTONOSUPPORT) || errors.Is(err, unix.ESOCKTNOSUPPORT) ||
		errors.Is(err, unix.EAFNOSUPPORT)
}

// Bindings returns the sockets Listen bound.
func (s *Server) Bindings() []Binding { return append([]Binding(nil), s.bindings...) }

// TCP reports whether the Server listens on TCP.
func (s *Server) TCP() bool {
	for _, b := range s.bindings {
		if b.Network == "tcp" {
			return true
		}
	}
	return false
}

func (s *Server) services() []Service {
	if s.Services == nil {
		return All()
	}
	return s.Services
}

func (s *Server) port(svc Service) uint16 {
	if p, ok := s.Ports[svc]; ok {
		return p
	}
	return svc.Port()
}

// bind makes one service's socket on network.
func (s *Server) bind(svc Service, network string) (Binding, error) {
	ip := s.Addr
	if !ip.IsValid() {
		ip = netip.IPv4Unspecified()
	}
	addr := netip.AddrPortFrom(ip, s.port(svc))
	family, typ := unix.AF_INET, unix.SOCK_DGRAM
	if !ip.Is4() {
		family = unix.AF_INET6
	}
	if network == "tcp" {
		typ = unix.SOCK_STREAM
	}
	fd, err := s.API.Socket(family, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return Binding{}, fmt.Errorf("inetd: %s %s: socket: %w", network, svc, err)
	}
	bound, err := s.setup(fd, typ, addr)
	if err != nil {
		s.API.Close(fd)
		return Binding{}, fmt.Errorf("inetd: %s %s %v: %w", network, svc, addr, err)
	}
	s.fds = append(s.fds, fd)
	return Binding{Service: svc, Network: network, Addr: bound}, nil
}

// setup binds fd and, for a stream, listens.
func (s *Server) setup(fd, typ int, addr netip.AddrPort) (netip.AddrPort, error) {
	// socket(7): SO_REUSEADDR lets a restarted server bind while old
	// connections linger in TIME_WAIT.
	if err := s.API.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return addr, fmt.Errorf("setsockopt SO_REUSEADDR: %w", err)
	}
	if typ == unix.SOCK_DGRAM && s.RcvBuf > 0 {
		if err := s.API.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, s.RcvBuf); err != nil {
			return addr, fmt.Errorf("setsockopt SO_RCVBUF: %w", err)
		}
	}
	if err := s.API.Bind(fd, sockaddr(addr)); err != nil {
		return addr, fmt.Errorf("bind: %w", err)
	}
	if typ == unix.SOCK_STREAM {
		if err := s.API.Listen(fd, sock.SOMAXCONN); err != nil {
			return addr, fmt.Errorf("listen: %w", err)
		}
	}
	// getsockname(2) reports the port bind chose for port 0.
	sa, err := s.API.Getsockname(fd)
	if err != nil {
		return addr, fmt.Errorf("getsockname: %w", err)
	}
	return addrPort(sa), nil
}

// Close releases the sockets of a Server that Listen opened but Serve will
// not serve. It must not be called while Serve runs.
func (s *Server) Close() error {
	var first error
	for _, fd := range s.fds {
		if err := s.API.Close(fd); err != nil && first == nil {
			first = err
		}
	}
	s.fds = s.fds[:0]
	return first
}

// logf writes one line to Log, if set.
func (s *Server) logf(format string, args ...any) {
	if s.Log == nil {
		return
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.Log, format+"\n", args...)
}

// counters are one service's live statistics.
type counters struct {
	datagrams, replies, conns atomic.Uint64
}

// Stats is a snapshot of one service's counters.
type Stats struct {
	Datagrams uint64 // datagrams received
	Replies   uint64 // datagrams sent
	Conns     uint64 // TCP connections accepted
}

// Stats returns the counters of svc.
func (s *Server) Stats(svc Service) Stats {
	if svc < Echo || svc > Chargen {
		return Stats{}
	}
	c := &s.stats[svc]
	return Stats{Datagrams: c.datagrams.Load(), Replies: c.replies.Load(), Conns: c.conns.Load()}
}

// sockaddr converts an address to a sockaddr.
func sockaddr(a netip.AddrPort) unix.Sockaddr {
	if a.Addr().Is4() {
		return &unix.SockaddrInet4{Port: int(a.Port()), Addr: a.Addr().As4()}
	}
	return &unix.SockaddrInet6{Port: int(a.Port()), Addr: a.Addr().As16()}
}

// addrPort converts a sockaddr to an address; other families give the
// zero AddrPort.
func addrPort(sa unix.Sockaddr) netip.AddrPort {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port))
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), uint16(sa.Port))
	}
	return netip.AddrPort{}
}
