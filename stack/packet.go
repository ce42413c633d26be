package stack

import (
	"encoding/binary"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"sockstack/link"
	"sockstack/wire"
)

// packet(7) constants x/sys/unix spells elsewhere or not at all.
const (
	arphrdEther    = 1     // ARPHRD_ETHER
	arphrdLoopback = 772   // ARPHRD_LOOPBACK
	arphrdNone     = 65534 // ARPHRD_NONE (TUN)
	ethPAll        = unix.ETH_P_ALL
)

// packetSocket is an AF_PACKET socket (packet(7)): SOCK_RAW sees whole
// frames with their link-layer header, SOCK_DGRAM the payload only.
type packetSocket struct {
	dgramBase
	proto   uint16 // host order: ETH_P_ALL, ETH_P_IP, ...; 0 receives nothing
	ifindex int    // bound interface; 0 for all
	from    []packetFrom
}

// packetFrom is the sockaddr_ll of a queued frame, kept beside the queue.
type packetFrom struct {
	sa unix.SockaddrLinklayer
}

// packetTable lists the host's packet sockets; count lets the data path
// skip the table when there are none.
type packetTable struct {
	mu    sync.RWMutex
	socks []*packetSocket
	count atomic.Int32
}

func (h *Host) newPacket(typ, proto int) (*packetSocket, error) {
	if !h.opts.RawAllowed {
		// packet(7): "Only processes with effective UID 0 or the
		// CAP_NET_RAW capability may open packet sockets."
		return nil, unix.EPERM
	}
	if typ != unix.SOCK_RAW && typ != unix.SOCK_DGRAM {
		return nil, unix.ESOCKTNOSUPPORT
	}
	s := &packetSocket{dgramBase: h.newDgramBase(unix.AF_PACKET, typ, proto), proto: ntohs(uint16(proto))}
	t := &h.net.packets
	t.mu.Lock()
	t.socks = append(t.socks, s)
	t.count.Add(1)
	t.mu.Unlock()
	return s, nil
}

func ntohs(v uint16) uint16 { return v<<8 | v>>8 }

// hatype is the ARPHRD type of a NIC as packet(7) reports it.
func (c *nic) hatype() uint16 {
	switch {
	case c.ep.Kind() == link.KindEthernet:
		return arphrdEther
	case c.index == 1:
		return arphrdLoopback
	}
	return arphrdNone
}

