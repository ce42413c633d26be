package stack

import (
	"net/netip"
	"time"

	"sockstack/link"
	"sockstack/wire"
)

// DeliverFrame receives a frame from the NIC's link (link.Dispatcher). It
// runs on the link's delivery goroutine and copies what it keeps.
func (c *nic) DeliverFrame(frame []byte) {
	c.n.packets.tap(c, frame, false) // packet(7) sockets see it first
	if c.ep.Kind() == link.KindEthernet {
		c.deliverEthernet(frame)
		return
	}
	c.deliverIP(frame)
}

func (c *nic) deliverEthernet(frame []byte) {
	e, err := wire.ParseEthernet(frame)
	if err != nil {
		c.n.drops.add(DropShortFrame)
		return
	}
	// A NIC on a shared segment (AF_PACKET, TAP) sees other hosts'
	// unicast frames: keep only ours, broadcast and multicast (IEEE 802.3;
	// RFC 1122 §2.4 leaves link-layer filtering to the interface).
	if dst := e.Dst(); dst != wire.MAC(c.ep.HardwareAddr()) && !dst.IsMulticast() {
		c.n.drops.add(DropOtherHost)
		return
	}
	switch e.EtherType() {
	case wire.EtherTypeARP:
		c.neigh.input(e.Payload())
	case wire.EtherTypeIPv4:
		c.n.input4(c, e.Payload())
	case wire.EtherTypeIPv6:
		c.n.input6(c, e.Payload())
	default:
		c.n.drops.add(DropEtherTypeUnknown)
	}
}

func (c *nic) deliverIP(pkt []byte) {
	if len(pkt) == 0 {
		c.n.drops.add(DropShortFrame)
		return
	}
	switch pkt[0] >> 4 {
	case 4:
		c.n.input4(c, pkt)
	case 6:
		c.n.input6(c, pkt)
	default:
		c.n.drops.add(DropIPHeaderError)
	}
}

// input4 processes an inbound IPv4 datagram in RFC 1122 §3.2.1's order:
// validate, decide whether it is for us, reassemble, deliver to raw
// sockets and then to the protocol.
func (n *netState) input4(c *nic, b []byte) {
	ip, err := wire.ParseIPv4(b)
	if err != nil {
		n.drops.add(DropIPHeaderError)
		return
	}
	// RFC 1122 §3.2.1.2: "A host MUST verify the IP header checksum on
	// every received datagram and silently discard every datagram that
	// has a bad checksum."
	if !ip.ChecksumValid() {
		n.drops.add(DropIPChecksum)
		return
	}
	src, dst := ip.Src(), ip.Dst()
	// RFC 1122 §3.2.1.3: a source that is a broadcast or multicast
	// address is a martian.
	if src.IsMulticast() || src == limitedBroadcast {
		n.drops.add(DropMartianSource)
		return
	}
	if dst.IsMulticast() {
		// RFC 1112 §6.2: a host accepts only the groups it belongs to.
		if !n.acceptsGroup(c, dst) {
			n.drops.add(DropMcastNotJoined)
			return
		}
	} else if !n.acceptsDst(c, dst) {
		n.forward(c, ip)
		return
	}
	if ip.HeaderLen() > wire.IPv4MinHeaderLen {
		here := dst
		if !n.isLocal(here) {
			here = c.addr4()
		}
		if !n.options(ip, here) {
			return
		}
	}
	if ip.IsFragment() {
		whole, done := n.reasm.add(n, ip)
		if whole == nil {
			return
		}
		defer done()
		ip = whole
	}
	n.deliverLocal(c, ip)
}

// options processes a datagram's IP options (RFC 791 §3.1) and reports
// whether it lives on: source-routed datagrams are dropped, malformed
// options draw Parameter Problem (RFC 1122 §3.2.1.8).
func (n *netState) options(ip wire.IPv4, here netip.Addr) bool {
	switch res, ptr := processOptions4(ip, here, time.Now()); res {
	case optionsSourceRouted:
		n.drops.add(DropSourceRoute)
		return false
	case optionsBad:
		n.drops.add(DropIPHeaderError)
		n.sendICMPError(ip, icmpParamProblem, 0, uint32(ptr)<<24)
		return false
	}
	return true
}

// acceptsDst reports whether a unicast or broadcast datagram for dst is
// for this host: one of its addresses, or a broadcast address.
func (n *netState) acceptsDst(c *nic, dst netip.Addr) bool {
	return n.isLocal(dst) || n.isBroadcast(dst)
}

// deliverLocal hands a whole datagram to raw sockets and its protocol.
func (n *netState) deliverLocal(c *nic, ip wire.IPv4) {
	// raw(7): "All packets or errors matching the protocol number
	// specified for the raw socket are passed to this socket" — before
	// the protocol's own handling.
	rawTook := n.raw.deliver(n, ip)
	switch ip.Protocol() {
	case wire.ICMPv4ProtocolNumber:
		n.inputICMP(c, ip)
	case wire.IGMPProtocolNumber:
		n.inputIGMP(c, ip)
	case wire.UDPProtocolNumber:
		n.inputUDP(c, packetInfo{src: ip.Src(), dst: ip.Dst(), orig: ip}, ip.Payload())
	case wire.TCPProtocolNumber:
		n.inputTCP(c, packetInfo{src: ip.Src(), dst: ip.Dst(), orig: ip}, ip.Payload())
	default:
		if !rawTook {
			// RFC 1122 §3.2.2.1: a host SHOULD send Protocol
			// Unreachable for a transport protocol it does not have.
			n.drops.add(DropProtoUnreachable)
			n.sendUnreachable(ip, codeProtoUnreachable)
		}
	}
}

// forward routes a datagram that is not for this host, or drops it.
// ip(7P): forwarding happens only when enabled for the host and the
// receiving interface.
func (n *netState) forward(in *nic, ip wire.IPv4) {
	if !n.h.opts.Forwarding || !in.fwd.Load() {
		n.drops.add(DropForwardDisabled)
		return
	}
	dst := ip.Dst()
	if ip.TTL() <= 1 {
		// RFC 1812 §5.3.1 / RFC 792: TTL exhausted in transit.
		n.drops.add(DropTTLExpired)
		n.sendICMPError(ip, icmpTimeExceeded, 0, 0)
		return
	}
	rt, err := n.route(dst, "")
	if err != nil || rt.local {
		n.drops.add(DropIPNoRoute)
		n.sendICMPError(ip, icmpDestUnreachable, 0, 0) // net unreachable
		return
	}
	p := n.pkts.get(len(ip))
	defer n.pkts.put(p)
	copy(p.data(), ip)
	fwd := wire.IPv4(p.data())
	// RFC 791 §3.1: a router records the address of the interface it
	// forwards out of.
	if fwd.HeaderLen() > wire.IPv4MinHeaderLen && !n.options(fwd, rt.nic.addr4()) {
		return
	}
	// RFC 1624 §3 via DecTTL: the checksum is updated incrementally.
	fwd.DecTTL()
	if len(fwd) <= rt.nic.mtu {
		n.transmit(rt, p)
		return
	}
	if fwd.Flags()&wire.IPv4FlagDF != 0 {
		// RFC 1191 §4: Fragmentation Needed carries the next-hop MTU.
		n.drops.add(DropFragTooBig)
		n.sendICMPError(ip, icmpDestUnreachable, codeFragNeeded, uint32(rt.nic.mtu))
		return
	}
	f := fwd.Fields()
	n.fragment(rt, &f, fwd.Payload(), rt.nic.mtu)
}
