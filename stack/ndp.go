package stack

import (
	"net/netip"

	"sockstack/wire"
)

// ndpHopLimit is the hop limit every Neighbor Discovery message is sent
// with and must arrive with (RFC 4861 §7.1.1: "The IP Hop Limit field has
// a value of 255").
const ndpHopLimit = 255

// solicitedNode returns the solicited-node multicast address of a
// (RFC 4291 §2.7.1: ff02::1:ff00:0/104 and the address's low 24 bits).
func solicitedNode(a netip.Addr) netip.Addr {
	b := a.As16()
	return netip.AddrFrom16([16]byte{0xff, 0x02, 10: 0, 11: 1, 12: 0xff, 13: b[13], 14: b[14], 15: b[15]})
}

// solicit sends a Neighbor Solicitation for target to its solicited-node
// group, with our link-layer address (RFC 4861 §7.2.2).
func (nb *neighbours) solicit(target netip.Addr) {
	src := nb.srcFor(target)
	dst := solicitedNode(target)
	ns := wire.NeighborSolicitFields{Target: target}
	nb.sendND(src, dst, ipv6MulticastMAC(dst), &ns, wire.NDPSourceLinkAddr)
}

// ndMessage is the fixed part of an NS or NA.
type ndMessage interface {
	Len() int
	Encode(b []byte) (int, error)
}

// sendND builds and sends an ND message with one link-layer option.
func (nb *neighbours) sendND(src, dst netip.Addr, mac wire.MAC, m ndMessage, opt wire.NDPOptionType) {
	if !src.Is6() || src.IsUnspecified() {
		return
	}
	n := nb.c.n
	lo := wire.NDPLinkAddrFields{Type: opt, Addr: nb.mac()}
	size := m.Len() + lo.Len()
	p := n.pkts.get(size)
	defer n.pkts.put(p)
	b := p.data()
	k, err := m.Encode(b)
	if err == nil {
		_, err = lo.Encode(b[k:])
	}
	if err != nil {
		return
	}
	wire.ICMPv6(b).SetChecksum(src, dst)
	ip := wire.IPv6Fields{PayloadLen: uint16(size), NextHeader: wire.IPv6ICMP, HopLimit: ndpHopLimit, Src: src, Dst: dst}
	if _, err := ip.Encode(p.prepend(wire.IPv6HeaderLen)); err != nil {
		return
	}
	nb.writeEthernet(mac, wire.EtherTypeIPv6, p)
}

// inputND handles Neighbor Solicitations and Advertisements (RFC 4861
// §7.2.3–§7.2.5): answer solicitations for our addresses, learn the
// sender's link-layer address, and complete resolutions.
func (nb *neighbours) inputND(ip wire.IPv6, b []byte) {
	if ip.HopLimit() != ndpHopLimit {
		nb.c.n.drops.add(DropNDPInvalid) // RFC 4861 §7.1.1
		return
	}
	switch b[0] {
	case icmp6NeighSolicit:
		ns, err := wire.ParseNeighborSolicit(b)
		if err != nil || !nb.c.ownsAddr(ns.Target()) {
			return
		}
		src := ip.Src()
		it := ns.Options()
		if o, ok := it.Find(wire.NDPSourceLinkAddr); ok && !src.IsUnspecified() {
			if mac, ok := o.LinkAddr(); ok {
				nb.learn(src, mac, true)
			}
		}
		// RFC 4861 §7.2.4: reply to the source, or to all-nodes when the
		// source is unspecified (duplicate address detection).
		na := wire.NeighborAdvertFields{Solicited: !src.IsUnspecified(), Override: true, Target: ns.Target()}
		dst, mac := src, wire.MAC{}
		if src.IsUnspecified() {
			dst = netip.MustParseAddr("ff02::1")
			mac = ipv6MulticastMAC(dst)
		} else if m, ok := nb.cached(src); ok {
			mac = m
		} else {
			return
		}
		nb.sendND(ns.Target(), dst, mac, &na, wire.NDPTargetLinkAddr)
	case icmp6NeighAdvert:
		na, err := wire.ParseNeighborAdvert(b)
		if err != nil {
			return
		}
		it := na.Options()
		if o, ok := it.Find(wire.NDPTargetLinkAddr); ok {
			if mac, ok := o.LinkAddr(); ok {
				nb.learn(na.Target(), mac, false)
			}
		}
	}
}

// cached returns the hardware address learned for ip, if any.
func (nb *neighbours) cached(ip netip.Addr) (wire.MAC, bool) {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	if e := nb.m[ip]; e != nil && e.resolved {
		return e.mac, true
	}
	return wire.MAC{}, false
}
