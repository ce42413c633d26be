package stack

import (
	"net/netip"

	"golang.org/x/sys/unix"

	"sockstack/wire"
)

func (s *udpSocket) send(p, oob []byte, to unix.Sockaddr, flags int) (int, error) {
	if flags&unix.MSG_OOB != 0 {
		return 0, unix.EOPNOTSUPP
	}
	s.mu.Lock()
	if s.released {
		s.mu.Unlock()
		return 0, unix.EBADF
	}
	// udp(7): an ICMP error recorded against a connected socket is
	// reported on the next operation, send included.
	if err := s.takeError(); err != nil {
		s.mu.Unlock()
		return 0, err
	}
	dst, err := s.destination(to)
	if err == nil && len(p) > maxUDPPayload {
		err = unix.EMSGSIZE
	}
	if err == nil {
		err = s.autobind()
	}
	if err != nil {
		s.mu.Unlock()
		return 0, err
	}
	d := dst.Addr().Unmap()
	if s.ip.v6only && dst.Addr().Is4In6() {
		// ipv6(7) IPV6_V6ONLY: a v6-only socket cannot reach IPv4.
		s.mu.Unlock()
		return 0, unix.ENETUNREACH
	}
	src := s.local.Addr().Unmap()
	if src.Is4() != d.Is4() {
		src = netip.Addr{} // a wildcard of the other family: the route picks
	}
	o := outMeta{
		src: src, dst: d, proto: wire.UDPProtocolNumber,
		ttl: s.ip.hops(d), tos: s.ip.class(d), device: s.opts.device,
		broadcastOK: s.opts.broadcast, df: s.ip.pmtudisc == unix.IP_PMTUDISC_DO,
		mcastTTL: s.ip.multicastHops(d), dontroute: s.opts.dontroute || flags&unix.MSG_DONTROUTE != 0,
		mcastIf: int(s.ip.mcastIf), mcastLoop: s.ip.multicastLoop(d),
	}
	if len(s.ip.options) > 0 && d.Is4() {
		o.options, o.firstHop = sourceRoute(s.ip.options, d)
		if o.firstHop == d {
			o.firstHop = netip.Addr{}
		}
	}
	sport := s.local.Port()
	s.mu.Unlock()
	return len(p), s.host.net.sendUDP(o, sport, dst.Port(), p)
}

// destination picks where a datagram goes: the sendto address, or the
// connected peer. udp(7): without either, EDESTADDRREQ.
func (s *udpSocket) destination(to unix.Sockaddr) (netip.AddrPort, error) {
	if s.shutWr {
		return netip.AddrPort{}, unix.EPIPE
	}
	if to == nil {
		if !s.connected {
			return netip.AddrPort{}, unix.EDESTADDRREQ
		}
		return s.remote, nil
	}
	ap, err := toAddrPort(s.domain, to)
	if err != nil {
		return ap, err
	}
	if ap.Port() == 0 {
		return ap, unix.EINVAL
	}
	return ap, nil
}

// sendUDP builds a UDP datagram around payload and sends it.
func (n *netState) sendUDP(o outMeta, sport, dport uint16, payload []byte) error {
	rt, err := n.routeFor(&o)
	if err != nil {
		return err
	}
	p := n.pkts.get(len(payload))
	defer n.pkts.put(p)
	copy(p.data(), payload)
	ulen := wire.UDPHeaderLen + len(payload)
	f := wire.UDPFields{SrcPort: sport, DstPort: dport, Length: uint16(ulen)}
	if _, err := f.Encode(p.prepend(wire.UDPHeaderLen)); err != nil {
		return err
	}
	u, _ := wire.ParseUDP(p.data())
	u.SetChecksum(o.src, o.dst)
	return n.output(rt, &o, p)
}

// enqueue copies a datagram's payload into the socket's receive queue. It
// reports false, and the caller counts a drop, when the buffer is full.
func (s *udpSocket) enqueue(n *netState, from netip.AddrPort, payload []byte) bool {
	s.mu.Lock()
	if s.released || s.shutRd {
		s.mu.Unlock()
		return true
	}
	buf := n.bufs.get(len(payload))
	copy(*buf, payload)
	if s.domain == unix.AF_INET6 {
		from = netip.AddrPortFrom(netip.AddrFrom16(from.Addr().As16()), from.Port())
	}
	ok := s.rq.push(dgram{buf: buf, n: len(payload), from: from, stamp: s.stamp.now(s.opts.timestamp)}, s.opts.rcvbuf)
	s.mu.Unlock()
	if !ok {
		n.bufs.put(buf)
		return false
	}
	s.wq.notify()
	return true
}
