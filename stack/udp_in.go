package stack

import (
	"net/netip"

	"sockstack/wire"
)

// packetInfo is what transport input needs of the IP packet it came in:
// its addresses, and the whole packet to quote in an ICMP error.
type packetInfo struct {
	src, dst netip.Addr
	orig     []byte // the IPv4 or IPv6 packet
}

// portUnreachable answers a datagram for a closed port: RFC 1122 §4.1.3.1,
// RFC 4443 §3.1 (code 4).
func (n *netState) portUnreachable(pi packetInfo) {
	if pi.src.Is4() {
		n.sendUnreachable(wire.IPv4(pi.orig), codePortUnreachable)
		return
	}
	n.sendICMP6Error(wire.IPv6(pi.orig), icmp6DestUnreachable, icmp6PortUnreachable, 0)
}

// inputUDP delivers a datagram to the socket it is for (RFC 768, RFC 1122
// §4.1.3), or answers Port Unreachable.
func (n *netState) inputUDP(c *nic, pi packetInfo, l4 []byte) {
	u, err := wire.ParseUDP(l4)
	if err != nil {
		n.drops.add(DropUDPHeaderError)
		return
	}
	// RFC 1122 §4.1.3.4: a received datagram with a bad checksum MUST be
	// silently discarded (RFC 8200 §8.1: for IPv6 a zero checksum too).
	if !u.VerifyChecksum(pi.src, pi.dst) {
		n.drops.add(DropUDPChecksum)
		return
	}
	dst := netip.AddrPortFrom(pi.dst, u.DstPort())
	src := netip.AddrPortFrom(pi.src, u.SrcPort())
	if dst.Addr().IsMulticast() || n.isBroadcast(dst.Addr()) {
		// RFC 1122 §4.1.3.5 / udp(7): a broadcast or multicast datagram
		// goes to every socket bound to the port that matches it.
		n.udpFanout(dst, src, u.Payload())
		return
	}
	s := n.lookupUDP(dst, src)
	if s == nil {
		n.drops.add(DropUDPNoSocket)
		n.portUnreachable(pi)
		return
	}
	if !s.enqueue(n, src, u.Payload()) {
		n.drops.add(DropUDPRcvbufFull)
	}
}

// lookupUDP returns the socket that best matches a datagram to local from
// remote, or nil.
func (n *netState) lookupUDP(local, remote netip.AddrPort) *udpSocket {
	s, _ := n.udpPorts.lookup(local, remote).(*udpSocket)
	return s
}

func (n *netState) udpFanout(dst, src netip.AddrPort, payload []byte) {
	for _, o := range n.udpPorts.matching(dst, src) {
		if s, ok := o.(*udpSocket); ok && !s.enqueue(n, src, payload) {
			n.drops.add(DropUDPRcvbufFull)
		}
	}
}
