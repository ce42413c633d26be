package netstack

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"

	"gvisor.dev/gvisor/pkg/buffer"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/link/channel"
	"gvisor.dev/gvisor/pkg/tcpip/link/ethernet"
	"gvisor.dev/gvisor/pkg/tcpip/network/arp"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/icmp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/raw"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
	"gvisor.dev/gvisor/pkg/waiter"
)

// gvisorNIC is the NIC id of each gVisor host's only interface.
const gvisorNIC tcpip.NICID = 1

// gvNet is gVisor's Net: two stacks, each with one ethernet-wrapped
// channel endpoint, joined by two goroutines (one per direction) that copy
// each outbound frame into a fresh packet and inject it at the peer, the
// way link.Pipe's delivery goroutines copy into their ring and deliver.
type gvNet struct {
	a, b     *stack.Stack
	cha, chb *channel.Endpoint
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

// NewGVisor builds a Net of two gVisor netstack hosts.
func NewGVisor() (Net, error) { return newGVNet(LinkMTU) }

// newGVNet builds two gVisor hosts on a link of the given IP MTU.
func newGVNet(mtu int) (*gvNet, error) {
	g := &gvNet{
		cha: channel.New(LinkQueueLen, uint32(mtu+header.EthernetMinimumSize), "\x02\x47\x56\x00\x00\x01"),
		chb: channel.New(LinkQueueLen, uint32(mtu+header.EthernetMinimumSize), "\x02\x47\x56\x00\x00\x02"),
	}
	var err error
	if g.a, err = newGVisorHost(g.cha, prefixA().Addr().As4()); err != nil {
		return nil, err
	}
	if g.b, err = newGVisorHost(g.chb, prefixB().Addr().As4()); err != nil {
		g.a.Close()
		g.a.Wait()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	g.cancel = cancel
	g.wg.Add(2)
	go g.move(ctx, g.cha, g.chb)
	go g.move(ctx, g.chb, g.cha)
	return g, nil
}

// newGVisorHost makes a stack with IPv4, ARP, UDP, ICMP and raw sockets and
// one NIC over ch with address addr/24.
func newGVisorHost(ep stack.LinkEndpoint, addr [4]byte) (*stack.Stack, error) {
	s := stack.New(stack.Options{
		NetworkProtocols:   []stack.NetworkProtocolFactory{ipv4.NewProtocol, arp.NewProtocol},
		TransportProtocols: []stack.TransportProtocolFactory{udp.NewProtocol, icmp.NewProtocol4, tcp.NewProtocol},
		RawFactory:         raw.EndpointFactory{},
	})
	if err := s.CreateNIC(gvisorNIC, ethernet.New(ep)); err != nil {
		return nil, fmt.Errorf("gvisor: create NIC: %s", err)
	}
	pa := tcpip.AddressWithPrefix{Address: tcpip.AddrFrom4(addr), PrefixLen: prefixA().Bits()}
	pr := tcpip.ProtocolAddress{Protocol: ipv4.ProtocolNumber, AddressWithPrefix: pa}
	if err := s.AddProtocolAddress(gvisorNIC, pr, stack.AddressProperties{}); err != nil {
		return nil, fmt.Errorf("gvisor: add address: %s", err)
	}
	s.SetRouteTable([]tcpip.Route{{Destination: pa.Subnet(), NIC: gvisorNIC}})
	return s, nil
}

// move delivers every frame from's stack sends to to's stack: one copy
// into a new packet (as link.Pipe copies into its ring), then synchronous
// delivery on this goroutine.
func (g *gvNet) move(ctx context.Context, from, to *channel.Endpoint) {
	defer g.wg.Done()
	for {
		pkt := from.ReadContext(ctx)
		if pkt == nil {
			return
		}
		v := pkt.ToView()
		pkt.DecRef()
		in := stack.NewPacketBuffer(stack.PacketBufferOptions{Payload: buffer.MakeWithView(v)})
		to.InjectInbound(0, in)
		in.DecRef()
	}
}

func (g *gvNet) Name() string { return "gvisor" }

func (g *gvNet) Close() error {
	if g.cancel != nil {
		g.cancel()
	}
	g.wg.Wait()
	for _, s := range []*stack.Stack{g.a, g.b} {
		s.Close()
		s.Wait()
	}
	if g.cha != nil {
		g.cha.Close()
		g.chb.Close()
	}
	return nil
}

func (g *gvNet) UDPPair(pa, pb uint16) (Conn, Conn, error) {
	a, err := g.udp(g.a, prefixA().Addr().As4(), pa, prefixB().Addr().As4(), pb)
	if err != nil {
		return nil, nil, err
	}
	b, err := g.udp(g.b, prefixB().Addr().As4(), pb, prefixA().Addr().As4(), pa)
	if err != nil {
		a.Close()
		return nil, nil, err
	}
	return a, b, nil
}

func (g *gvNet) udp(s *stack.Stack, local [4]byte, lport uint16, remote [4]byte, rport uint16) (*gvConn, error) {
	c := newGVConn()
	ep, err := s.NewEndpoint(udp.ProtocolNumber, ipv4.ProtocolNumber, c.wq)
	if err != nil {
		return nil, fmt.Errorf("gvisor: udp endpoint: %s", err)
	}
	c.attach(ep)
	ep.SocketOptions().SetReceiveBufferSize(RcvBuf, true)
	if err := ep.Bind(tcpip.FullAddress{Addr: tcpip.AddrFrom4(local), Port: lport}); err != nil {
		c.Close()
		return nil, fmt.Errorf("gvisor: bind: %s", err)
	}
	if err := ep.Connect(tcpip.FullAddress{Addr: tcpip.AddrFrom4(remote), Port: rport}); err != nil {
		c.Close()
		return nil, fmt.Errorf("gvisor: connect: %s", err)
	}
	return c, nil
}

// ICMP opens a raw ICMPv4 endpoint (gVisor's SOCK_RAW, IPPROTO_ICMP) on A,
// the same kind of socket sockstack's side uses; B's stack answers the
// echo requests itself.
func (g *gvNet) ICMP() (Conn, error) {
	c := newGVConn()
	ep, err := g.a.NewRawEndpoint(header.ICMPv4ProtocolNumber, ipv4.ProtocolNumber, c.wq, true)
	if err != nil {
		return nil, fmt.Errorf("gvisor: raw endpoint: %s", err)
	}
	c.attach(ep)
	if err := ep.Connect(tcpip.FullAddress{Addr: tcpip.AddrFrom4(prefixB().Addr().As4())}); err != nil {
		c.Close()
		return nil, fmt.Errorf("gvisor: raw connect: %s", err)
	}
	return c, nil
}

// gvConn is a blocking wrapper around a tcpip.Endpoint, built to allocate
// nothing per call: its waiter entries stay registered for the endpoint's
// life, its reader, writer and timer are reused.
type gvConn struct {
	ep       tcpip.Endpoint
	wq       *waiter.Queue
	rEntry   waiter.Entry
	rch      chan struct{}
	wEntry   waiter.Entry
	wch      chan struct{}
	r        bytes.Reader
	w        sliceWriter
	timeout  time.Duration
	timer    *time.Timer
	attached bool
}

func newGVConn() *gvConn {
	c := &gvConn{wq: new(waiter.Queue)}
	c.rEntry, c.rch = waiter.NewChannelEntry(waiter.ReadableEvents)
	c.wEntry, c.wch = waiter.NewChannelEntry(waiter.WritableEvents)
	return c
}

// attach binds c to ep and registers its waiter entries.
func (c *gvConn) attach(ep tcpip.Endpoint) {
	c.ep = ep
	c.wq.EventRegister(&c.rEntry)
	c.wq.EventRegister(&c.wEntry)
	c.attached = true
}

func (c *gvConn) Send(p []byte) error {
	for {
		c.r.Reset(p)
		_, err := c.ep.Write(&c.r, tcpip.WriteOptions{})
		switch err.(type) {
		case nil, *tcpip.ErrNoBufferSpace:
			return nil // a full link queue drops the frame, as link.Pipe does
		case *tcpip.ErrWouldBlock:
			if !c.wait(c.wch) {
				return ErrTimeout
			}
		default:
			return fmt.Errorf("gvisor: write: %s", err)
		}
	}
}

func (c *gvConn) Recv(p []byte) (int, error) {
	for {
		c.w = sliceWriter{buf: p}
		_, err := c.ep.Read(&c.w, tcpip.ReadOptions{})
		switch err.(type) {
		case nil:
			return c.w.n, nil
		case *tcpip.ErrWouldBlock:
			if !c.wait(c.rch) {
				return 0, ErrTimeout
			}
		default:
			return 0, fmt.Errorf("gvisor: read: %s", err)
		}
	}
}

// wait blocks until ch fires or the receive timeout (if any) passes; it
// reports false on timeout.
func (c *gvConn) wait(ch chan struct{}) bool {
	if c.timeout <= 0 {
		<-ch
		return true
	}
	if c.timer == nil {
		c.timer = time.NewTimer(c.timeout)
	} else {
		c.timer.Reset(c.timeout)
	}
	select {
	case <-ch:
		c.timer.Stop()
		return true
	case <-c.timer.C:
		return false
	}
}

func (c *gvConn) SetRecvTimeout(d time.Duration) error {
	c.timeout = d
	return nil
}

func (c *gvConn) Close() error {
	if c.attached {
		c.wq.EventUnregister(&c.rEntry)
		c.wq.EventUnregister(&c.wEntry)
		c.attached = false
	}
	if c.ep != nil {
		c.ep.Close()
	}
	return nil
}

// sliceWriter is an io.Writer that fills buf and silently truncates, as a
// datagram read into a short buffer does.
type sliceWriter struct {
	buf []byte
	n   int
}

func (w *sliceWriter) Write(p []byte) (int, error) {
	w.n += copy(w.buf[w.n:], p)
	return len(p), nil
}
