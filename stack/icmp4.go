package stack

import (
	"encoding/binary"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/wire"
)

// ICMPv4 types and codes used by the host (RFC 792).
const (
	icmpEchoReply       = 0
	icmpDestUnreachable = 3
	icmpSourceQuench    = 4
	icmpEchoRequest     = 8
	icmpTimeExceeded    = 11
	icmpParamProblem    = 12

	codeNetUnreachable   = 0
	codeHostUnreachable  = 1
	codeProtoUnreachable = 2
	codePortUnreachable  = 3
	codeFragNeeded       = 4
	codeSourceRouteFail  = 5
)

// icmpQuoteMax bounds an ICMP error to 576 octets (RFC 1812 §4.3.2.3: as
// much of the original datagram as fits without exceeding 576 octets).
const icmpQuoteMax = 576 - 20 - 8

// inputICMP handles an ICMP message addressed to this host (RFC 1122
// §3.2.2). Raw sockets have already had their copy.
func (n *netState) inputICMP(c *nic, ip wire.IPv4) {
	m := ip.Payload()
	if len(m) < 8 {
		n.drops.add(DropICMPHeaderError)
		return
	}
	if wire.Checksum(m, 0) != 0 {
		n.drops.add(DropICMPChecksum)
		return
	}
	switch m[0] {
	case icmpEchoRequest:
		n.echoReply(ip)
	case icmpDestUnreachable, icmpTimeExceeded, icmpParamProblem, icmpSourceQuench:
		n.icmpErrorToSockets(m)
	}
}

// echoReply answers an echo request. RFC 1122 §3.2.2.6: "the data
// received in the ICMP Echo Request MUST be entirely included in the
// resulting Echo Reply." Requests to broadcast addresses are ignored, as
// Linux does by default (icmp_echo_ignore_broadcasts).
func (n *netState) echoReply(ip wire.IPv4) {
	dst := ip.Dst()
	if dst.IsMulticast() || n.isBroadcast(dst) {
		return
	}
	m := ip.Payload()
	// RFC 1122 §3.2.2.6: record route and timestamp options of the
	// request are returned in the reply (Linux's ip_options_echo), so
	// ping -R shows the whole path.
	o := outMeta{src: dst, dst: ip.Src(), proto: wire.ICMPv4ProtocolNumber, ttl: defaultTTL, tos: int(ip.TOS()),
		options: echoOptions(ip.Options(), dst)}
	rt, err := n.routeFor(&o)
	if err != nil {
		return
	}
	p := n.pkts.get(len(m))
	defer n.pkts.put(p)
	b := p.data()
	copy(b, m)
	b[0] = icmpEchoReply
	b[2], b[3] = 0, 0
	binary.BigEndian.PutUint16(b[2:], wire.Checksum(b, 0))
	n.output(rt, &o, p)
}

// sendUnreachable sends Destination Unreachable with the given code.
func (n *netState) sendUnreachable(ip wire.IPv4, code uint8) {
	n.sendICMPError(ip, icmpDestUnreachable, code, 0)
}

// sendICMPError sends an ICMP error about the datagram ip, obeying the
// rules of RFC 1122 §3.2.2 and ip(7P): never about an ICMP error, only
// about a first fragment, never about a datagram to or from a broadcast or
// multicast address, and within the rate limit. For Fragmentation Needed,
// mtu is the next-hop MTU (RFC 1191 §4).
func (n *netState) sendICMPError(ip wire.IPv4, typ, code uint8, mtu uint32) {
	if !n.mayReportError(ip) {
		return
	}
	if !n.icmpRate.allow() {
		n.drops.add(DropICMPRateLimited)
		return
	}
	quote := []byte(ip)
	if len(quote) > icmpQuoteMax {
		quote = quote[:icmpQuoteMax]
	}
	o := outMeta{dst: ip.Src(), proto: wire.ICMPv4ProtocolNumber, ttl: defaultTTL, tos: 0xc0}
	if n.isLocal(ip.Dst()) {
		o.src = ip.Dst()
	}
	rt, err := n.routeFor(&o)
	if err != nil {
		return
	}
	p := n.pkts.get(8 + len(quote))
	defer n.pkts.put(p)
	b := p.data()
	b[0], b[1] = typ, code
	binary.BigEndian.PutUint32(b[4:], 0)
	switch {
	case code == codeFragNeeded && typ == icmpDestUnreachable:
		binary.BigEndian.PutUint16(b[6:], uint16(mtu))
	case typ == icmpParamProblem:
		binary.BigEndian.PutUint32(b[4:], mtu) // RFC 792: the pointer octet
	}
	copy(b[8:], quote)
	b[2], b[3] = 0, 0
	binary.BigEndian.PutUint16(b[2:], wire.Checksum(b, 0))
	n.output(rt, &o, p)
}