// tap hands a frame seen on c to the packet sockets that want it: inbound
// frames as the link delivered them, outbound ones (PACKET_OUTGOING) as
// written. Frames of IP-only links get the header Linux shows for them: a
// zeroed Ethernet header on loopback, none on a TUN.
func (t *packetTable) tap(c *nic, frame []byte, outgoing bool) {
	if t.count.Load() == 0 || len(frame) == 0 {
		return
	}
	var hdr [wire.EthernetHeaderLen]byte
	full, proto := frame, uint16(0)
	switch c.hatype() {
	case arphrdEther:
		if len(frame) < wire.EthernetHeaderLen {
			return
		}
		proto = binary.BigEndian.Uint16(frame[12:14])
	default:
		proto = unix.ETH_P_IP
		if frame[0]>>4 == 6 {
			proto = unix.ETH_P_IPV6
		}
	}
	if c.hatype() == arphrdLoopback {
		binary.BigEndian.PutUint16(hdr[12:], proto)
		full = append(hdr[:], frame...)
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, s := range t.socks {
		s.offer(c, full, proto, outgoing)
	}
}

// offer queues a copy of frame if s wants it: its protocol (ETH_P_ALL
// takes all; outgoing frames only go to ETH_P_ALL sockets) and its
// interface.
func (s *packetSocket) offer(c *nic, frame []byte, proto uint16, outgoing bool) {
	s.mu.Lock()
	want := !s.released && !s.shutRd && (s.proto == ethPAll || (s.proto == proto && !outgoing)) &&
		(s.ifindex == 0 || s.ifindex == c.index)
	s.mu.Unlock()
	if !want {
		return
	}
	hl := 0
	if c.hatype() != arphrdNone {
		hl = wire.EthernetHeaderLen
	}
	sa := unix.SockaddrLinklayer{Protocol: ntohs(proto), Ifindex: c.index, Hatype: c.hatype(), Pkttype: pktType(frame, c, outgoing)}
	if hl > 0 {
		sa.Halen = 6
		copy(sa.Addr[:], frame[6:12])
	}
	data := frame
	if s.typ == unix.SOCK_DGRAM {
		data = frame[hl:] // packet(7): SOCK_DGRAM strips the link header
	}
	n := &s.host.net
	buf := n.bufs.get(len(data))
	copy(*buf, data)
	s.mu.Lock()
	ok := s.rq.push(dgram{buf: buf, n: len(data)}, s.opts.rcvbuf)
	if ok {
		s.from = append(s.from, packetFrom{sa})
	}
	s.mu.Unlock()
	if !ok {
		n.bufs.put(buf)
		n.drops.add(DropRawRcvbufFull)
		return
	}
	s.wq.notify()
}

// pktType classifies a frame for sll_pkttype (packet(7)).
func pktType(frame []byte, c *nic, outgoing bool) uint8 {
	switch {
	case outgoing:
		return unix.PACKET_OUTGOING
	case c.hatype() != arphrdEther:
		return unix.PACKET_HOST
	case wire.MAC(frame[0:6]) == wire.BroadcastMAC():
		return unix.PACKET_BROADCAST
	case frame[0]&1 != 0:
		return unix.PACKET_MULTICAST
	case wire.MAC(frame[0:6]) != wire.MAC(c.ep.HardwareAddr()):
		return unix.PACKET_OTHERHOST
	}
	return unix.PACKET_HOST
}

func (s *packetSocket) recv(p, oob []byte, flags int) (int, int, int, unix.Sockaddr, error) {
	n, oobn, rflags, _, err := s.dgramBase.recv(p, oob, flags|msgNoName)
	if err != nil || n == 0 && rflags == 0 {
		return n, oobn, rflags, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.from) == 0 {
		return n, oobn, rflags, nil, nil
	}
	sa := s.from[0].sa
	if flags&unix.MSG_PEEK == 0 {
		s.from = s.from[1:]
	}
	if flags&msgNoName != 0 {
		return n, oobn, rflags, nil, nil
	}
	return n, oobn, rflags, &sa, nil
}

func (s *packetSocket) bind(sa unix.Sockaddr) error {
	ll, ok := sa.(*unix.SockaddrLinklayer)
	if !ok {
		return unix.EINVAL
	}
	t := s.host.net.table()
	if ll.Ifindex < 0 || ll.Ifindex > len(t.nics) {
		return unix.ENODEV
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ifindex = ll.Ifindex
	if ll.Protocol != 0 {
		s.proto = ntohs(ll.Protocol)
	}
	return nil
}

// send writes a frame: packet(7) SOCK_RAW takes the whole frame; SOCK_DGRAM
// gets a link header built from sll_addr and sll_protocol.
func (s *packetSocket) send(p, oob []byte, to unix.Sockaddr, flags int) (int, error) {
	s.mu.Lock()
	ifindex, proto := s.ifindex, s.proto
	s.mu.Unlock()
	var dst [6]byte
	if ll, ok := to.(*unix.SockaddrLinklayer); ok {
		if ll.Ifindex != 0 {
			ifindex = ll.Ifindex
		}
		if ll.Protocol != 0 {
			proto = ntohs(ll.Protocol)
		}
		copy(dst[:], ll.Addr[:6])
	} else if to != nil {
		return 0, unix.EINVAL
	}
	t := s.host.net.table()
	if ifindex < 1 || ifindex > len(t.nics) {
		return 0, unix.ENXIO // packet(7): no interface to send on
	}
	c := t.nics[ifindex-1]
	return len(p), s.host.net.sendFrame(c, s.typ, p, dst, proto)
}

// sendFrame writes a packet socket's frame on c.
func (n *netState) sendFrame(c *nic, typ int, p []byte, dst [6]byte, proto uint16) error {
	hl := 0
	if typ == unix.SOCK_DGRAM && c.hatype() == arphrdEther {
		hl = wire.EthernetHeaderLen
	}
	if typ == unix.SOCK_RAW && c.hatype() == arphrdLoopback {
		if len(p) < wire.EthernetHeaderLen {
			return unix.EINVAL
		}
		p = p[wire.EthernetHeaderLen:] // loopback carries IP only
	}
	if len(p)+hl > link.MaxFrameLen(c.ep.Kind(), c.mtu) {
		return unix.EMSGSIZE
	}
	pk := n.pkts.get(len(p))
	defer n.pkts.put(pk)
	copy(pk.data(), p)
	if hl > 0 {
		f := wire.EthernetFields{Dst: wire.MAC(dst), Src: wire.MAC(c.ep.HardwareAddr()), EtherType: wire.EtherType(proto)}
		if _, err := f.Encode(pk.prepend(hl)); err != nil {
			return err
		}
	}
	return c.write(pk.data())
}

func (s *packetSocket) connect(unix.Sockaddr) error               { return unix.EOPNOTSUPP }
func (s *packetSocket) listen(int) error                          { return unix.EOPNOTSUPP }
func (s *packetSocket) accept() (socket, unix.Sockaddr, error)    { return nil, nil, unix.EOPNOTSUPP }
func (s *packetSocket) peername() (unix.Sockaddr, error)          { return nil, unix.EOPNOTSUPP }
func (s *packetSocket) getsockoptInt(level, opt int) (int, error) { return 0, errUnhandled }
func (s *packetSocket) setsockoptInt(level, opt, v int) error     { return errUnhandled }
func (s *packetSocket) setMembership(int, int, [16]byte, [16]byte, int) error {
	return unix.ENOPROTOOPT
}

func (s *packetSocket) shutdown(int) error { return unix.EOPNOTSUPP }

func (s *packetSocket) sockname() (unix.Sockaddr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sa := &unix.SockaddrLinklayer{Protocol: ntohs(s.proto), Ifindex: s.ifindex}
	if t := s.host.net.table(); s.ifindex > 0 && s.ifindex <= len(t.nics) {
		c := t.nics[s.ifindex-1]
		sa.Hatype = c.hatype()
		if c.hatype() == arphrdEther {
			sa.Halen = 6
			mac := c.ep.HardwareAddr()
			copy(sa.Addr[:], mac[:])
		}
	}
	return sa, nil
}

func (s *packetSocket) events() int16 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev := int16(unix.POLLOUT | pollWrNorm)
	if s.rq.len() > 0 {
		ev |= unix.POLLIN | pollRdNorm
	}
	return ev
}

func (s *packetSocket) release() {
	t := &s.host.net.packets
	t.mu.Lock()
	for i, x := range t.socks {
		if x == s {
			t.socks = append(t.socks[:i], t.socks[i+1:]...)
			t.count.Add(-1)
			break
		}
	}
	t.mu.Unlock()
	s.dgramBase.release()
	s.mu.Lock()
	s.from = nil
	s.mu.Unlock()
}
