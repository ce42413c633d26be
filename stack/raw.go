package stack

import (
	"encoding/binary"
	"net/netip"
	"sync"

	"golang.org/x/sys/unix"

	"sockstack/wire"
)

// rawSocket is a SOCK_RAW socket of AF_INET (raw(7)).
type rawSocket struct {
	dgramBase
	local     netip.Addr // bound address; invalid if unbound
	remote    netip.Addr // connected peer; invalid if none
	icmpBlock uint32     // ICMP_FILTER: a set bit blocks that ICMP type
}

// icmpFilterOpt is ICMP_FILTER at level SOL_RAW (raw(7)): a bit mask of
// ICMP types the socket does not want.
const icmpFilterOpt = 1

// rawTable lists the host's raw sockets.
type rawTable struct {
	mu    sync.RWMutex
	socks []*rawSocket
}

func (h *Host) newRaw(domain, proto int) (*rawSocket, error) {
	if !h.opts.RawAllowed {
		// raw(7): "Only processes with an effective user ID of 0 or the
		// CAP_NET_RAW capability are allowed to open raw sockets."
		return nil, unix.EPERM
	}
	if proto <= 0 || proto > 255 {
		return nil, unix.EPROTONOSUPPORT
	}
	s := &rawSocket{dgramBase: h.newDgramBase(domain, unix.SOCK_RAW, proto)}
	// raw(7): "A protocol of IPPROTO_RAW implies enabled IP_HDRINCL".
	s.ip.hdrincl = proto == unix.IPPROTO_RAW
	t := &h.net.raw
	t.mu.Lock()
	t.socks = append(t.socks, s)
	t.mu.Unlock()
	return s, nil
}

// deliver copies an inbound datagram, IP header included, to every raw
// socket of its protocol (raw(7)) and reports whether any took it.
func (t *rawTable) deliver(n *netState, ip wire.IPv4) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	took := false
	for _, s := range t.socks {
		if s.wants(ip) {
			took = true
			if !s.enqueue(n, ip) {
				n.drops.add(DropRawRcvbufFull)
			}
		}
	}
	return took
}

// deliver6 copies an inbound IPv6 packet's upper-layer payload to every
// AF_INET6 raw socket of its protocol. ipv6(7)/raw(7): unlike IPv4, an
// IPv6 raw socket receives the payload without the IP header.
func (t *rawTable) deliver6(n *netState, ip wire.IPv6, proto uint8, l4 []byte) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	took := false
	for _, s := range t.socks {
		if s.wants6(ip, proto) {
			took = true
			if !s.enqueueBytes(n, l4, ip.Src()) {
				n.drops.add(DropRawRcvbufFull)
			}
		}
	}
	return took
}

func (s *rawSocket) wants6(ip wire.IPv6, proto uint8) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.released || s.domain != unix.AF_INET6 || int(proto) != s.proto {
		return false
	}
	if s.local.IsValid() && !s.local.IsUnspecified() && s.local != ip.Dst() {
		return false
	}
	return !s.remote.IsValid() || s.remote == ip.Src()
}

func (t *rawTable) remove(s *rawSocket) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, x := range t.socks {
		if x == s {
			t.socks = append(t.socks[:i], t.socks[i+1:]...)
			return
		}
	}
}

// wants applies raw(7)'s matching rules: the protocol, the bound local
// address, the connected foreign address, and ICMP_FILTER.
func (s *rawSocket) wants(ip wire.IPv4) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	// raw(7): "An IPPROTO_RAW socket is send only."
	if s.released || s.domain != unix.AF_INET || s.proto == unix.IPPROTO_RAW || int(ip.Protocol()) != s.proto {
		return false
	}
	if s.local.IsValid() && !s.local.IsUnspecified() && s.local != ip.Dst() {
		return false
	}
	if s.remote.IsValid() && s.remote != ip.Src() {
		return false
	}
	if s.proto == unix.IPPROTO_ICMP && s.icmpBlock != 0 {
		if m := ip.Payload(); len(m) > 0 && m[0] < 32 && s.icmpBlock&(1<<m[0]) != 0 {
			return false
		}
	}
	return true
}

