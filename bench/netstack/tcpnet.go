package netstack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/adapters/gonet"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/link/pipe"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"

	"sockstack/netconn"
	sstack "sockstack/stack"
	"sockstack/vnet"
)

// TCPNet is a pair of endpoints for the TCP workloads: a listener on one
// host and a dialer on the other (or both on Linux's loopback).
type TCPNet interface {
	Name() string
	Listen() (net.Listener, error)
	Dial(addr net.Addr) (net.Conn, error)
	Close() error
}

// NewSockstackTCP is two sockstack hosts on an in-memory Ethernet link of
// the given MTU, reached through package netconn.
func NewSockstackTCP(mtu int) (TCPNet, error) {
	n := vnet.New()
	a, b := n.AddHost("a", false), n.AddHost("b", false)
	if _, _, err := n.Connect("a", prefixA(), "b", prefixB(), vnet.LinkConfig{MTU: mtu}); err != nil {
		n.Close()
		return nil, err
	}
	return &ssTCP{n: n, a: a, b: b}, nil
}

type ssTCP struct {
	n    *vnet.Network
	a, b *sstack.Host
}

func (s *ssTCP) Name() string { return "sockstack" }
func (s *ssTCP) Listen() (net.Listener, error) {
	return netconn.Listen(s.b, "tcp", prefixB().Addr().String()+":0")
}
func (s *ssTCP) Dial(addr net.Addr) (net.Conn, error) {
	return (&netconn.Dialer{API: s.a, Timeout: 5 * time.Second}).Dial("tcp", addr.String())
}
func (s *ssTCP) Close() error { return s.n.Close() }

// NewGVisorTCP is two gVisor netstack hosts joined by gVisor's own pipe
// link (package link/pipe: synchronous delivery, the payload shared, not
// copied) under Ethernet framing and ARP, with SACK and receive-buffer
// moderation on, reached through gVisor's gonet adapters. This is the
// fastest in-memory setup gVisor offers, not a copy of sockstack's link.
func NewGVisorTCP(mtu int) (TCPNet, error) {
	pa, pb := pipe.New("\x02\x47\x56\x00\x00\x01", "\x02\x47\x56\x00\x00\x02", uint32(mtu+header.EthernetMinimumSize))
	g := &gvNet{}
	var err error
	if g.a, err = newGVisorHost(pa, prefixA().Addr().As4()); err != nil {
		return nil, err
	}
	if g.b, err = newGVisorHost(pb, prefixB().Addr().As4()); err != nil {
		g.a.Close()
		g.a.Wait()
		return nil, err
	}
	for _, s := range []*stack.Stack{g.a, g.b} {
		sack := tcpip.TCPSACKEnabled(true)
		moderate := tcpip.TCPModerateReceiveBufferOption(true)
		if err := s.SetTransportProtocolOption(tcp.ProtocolNumber, &sack); err != nil {
			g.Close()
			return nil, fmt.Errorf("gvisor: SACK: %s", err)
		}
		if err := s.SetTransportProtocolOption(tcp.ProtocolNumber, &moderate); err != nil {
			g.Close()
			return nil, fmt.Errorf("gvisor: moderate receive buffer: %s", err)
		}
	}
	return &gvTCP{g: g}, nil
}

type gvTCP struct{ g *gvNet }

func (t *gvTCP) Name() string { return "gvisor" }
func (t *gvTCP) Listen() (net.Listener, error) {
	return gonet.ListenTCP(t.g.b, tcpip.FullAddress{NIC: gvisorNIC, Addr: tcpip.AddrFrom4(prefixB().Addr().As4())}, ipv4.ProtocolNumber)
}
func (t *gvTCP) Dial(addr net.Addr) (net.Conn, error) {
	ap := addr.(*net.TCPAddr).AddrPort()
	full := tcpip.FullAddress{NIC: gvisorNIC, Addr: tcpip.AddrFrom4(ap.Addr().Unmap().As4()), Port: ap.Port()}
	return gonet.DialTCP(t.g.a, full, ipv4.ProtocolNumber)
}
func (t *gvTCP) Close() error { return t.g.Close() }

// NewLinuxTCP is the host kernel's TCP on 127.0.0.1. Loopback's MTU is
// 65536; for a smaller mtu both ends clamp their MSS to mtu-40 with
// TCP_MAXSEG (tcp(7)), so segments are the size that MTU would give
// (Linux refuses a TCP_MAXSEG above 32767, so larger MTUs keep loopback's).
func NewLinuxTCP(mtu int) (TCPNet, error) {
	l := linuxTCP{}
	if mss := mtu - 40; mss <= 32767 {
		l.control = func(_, _ string, rc syscall.RawConn) error {
			var serr error
			err := rc.Control(func(fd uintptr) {
				serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_MAXSEG, mss)
			})
			return errors.Join(err, serr)
		}
	}
	return l, nil
}

type linuxTCP struct {
	control func(network, address string, c syscall.RawConn) error
}

func (linuxTCP) Name() string { return "linux" }
func (l linuxTCP) Listen() (net.Listener, error) {
	lc := net.ListenConfig{Control: l.control}
	return lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
}
func (l linuxTCP) Dial(addr net.Addr) (net.Conn, error) {
	d := net.Dialer{Timeout: 5 * time.Second, Control: l.control}
	return d.Dial("tcp", addr.String())
}
func (linuxTCP) Close() error { return nil }

// KernelMemory is the kernel's slab memory in bytes (/proc/meminfo's
// Slab), where Linux keeps its sockets: IdleHeap adds its growth to the
// Go heap's.
func (linuxTCP) KernelMemory() (uint64, error) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[0] == "Slab:" && f[2] == "kB" {
			kb, err := strconv.ParseUint(f[1], 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no Slab line in /proc/meminfo")
}

// TCPStack names a TCPNet constructor for a link MTU.
type TCPStack struct {
	// Name is the stack's name in the table.
	Name string
	// New builds a fresh TCPNet whose segments fit mtu.
	New func(mtu int) (TCPNet, error)
}

// TCPStacks lists the stacks of the TCP table: sockstack, gVisor, Linux.
func TCPStacks() []TCPStack {
	return []TCPStack{
		{Name: "sockstack", New: NewSockstackTCP},
		{Name: "gvisor", New: NewGVisorTCP},
		{Name: "linux", New: NewLinuxTCP},
	}
}
