package netstack

import (
	"errors"
	"net/netip"
	"time"
)

// Addresses of the two hosts of every Net, on 10.0.0.0/24.
const (
	AddrA = "10.0.0.1/24"
	AddrB = "10.0.0.2/24"
)

// prefixA and prefixB parse AddrA and AddrB.
func prefixA() netip.Prefix { return netip.MustParsePrefix(AddrA) }
func prefixB() netip.Prefix { return netip.MustParsePrefix(AddrB) }

// Link parameters shared by both stacks.
const (
	// LinkMTU is the IP MTU of the link.
	LinkMTU = 1500
	// LinkQueueLen bounds the frames in flight per direction of the link,
	// as link.PipeOptions.QueueLen does.
	LinkQueueLen = 256
	// RcvBuf is the SO_RCVBUF every UDP socket is given: Linux's
	// net.core.rmem_default, sockstack's default.
	RcvBuf = 212992
)

// ErrTimeout is returned by Conn.Recv when nothing arrived within the
// receive timeout.
var ErrTimeout = errors.New("netstack: receive timed out")

// Conn is a datagram socket of a stack under test with a fixed peer.
type Conn interface {
	// Send sends one datagram to the peer. A datagram the link drops
	// (a full queue) still counts as sent, as on a real wire.
	Send(p []byte) error
	// Recv reads one datagram into p and returns its length. It blocks
	// for at most the receive timeout and then returns ErrTimeout.
	Recv(p []byte) (int, error)
	// SetRecvTimeout sets the receive timeout (SO_RCVTIMEO).
	SetRecvTimeout(d time.Duration) error
	// Close closes the socket.
	Close() error
}

// Net is one stack under test: hosts A and B joined by an in-memory
// Ethernet link.
type Net interface {
	// Name is the stack's name as printed in reports.
	Name() string
	// UDPPair returns a UDP socket on A bound to port pa and connected to
	// B:pb, and one on B bound to pb and connected to A:pa.
	UDPPair(pa, pb uint16) (a, b Conn, err error)
	// ICMP returns a raw ICMPv4 socket on A connected to B. Recv returns
	// the IPv4 header and the ICMP message, as raw(7) does.
	ICMP() (Conn, error)
	// Close stops both hosts and the link.
	Close() error
}

// Stack names a Net constructor.
type Stack struct {
	// Name is the stack's name in benchmark and table output.
	Name string
	// New builds a fresh Net.
	New func() (Net, error)
}

// Stacks lists the stacks under test, sockstack first.
func Stacks() []Stack {
	return []Stack{
		{Name: "sockstack", New: NewSockstack},
		{Name: "gvisor", New: NewGVisor},
	}
}