func (n *netState) mayReportError(ip wire.IPv4) bool {
	if ip.FragOffset() != 0 {
		return false // RFC 1122 §3.2.2: only about the first fragment
	}
	if ip.Protocol() == wire.ICMPv4ProtocolNumber {
		m := ip.Payload()
		// RFC 1122 §3.2.2: never about an ICMP error message; queries
		// (echo, timestamp, ...) may be reported.
		if len(m) < 1 || isICMPError(m[0]) {
			return false
		}
	}
	src, dst := ip.Src(), ip.Dst()
	if dst.IsMulticast() || n.isBroadcast(dst) || src.IsMulticast() || src.IsUnspecified() || n.isBroadcast(src) {
		return false
	}
	return true
}

func isICMPError(t uint8) bool {
	switch t {
	case icmpDestUnreachable, icmpSourceQuench, 5 /* redirect */, icmpTimeExceeded, icmpParamProblem:
		return true
	}
	return false
}

// icmpErrno maps an ICMP error to the errno a socket reports, as Linux's
// icmp_err_convert table does (RFC 1122 §3.2.2.1). fatal says whether a
// connection-oriented socket should abort (hard error).
func icmpErrno(typ, code uint8) (errno unix.Errno, fatal bool) {
	switch typ {
	case icmpDestUnreachable:
		switch code {
		case codeNetUnreachable:
			return unix.ENETUNREACH, false
		case codeHostUnreachable:
			return unix.EHOSTUNREACH, false
		case codeProtoUnreachable:
			return unix.ENOPROTOOPT, true
		case codePortUnreachable:
			return unix.ECONNREFUSED, true
		case codeFragNeeded:
			return unix.EMSGSIZE, false
		case codeSourceRouteFail:
			return unix.EOPNOTSUPP, false
		case 6, 7: // destination network/host unknown
			return unix.EHOSTUNREACH, true
		case 9, 10, 13: // administratively prohibited
			return unix.EHOSTUNREACH, true
		}
		return unix.EHOSTUNREACH, false
	case icmpTimeExceeded:
		return unix.EHOSTUNREACH, false
	case icmpParamProblem:
		return unix.EPROTO, false
	}
	return 0, false
}

// icmpErrorToSockets reports an ICMP error to the socket that sent the
// datagram it quotes. udp(7): "When a connected UDP socket receives an ICMP
// error, the error is reported on the next operation"; an unconnected
// socket hears of it only with IP_RECVERR.
func (n *netState) icmpErrorToSockets(m []byte) {
	q := m[8:]
	if len(q) < 20 || q[0]>>4 != 4 {
		return
	}
	ihl := int(q[0]&0xf) * 4
	if ihl < 20 || len(q) < ihl+8 {
		return
	}
	src := netip.AddrFrom4([4]byte(q[12:16]))
	dst := netip.AddrFrom4([4]byte(q[16:20]))
	sport := binary.BigEndian.Uint16(q[ihl:])
	dport := binary.BigEndian.Uint16(q[ihl+2:])
	local, remote := netip.AddrPortFrom(src, sport), netip.AddrPortFrom(dst, dport)
	errno, _ := icmpErrno(m[0], m[1])
	if errno == 0 {
		return
	}
	switch q[9] {
	case wire.UDPProtocolNumber:
		n.udpICMPError(local, remote, errno)
	case wire.TCPProtocolNumber:
		mtu := 0
		if m[0] == icmpDestUnreachable && m[1] == codeFragNeeded {
			// RFC 1191 §4: the next-hop MTU; a router that predates
			// RFC 1191 sends zero, and then the MTU is left alone.
			mtu = int(binary.BigEndian.Uint16(m[6:8]))
		}
		n.tcpICMPError(local, remote, errno, mtu)
	}
}

func (n *netState) udpICMPError(local, remote netip.AddrPort, errno unix.Errno) {
	s := n.lookupUDP(local, remote)
	if s == nil {
		return
	}
	s.mu.Lock()
	report := s.connected || s.ip.recvErr
	s.mu.Unlock()
	if report {
		s.setError(errno)
	}
}

// tcpICMPError hands an ICMP error to the connection it concerns (RFC 1122
// §4.2.3.9: soft errors are remembered, hard ones abort a connection being
// opened; RFC 1191: fragmentation needed lowers the path MTU).
func (n *netState) tcpICMPError(local, remote netip.AddrPort, errno unix.Errno, mtu int) {
	s := n.tcp.lookup(local, remote)
	if s == nil {
		return
	}
	s.mu.Lock()
	if s.conn == nil {
		s.mu.Unlock()
		return
	}
	if mtu > 0 || errno != unix.EMSGSIZE {
		s.conn.ICMPError(errno, mtu)
	}
	b := s.flush(time.Now())
	s.mu.Unlock()
	n.sendBatch(b)
	s.wq.notify()
}
