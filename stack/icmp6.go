package stack

import (
	"encoding/binary"
	"net/netip"

	"golang.org/x/sys/unix"

	"sockstack/wire"
)

// ICMPv6 types used by the host (RFC 4443, RFC 4861).
const (
	icmp6DestUnreachable = 1
	icmp6PacketTooBig    = 2
	icmp6TimeExceeded    = 3
	icmp6ParamProblem    = 4
	icmp6EchoRequest     = 128
	icmp6EchoReply       = 129
	icmp6NeighSolicit    = 135
	icmp6NeighAdvert     = 136

	icmp6PortUnreachable = 4 // Destination Unreachable code
	// icmp6MinMTU is IPv6's minimum link MTU (RFC 8200 §5); an ICMPv6 error
	// carries as much of the offending packet as fits in it (RFC 4443
	// §2.4(c)).
	icmp6MinMTU = 1280
)

// inputICMP6 handles an ICMPv6 message for this host (RFC 4443 §2.4).
func (n *netState) inputICMP6(c *nic, ip wire.IPv6, b []byte) {
	m, err := wire.ParseICMPv6(b)
	if err != nil {
		n.drops.add(DropICMPHeaderError)
		return
	}
	if m.VerifyChecksum(ip.Src(), ip.Dst()) != nil {
		n.drops.add(DropICMPChecksum)
		return
	}
	switch m[0] {
	case icmp6EchoRequest:
		n.echoReply6(ip, b)
	case icmp6NeighSolicit, icmp6NeighAdvert:
		if c.neigh != nil {
			c.neigh.inputND(ip, b)
		}
	case icmp6DestUnreachable, icmp6PacketTooBig, icmp6TimeExceeded, icmp6ParamProblem:
		n.icmp6ErrorToSockets(m)
	}
}

// echoReply6 answers an echo request (RFC 4443 §4.2): the reply carries
// the request's identifier, sequence number and data.
func (n *netState) echoReply6(ip wire.IPv6, req []byte) {
	src := ip.Dst()
	if src.IsMulticast() {
		src = netip.Addr{} // RFC 4443 §2.2: reply from a unicast address
	}
	o := outMeta{src: src, dst: ip.Src(), proto: wire.IPv6ICMP, ttl: defaultTTL}
	rt, err := n.routeFor(&o)
	if err != nil {
		return
	}
	p := n.pkts.get(len(req))
	defer n.pkts.put(p)
	b := p.data()
	copy(b, req)
	b[0], b[1] = icmp6EchoReply, 0
	wire.ICMPv6(b).SetChecksum(o.src, o.dst)
	n.output(rt, &o, p)
}

// sendICMP6Error reports a problem with packet ip (RFC 4443 §2.4): never
// about an ICMPv6 error, never to a multicast destination except Packet
// Too Big (§2.4(e)), never from an unspecified or multicast source, and
// within the rate limit (§2.4(f)). param is the MTU or the pointer.
func (n *netState) sendICMP6Error(ip wire.IPv6, typ, code uint8, param uint32) {
	src, dst := ip.Src(), ip.Dst()
	if src.IsUnspecified() || src.IsMulticast() || (dst.IsMulticast() && typ != icmp6PacketTooBig) {
		return
	}
	if nh := ip.NextHeader(); nh == wire.IPv6ICMP && len(ip) > wire.IPv6HeaderLen && ip[wire.IPv6HeaderLen] < 128 {
		return
	}
	if !n.icmpRate.allow() {
		n.drops.add(DropICMPRateLimited)
		return
	}
	quote := []byte(ip)
	quote = quote[:min(len(quote), icmp6MinMTU-wire.IPv6HeaderLen-wire.ICMPv6HeaderLen)]
	o := outMeta{dst: src, proto: wire.IPv6ICMP, ttl: defaultTTL}
	if n.isLocal(dst) {
		o.src = dst
	}
	rt, err := n.routeFor(&o)
	if err != nil {
		return
	}
	p := n.pkts.get(wire.ICMPv6HeaderLen + len(quote))
	defer n.pkts.put(p)
	b := p.data()
	b[0], b[1] = typ, code
	binary.BigEndian.PutUint32(b[4:], param)
	copy(b[8:], quote)
	wire.ICMPv6(b).SetChecksum(o.src, o.dst)
	n.output(rt, &o, p)
}

// icmp6Errno maps an ICMPv6 error to an errno as Linux's icmpv6_err_convert
// does (RFC 4443 §3).
func icmp6Errno(typ, code uint8) unix.Errno {
	switch typ {
	case icmp6DestUnreachable:
		switch code {
		case 1, 5, 6: // administratively prohibited, policy, reject route
			return unix.EACCES
		case 3: // address unreachable
			return unix.EHOSTUNREACH
		case icmp6PortUnreachable:
			return unix.ECONNREFUSED
		}
		return unix.ENETUNREACH
	case icmp6PacketTooBig:
		return unix.EMSGSIZE
	case icmp6TimeExceeded:
		return unix.EHOSTUNREACH
	case icmp6ParamProblem:
		return unix.EPROTO
	}
	return 0
}

// icmp6ErrorToSockets reports an ICMPv6 error to the socket whose packet
// it quotes.
func (n *netState) icmp6ErrorToSockets(m wire.ICMPv6) {
	q, err := wire.ParseIPv6(m.Body())
	if err != nil && len(m.Body()) < wire.IPv6HeaderLen+8 {
		return
	}
	q = wire.IPv6(m.Body())
	proto, off, err := q.UpperLayer()
	if err != nil || len(q) < off+4 {
		return
	}
	local := netip.AddrPortFrom(q.Src(), binary.BigEndian.Uint16(q[off:]))
	remote := netip.AddrPortFrom(q.Dst(), binary.BigEndian.Uint16(q[off+2:]))
	errno := icmp6Errno(m[0], m[1])
	switch proto {
	case wire.UDPProtocolNumber:
		n.udpICMPError(local, remote, errno)
	case wire.TCPProtocolNumber:
		mtu := 0
		if m[0] == icmp6PacketTooBig {
			mtu = int(m.MTU())
		}
		n.tcpICMPError(local, remote, errno, mtu)
	}
}
