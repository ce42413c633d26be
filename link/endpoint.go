package link

import (
	"errors"
	"fmt"
)

// Kind says what a link's frames begin with.
type Kind uint8

const (
	// KindIP links carry bare IPv4 or IPv6 packets (TUN, loopback, IP pipes).
	KindIP Kind = iota + 1
	// KindEthernet links carry Ethernet II frames without FCS (TAP,
	// AF_PACKET, Ethernet pipes).
	KindEthernet
)

// String returns "ip" or "ethernet".
func (k Kind) String() string {
	switch k {
	case KindIP:
		return "ip"
	case KindEthernet:
		return "ethernet"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// EthernetHeaderLen is the length of an Ethernet II header (destination,
// source, EtherType) as the link layer carries it, without the FCS.
const EthernetHeaderLen = 14

// MaxFrameLen is the largest frame a link of kind k and the given MTU
// carries: the MTU plus the link header.
func MaxFrameLen(k Kind, mtu int) int {
	if k == KindEthernet {
		return mtu + EthernetHeaderLen
	}
	return mtu
}

// MinFrameLen is the shortest frame a link of kind k accepts: an Ethernet
// header, or one byte of an IP packet.
func MinFrameLen(k Kind) int {
	if k == KindEthernet {
		return EthernetHeaderLen
	}
	return 1
}

// Dispatcher receives inbound frames from a link.
type Dispatcher interface {
	// DeliverFrame is called from the link's delivery goroutine, one frame
	// at a time, in arrival order. The frame (link header included, no
	// headroom) is valid only during the call: the receiver copies what it
	// keeps. DeliverFrame must not block for long; it may call
	// WritePackets on any link, including the one delivering.
	DeliverFrame(frame []byte)
}

// Endpoint is one network interface's link: what a host attaches to.
type Endpoint interface {
	// MTU is the largest packet, without link header, the link carries.
	MTU() int
	// Kind says whether frames are bare IP packets or Ethernet frames.
	Kind() Kind
	// HardwareAddr is the link's own MAC address; zero for KindIP.
	HardwareAddr() [6]byte
	// Headroom is the number of bytes the link wants reserved at the
	// start of every frame passed to WritePackets (for example a
	// virtio-net header). The link may overwrite them. Zero for every
	// link in this package today.
	Headroom() int
	// Attach starts delivery of inbound frames to d, replacing any
	// previous dispatcher; Attach(nil) detaches, and frames arriving
	// while detached are dropped (DropDetached). A delivery already in
	// progress may still complete on the old dispatcher.
	Attach(d Dispatcher)
	// WritePackets sends whole frames, each starting with Headroom()
	// reserved bytes. It returns how many frames the link took; a frame
	// the link drops by its own policy (a full queue, an impairment) is
	// counted in Stats and still counts as taken, as on a real wire. It
	// stops at the first frame it rejects (too big, too short, closed)
	// and returns the index and an error. The link is done with the
	// bytes when WritePackets returns.
	WritePackets(pkts [][]byte) (int, error)
	// Close stops delivery, releases the link's resources and waits for
	// its goroutines. Close is idempotent.
	Close() error
	// Stats returns a snapshot of the link's counters.
	Stats() Stats
}

// Errors returned by WritePackets. Test for them with errors.Is.
var (
	// ErrClosed reports a write to a closed endpoint.
	ErrClosed = errors.New("link: endpoint closed")
	// ErrFrameTooBig reports a frame longer than MTU plus link header.
	ErrFrameTooBig = errors.New("link: frame too big")
	// ErrFrameShort reports a frame shorter than the link header.
	ErrFrameShort = errors.New("link: frame too short")
)

// checkFrame validates one outbound frame (headroom already removed),
// counting a rejection under its drop reason.
func checkFrame(c *counters, k Kind, mtu int, frame []byte) error {
	switch {
	case len(frame) > MaxFrameLen(k, mtu):
		c.drop(DropTooBig, 1)
		return fmt.Errorf("%w: %d bytes, max %d", ErrFrameTooBig, len(frame), MaxFrameLen(k, mtu))
	case len(frame) < MinFrameLen(k):
		c.drop(DropShortFrame, 1)
		return fmt.Errorf("%w: %d bytes", ErrFrameShort, len(frame))
	}
	return nil
}

// dispatcherRef boxes a Dispatcher so it can live in an atomic.Pointer.
type dispatcherRef struct{ d Dispatcher }