func (s *rawSocket) enqueue(n *netState, ip wire.IPv4) bool {
	return s.enqueueBytes(n, ip, ip.Src())
}

// enqueueBytes queues a copy of b from src.
func (s *rawSocket) enqueueBytes(n *netState, b []byte, src netip.Addr) bool {
	buf := n.bufs.get(len(b))
	copy(*buf, b)
	s.mu.Lock()
	ok := !s.shutRd && s.rq.push(dgram{buf: buf, n: len(b), from: netip.AddrPortFrom(src, 0), stamp: s.stamp.now(s.opts.timestamp)}, s.opts.rcvbuf)
	s.mu.Unlock()
	if !ok {
		n.bufs.put(buf)
		return false
	}
	s.wq.notify()
	return true
}

func (s *rawSocket) bind(sa unix.Sockaddr) error {
	ap, err := toAddrPort(s.domain, sa)
	if err != nil {
		return err
	}
	a := ap.Addr().Unmap()
	if !a.IsUnspecified() && !s.host.net.isLocal(a) && !a.IsMulticast() && !s.host.net.isBroadcast(a) {
		return unix.EADDRNOTAVAIL
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.local = a
	return nil
}

func (s *rawSocket) connect(sa unix.Sockaddr) error {
	ap, err := toAddrPort(s.domain, sa)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.remote = ap.Addr().Unmap()
	return nil
}

func (s *rawSocket) listen(int) error                       { return unix.EOPNOTSUPP }
func (s *rawSocket) accept() (socket, unix.Sockaddr, error) { return nil, nil, unix.EOPNOTSUPP }

func (s *rawSocket) shutdown(how int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.remote.IsValid() {
		return unix.ENOTCONN
	}
	s.shutRd = s.shutRd || how != unix.SHUT_WR
	s.shutWr = s.shutWr || how != unix.SHUT_RD
	return nil
}

func (s *rawSocket) release() {
	s.host.net.raw.remove(s)
	s.dgramBase.release()
}

func (s *rawSocket) events() int16 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev := int16(unix.POLLOUT | pollWrNorm)
	if s.rq.len() > 0 || s.shutRd {
		ev |= unix.POLLIN | pollRdNorm
	}
	if s.soErr != 0 {
		ev |= unix.POLLERR
	}
	return ev
}

func (s *rawSocket) sockname() (unix.Sockaddr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.local
	if !a.IsValid() {
		a = unspecified(s.domain)
	}
	return toSockaddr(s.domain, netip.AddrPortFrom(a, 0)), nil
}

// peername: a raw socket has no port, and Linux's getpeername reports
// ENOTCONN for it even after connect(2) fixed the destination.
func (s *rawSocket) peername() (unix.Sockaddr, error) { return nil, unix.ENOTCONN }

func (s *rawSocket) getsockoptInt(level, opt int) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if level == unix.IPPROTO_IP && opt == unix.IP_HDRINCL {
		return boolInt(s.ip.hdrincl), nil
	}
	if level == unix.SOL_RAW && opt == icmpFilterOpt {
		// raw(7) ICMP_FILTER: only IPPROTO_ICMP sockets have it.
		if s.proto != unix.IPPROTO_ICMP {
			return 0, unix.EOPNOTSUPP
		}
		return int(int32(s.icmpBlock)), nil
	}
	return s.ip.get(&s.sockBase, level, opt)
}

func (s *rawSocket) setsockoptInt(level, opt, v int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if level == unix.IPPROTO_IP && opt == unix.IP_HDRINCL {
		s.ip.hdrincl = v != 0
		return nil
	}
	if level == unix.SOL_RAW && opt == icmpFilterOpt {
		if s.proto != unix.IPPROTO_ICMP {
			return unix.EOPNOTSUPP
		}
		s.icmpBlock = uint32(v)
		return nil
	}
	return s.ip.set(&s.sockBase, level, opt, v, s.local.IsValid())
}

