package stack

import (
	"golang.org/x/sys/unix"

	"sockstack/link"
	"sockstack/wire"
)

// output6 prepends the IPv6 header to p and sends it on its route. RFC 8200
// §5: IPv6 routers never fragment; a source that wants to send more than
// the path MTU fragments itself (fragment header, §4.5) unless the socket
// asked for EMSGSIZE (IPV6_DONTFRAG, or TCP with its own MSS).
func (n *netState) output6(rt routeResult, o *outMeta, p *pkt) error {
	f := wire.IPv6Fields{
		TrafficClass: uint8(o.tos), PayloadLen: uint16(p.len()), NextHeader: o.proto,
		HopLimit: uint8(o.ttl), Src: o.src, Dst: o.dst,
	}
	if p.len()+wire.IPv6HeaderLen > rt.nic.mtu {
		if o.df {
			return unix.EMSGSIZE
		}
		return n.fragment6(rt, &f, p.data())
	}
	if _, err := f.Encode(p.prepend(wire.IPv6HeaderLen)); err != nil {
		return err
	}
	return n.transmit6(rt, p)
}

// fragment6 sends payload as fragments (RFC 8200 §4.5): each carries the
// header, a fragment header with a shared identification, and a multiple
// of 8 bytes of the payload except the last.
func (n *netState) fragment6(rt routeResult, f *wire.IPv6Fields, payload []byte) error {
	id := n.ipID.Add(1)
	chunkMax := (rt.nic.mtu - wire.IPv6HeaderLen - wire.IPv6FragmentLen) &^ 7
	if chunkMax <= 0 {
		return unix.EMSGSIZE
	}
	for off := 0; off < len(payload); off += chunkMax {
		chunk := min(chunkMax, len(payload)-off)
		fp := n.pkts.get(chunk)
		copy(fp.data(), payload[off:off+chunk])
		fh := wire.IPv6FragmentFields{NextHeader: f.NextHeader, FragmentOffset: uint16(off / 8), More: off+chunk < len(payload), Identification: id}
		_, err := fh.Encode(fp.prepend(wire.IPv6FragmentLen))
		h := *f
		h.NextHeader = wire.IPv6Fragment
		h.PayloadLen = uint16(wire.IPv6FragmentLen + chunk)
		if err == nil {
			_, err = h.Encode(fp.prepend(wire.IPv6HeaderLen))
		}
		if err == nil {
			err = n.transmit6(rt, fp)
		}
		n.pkts.put(fp)
		if err != nil {
			return err
		}
	}
	return nil
}

// transmit6 hands an IPv6 packet to its NIC, resolving the link-layer
// address with NDP on Ethernet.
func (n *netState) transmit6(rt routeResult, p *pkt) error {
	c := rt.nic
	if rt.loop {
		n.input6(c, p.data()) // the local members' copy
	}
	if c.ep.Kind() == link.KindIP {
		return c.write(p.data())
	}
	return c.neigh.send(rt.nextHop, p)
}

// input6 processes an inbound IPv6 packet: RFC 8200 §4 walks the
// extension headers to the upper layer.
func (n *netState) input6(c *nic, b []byte) {
	ip, err := wire.ParseIPv6(b)
	if err != nil {
		n.drops.add(DropIPHeaderError)
		return
	}
	src, dst := ip.Src(), ip.Dst()
	if src.IsMulticast() {
		n.drops.add(DropMartianSource)
		return
	}
	if dst.IsMulticast() {
		if !n.acceptsGroup(c, dst) {
			n.drops.add(DropMcastNotJoined)
			return
		}
	} else if !n.isLocal(dst) {
		n.forward6(c, ip)
		return
	}
	it := ip.ExtHeaders()
	for it.Next() {
		if it.Header().Type == wire.IPv6Fragment {
			n.reassemble6(c, ip, it.Header().Offset)
			return
		}
	}
	if it.Err() != nil {
		n.drops.add(DropIPHeaderError)
		return
	}
	proto, off := it.Upper()
	n.deliverLocal6(c, ip, proto, b[off:])
}

// reassemble6 files a fragment and delivers the packet it completes. Only
// a Fragment header right after the fixed header is handled (what every
// common sender emits); others are dropped and counted.
func (n *netState) reassemble6(c *nic, ip wire.IPv6, off int) {
	if ip.NextHeader() != wire.IPv6Fragment || off != wire.IPv6HeaderLen {
		n.drops.add(DropFragUnsupported)
		return
	}
	fh, err := wire.ParseIPv6Fragment(ip[off:])
	if err != nil {
		n.drops.add(DropIPHeaderError)
		return
	}
	whole, done := n.reasm.add6(n, ip[:wire.IPv6HeaderLen], fh, ip[off+wire.IPv6FragmentLen:])
	if whole == nil {
		return
	}
	defer done()
	proto, l4off, err := whole.UpperLayer()
	if err != nil || proto == wire.IPv6Fragment {
		n.drops.add(DropIPHeaderError)
		return
	}
	n.deliverLocal6(c, whole, proto, whole[l4off:])
}

// deliverLocal6 hands an upper-layer payload to raw sockets and its
// protocol.
func (n *netState) deliverLocal6(c *nic, ip wire.IPv6, proto uint8, l4 []byte) {
	rawTook := n.raw.deliver6(n, ip, proto, l4)
	switch proto {
	case wire.IPv6ICMP:
		n.inputICMP6(c, ip, l4)
	case wire.UDPProtocolNumber:
		n.inputUDP(c, packetInfo{src: ip.Src(), dst: ip.Dst(), orig: ip}, l4)
	case wire.TCPProtocolNumber:
		n.inputTCP(c, packetInfo{src: ip.Src(), dst: ip.Dst(), orig: ip}, l4)
	case wire.IPv6NoNextHeader:
	default:
		if !rawTook {
			// RFC 8200 §4: an unrecognised next header draws Parameter
			// Problem code 1 pointing at it.
			n.drops.add(DropProtoUnreachable)
			n.sendICMP6Error(ip, icmp6ParamProblem, 1, 6)
		}
	}
}

// forward6 routes a packet not for this host (RFC 8200 §3: decrement the
// hop limit; at zero, Time Exceeded), or drops it.
func (n *netState) forward6(in *nic, ip wire.IPv6) {
	if !n.h.opts.Forwarding || !in.fwd.Load() || ip.Dst().IsLinkLocalUnicast() || ip.Src().IsLinkLocalUnicast() {
		n.drops.add(DropForwardDisabled)
		return
	}
	if ip.HopLimit() <= 1 {
		n.drops.add(DropTTLExpired)
		n.sendICMP6Error(ip, icmp6TimeExceeded, 0, 0)
		return
	}
	rt, err := n.route(ip.Dst(), "")
	if err != nil || rt.local {
		n.drops.add(DropIPNoRoute)
		n.sendICMP6Error(ip, icmp6DestUnreachable, 0, 0)
		return
	}
	if len(ip) > rt.nic.mtu {
		// RFC 8201 §4 / RFC 4443 §3.2: Packet Too Big with the MTU.
		n.drops.add(DropFragTooBig)
		n.sendICMP6Error(ip, icmp6PacketTooBig, 0, uint32(rt.nic.mtu))
		return
	}
	p := n.pkts.get(len(ip))
	defer n.pkts.put(p)
	copy(p.data(), ip)
	p.data()[7]-- // the hop limit; IPv6 has no header checksum
	n.transmit6(rt, p)
}
