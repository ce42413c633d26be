package stack

import (
	"net/netip"

	"sockstack/wire"
)

// inputUDP delivers a datagram to the socket it is for (RFC 768, RFC 1122
// §4.1.3), or answers Port Unreachable (RFC 1122 §4.1.3.1).
func (n *netState) inputUDP(c *nic, ip wire.IPv4) {
	u, err := wire.ParseUDP(ip.Payload())
	if err != nil {
		n.drops.add(DropUDPHeaderError)
		return
	}
	// RFC 1122 §4.1.3.4: a received datagram with a bad checksum MUST be
	// silently discarded.
	if !u.VerifyChecksum(ip.Src(), ip.Dst()) {
		n.drops.add(DropUDPChecksum)
		return
	}
	dst := netip.AddrPortFrom(ip.Dst(), u.DstPort())
	src := netip.AddrPortFrom(ip.Src(), u.SrcPort())
	if dst.Addr().IsMulticast() || n.isBroadcast(dst.Addr()) {
		// RFC 1122 §4.1.3.5 / udp(7): a broadcast or multicast datagram
		// goes to every socket bound to the port that matches it.
		n.udpFanout(dst, src, u.Payload())
		return
	}
	s := n.lookupUDP(dst, src)
	if s == nil {
		n.drops.add(DropUDPNoSocket)
		n.sendUnreachable(ip, codePortUnreachable)
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