func (s *rawSocket) send(p, oob []byte, to unix.Sockaddr, flags int) (int, error) {
	if flags&unix.MSG_OOB != 0 {
		return 0, unix.EOPNOTSUPP
	}
	s.mu.Lock()
	if err := s.takeError(); err != nil {
		s.mu.Unlock()
		return 0, err
	}
	dst := s.remote
	if to != nil {
		ap, err := toAddrPort(s.domain, to)
		if err != nil {
			s.mu.Unlock()
			return 0, err
		}
		dst = ap.Addr()
		if s.domain == unix.AF_INET {
			dst = dst.Unmap()
		}
	}
	o := outMeta{
		src: s.local, dst: dst, proto: uint8(s.proto), ttl: s.ip.hops(dst), tos: s.ip.class(dst),
		device: s.opts.device, broadcastOK: s.opts.broadcast, mcastTTL: s.ip.multicastHops(dst),
		df: s.ip.pmtudisc == unix.IP_PMTUDISC_DO, options: s.ip.options,
		mcastIf: int(s.ip.mcastIf), mcastLoop: s.ip.multicastLoop(dst),
		dontroute: s.opts.dontroute || flags&unix.MSG_DONTROUTE != 0,
	}
	if len(o.options) > 0 && dst.Is4() {
		o.options, o.firstHop = sourceRoute(o.options, dst)
		if o.firstHop == dst {
			o.firstHop = netip.Addr{}
		}
	}
	hdrincl, shut := s.ip.hdrincl, s.shutWr
	s.mu.Unlock()
	switch {
	case shut:
		return 0, unix.EPIPE
	case !dst.IsValid():
		return 0, unix.EDESTADDRREQ
	case hdrincl:
		return len(p), s.host.net.sendHdrincl(o, p)
	case len(p) > 0xffff-20-len(o.options):
		return 0, unix.EMSGSIZE
	}
	return len(p), s.host.net.sendRaw(o, p)
}

// sendRaw sends payload under an IP header the stack builds.
func (n *netState) sendRaw(o outMeta, payload []byte) error {
	rt, err := n.routeFor(&o)
	if err != nil {
		return err
	}
	p := n.pkts.get(len(payload))
	defer n.pkts.put(p)
	copy(p.data(), payload)
	if o.dst.Is6() && o.proto == wire.IPv6ICMP {
		// raw(7)/ipv6(7): for IPPROTO_ICMPV6 the kernel always computes
		// the checksum (RFC 4443 §2.3, with the pseudo-header).
		if len(payload) < 4 {
			return unix.EINVAL
		}
		wire.ICMPv6(p.data()).SetChecksum(o.src, o.dst)
	}
	return n.output(rt, &o, p)
}

// sendHdrincl sends a datagram whose IP header the caller wrote. raw(7)
// IP_HDRINCL: the checksum and total length are always filled in; the
// source address and packet ID are filled in when zero. The kernel does
// not fragment such datagrams: EMSGSIZE above the MTU.
func (n *netState) sendHdrincl(o outMeta, b []byte) error {
	if len(b) < 20 || b[0]>>4 != 4 || int(b[0]&0xf)*4 < 20 || int(b[0]&0xf)*4 > len(b) {
		return unix.EINVAL
	}
	rt, err := n.routeFor(&o)
	if err != nil {
		return err
	}
	if len(b) > rt.nic.mtu {
		return unix.EMSGSIZE
	}
	p := n.pkts.get(len(b))
	defer n.pkts.put(p)
	h := p.data()
	copy(h, b)
	binary.BigEndian.PutUint16(h[2:], uint16(len(b)))
	if [4]byte(h[12:16]) == [4]byte{} {
		s := o.src.As4()
		copy(h[12:16], s[:])
	}
	if binary.BigEndian.Uint16(h[4:]) == 0 {
		binary.BigEndian.PutUint16(h[4:], uint16(n.ipID.Add(1)))
	}
	ihl := int(h[0]&0xf) * 4
	h[10], h[11] = 0, 0
	binary.BigEndian.PutUint16(h[10:], wire.Checksum(h[:ihl], 0))
	return n.transmit(rt, p)
}
