package netstack

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/stack"
	"sockstack/vnet"
)

// sockNet is sockstack's Net: two vnet hosts on a link.Pipe of
// KindEthernet (ARP resolves B's MAC on first use).
type sockNet struct {
	n    *vnet.Network
	a, b *stack.Host
}

// NewSockstack builds a Net of two sockstack hosts.
func NewSockstack() (Net, error) {
	n := vnet.New()
	a, b := n.AddHost("a", false), n.AddHost("b", false)
	cfg := vnet.LinkConfig{MTU: LinkMTU}
	if _, _, err := n.Connect("a", prefixA(), "b", prefixB(), cfg); err != nil {
		n.Close()
		return nil, fmt.Errorf("sockstack: connect: %w", err)
	}
	return &sockNet{n: n, a: a, b: b}, nil
}

func (s *sockNet) Name() string { return "sockstack" }

func (s *sockNet) Close() error { return s.n.Close() }

func (s *sockNet) UDPPair(pa, pb uint16) (Conn, Conn, error) {
	a, err := s.udp(s.a, prefixA().Addr().As4(), pa, prefixB().Addr().As4(), pb)
	if err != nil {
		return nil, nil, err
	}
	b, err := s.udp(s.b, prefixB().Addr().As4(), pb, prefixA().Addr().As4(), pa)
	if err != nil {
		a.Close()
		return nil, nil, err
	}
	return a, b, nil
}

// udp opens a UDP socket on h bound to local:lport, connected to
// remote:rport, with SO_RCVBUF set to RcvBuf.
func (s *sockNet) udp(h *stack.Host, local [4]byte, lport uint16, remote [4]byte, rport uint16) (*sockConn, error) {
	fd, err := h.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err != nil {
		return nil, fmt.Errorf("sockstack: socket: %w", err)
	}
	c := &sockConn{h: h, fd: fd}
	steps := []func() error{
		func() error { return h.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, RcvBuf) },
		func() error { return h.Bind(fd, &unix.SockaddrInet4{Addr: local, Port: int(lport)}) },
		func() error { return h.Connect(fd, &unix.SockaddrInet4{Addr: remote, Port: int(rport)}) },
	}
	for _, f := range steps {
		if err := f(); err != nil {
			c.Close()
			return nil, fmt.Errorf("sockstack: udp setup: %w", err)
		}
	}
	return c, nil
}

func (s *sockNet) ICMP() (Conn, error) {
	fd, err := s.a.Socket(unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_ICMP)
	if err != nil {
		return nil, fmt.Errorf("sockstack: raw socket: %w", err)
	}
	c := &sockConn{h: s.a, fd: fd}
	if err := s.a.Connect(fd, &unix.SockaddrInet4{Addr: prefixB().Addr().As4()}); err != nil {
		c.Close()
		return nil, fmt.Errorf("sockstack: raw connect: %w", err)
	}
	return c, nil
}

// sockConn is a connected sockstack socket.
type sockConn struct {
	h  *stack.Host
	fd int
}

func (c *sockConn) Send(p []byte) error {
	_, err := c.h.Write(c.fd, p)
	return err
}

func (c *sockConn) Recv(p []byte) (int, error) {
	n, err := c.h.Read(c.fd, p)
	if errors.Is(err, unix.EAGAIN) {
		return 0, ErrTimeout
	}
	return n, err
}

func (c *sockConn) SetRecvTimeout(d time.Duration) error {
	tv := unix.NsecToTimeval(d.Nanoseconds())
	return c.h.SetsockoptTimeval(c.fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
}

func (c *sockConn) Close() error { return c.h.Close(c.fd) }
