package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
)

// formatIPv6 prints an IPv6 packet like tcpdump -n: label, "src > dst: ",
// each extension header's tag ("HBH ", "DSTOPT ", "frag (...) ", ...), then
// the upper layer.
func formatIPv6(sb *strings.Builder, b []byte, label string) {
	sb.WriteString(label)
	p, err := ParseIPv6(b)
	if err != nil {
		if len(b) >= IPv6HeaderLen && b[0]>>4 == 6 {
			fmt.Fprintf(sb, "%v > %v: [|ip6]", netip.AddrFrom16([16]byte(b[8:24])), netip.AddrFrom16([16]byte(b[24:40])))
			return
		}
		sb.WriteString("[|ip6]")
		return
	}
	if !IsIPv6Ext(p.NextHeader()) {
		formatUpper(sb, p.NextHeader(), p.Payload(), p.Src(), p.Dst(), true)
		return
	}
	fmt.Fprintf(sb, "%v > %v: ", p.Src(), p.Dst())
	it := p.ExtHeaders()
	for it.Next() {
		h := it.Header()
		if !formatIPv6Ext(sb, h, len(p)-h.Offset-len(h.Bytes)) {
			return
		}
	}
	if it.Err() != nil {
		sb.WriteString("[|ip6]")
		return
	}
	proto, off := it.Upper()
	if proto == IPv6NoNextHeader {
		sb.WriteString("no next header")
		return
	}
	formatUpper(sb, proto, p[off:], p.Src(), p.Dst(), false)
}

// formatIPv6Ext prints one extension header's tag. rest is the number of
// bytes after it. It returns false when nothing after the header can be
// decoded: a fragment other than the first.
func formatIPv6Ext(sb *strings.Builder, h IPv6Ext, rest int) bool {
	switch h.Type {
	case IPv6HopByHop:
		sb.WriteString("HBH ")
	case IPv6DestOpts:
		sb.WriteString("DSTOPT ")
	case IPv6Routing:
		r, _ := ParseIPv6Routing(h.Bytes)
		fmt.Fprintf(sb, "srcrt (type=%d, segleft=%d) ", r.RoutingType(), r.SegmentsLeft())
	case IPv6Fragment:
		f, _ := ParseIPv6Fragment(h.Bytes)
		more := ""
		if f.MoreFragments() {
			more = "+"
		}
		fmt.Fprintf(sb, "frag (0x%08x:%d|%d%s) ", f.Identification(), f.Offset(), rest, more)
		return f.Offset() == 0
	case IPv6AH:
		sb.WriteString("AH ")
	default:
		fmt.Fprintf(sb, "ext-%d ", h.Type)
	}
	return true
}

// formatICMPv6 prints an ICMPv6 message like tcpdump -n: "ICMP6, echo
// request, id 7, seq 1, length 64".
func formatICMPv6(sb *strings.Builder, b []byte, src, dst netip.Addr) {
	m, err := ParseICMPv6(b)
	if err != nil {
		sb.WriteString("ICMP6 [|icmp6]")
		return
	}
	fmt.Fprintf(sb, "ICMP6, %v", m.Type())
	switch m.Type() {
	case ICMPv6EchoRequest, ICMPv6EchoReply:
		fmt.Fprintf(sb, ", id %d, seq %d", m.ID(), m.Seq())
	case ICMPv6DstUnreachable:
		formatICMPv6Unreach(sb, m)
	case ICMPv6PacketTooBig:
		fmt.Fprintf(sb, ", mtu %d", m.MTU())
	case ICMPv6TimeExceeded:
		if m.Code() == ICMPv6ReassemblyExceeded {
			sb.WriteString(" reassembly")
		} else {
			sb.WriteString(" in-transit")
		}
	case ICMPv6ParamProblem:
		name := [...]string{"errorneous", "next header", "option"}
		if int(m.Code()) < len(name) {
			fmt.Fprintf(sb, ", %s - octet %d", name[m.Code()], m.Pointer())
		} else {
			fmt.Fprintf(sb, ", code %d - octet %d", m.Code(), m.Pointer())
		}
	default:
		if !formatND(sb, m) || !formatMLD(sb, m) {
			sb.WriteString(" [|icmp6]")
			return
		}
	}
	fmt.Fprintf(sb, ", length %d", len(b))
}

// formatICMPv6Unreach prints a Destination Unreachable code and the
// destination of the quoted packet.
func formatICMPv6Unreach(sb *strings.Builder, m ICMPv6) {
	names := [...]string{"unreachable route", "unreachable prohibited", "beyond scope",
		"unreachable address", "unreachable port", "failed policy", "reject route"}
	if int(m.Code()) < len(names) {
		fmt.Fprintf(sb, ", %s", names[m.Code()])
	} else {
		fmt.Fprintf(sb, ", code %d", m.Code())
	}
	in := m.Body()
	if len(in) < IPv6HeaderLen || in[0]>>4 != 6 {
		return
	}
	dst := netip.AddrFrom16([16]byte(in[24:40]))
	if m.Code() != ICMPv6PortUnreachable {
		fmt.Fprintf(sb, " %v", dst)
		return
	}
	// The quoted packet's port, when TCP or UDP follows the fixed header.
	if len(in) >= IPv6HeaderLen+4 && (in[6] == TCPProtocolNumber || in[6] == UDPProtocolNumber) {
		name := "udp"
		if in[6] == TCPProtocolNumber {
			name = "tcp"
		}
		fmt.Fprintf(sb, ", %v %s port %d", dst, name, binary.BigEndian.Uint16(in[IPv6HeaderLen+2:]))
	}
}

// formatND prints a Neighbor Discovery message's key field. It returns false
// if m is a malformed ND message; other types print nothing and return true.
func formatND(sb *strings.Builder, m ICMPv6) bool {
	switch m.Type() {
	case ICMPv6RouterSolicit:
		_, err := ParseRouterSolicit(m)
		return err == nil
	case ICMPv6RouterAdvert:
		_, err := ParseRouterAdvert(m)
		return err == nil
	case ICMPv6NeighborSolicit:
		ns, err := ParseNeighborSolicit(m)
		if err != nil {
			return false
		}
		fmt.Fprintf(sb, ", who has %v", ns.Target())
	case ICMPv6NeighborAdvert:
		na, err := ParseNeighborAdvert(m)
		if err != nil {
			return false
		}
		fmt.Fprintf(sb, ", tgt is %v", na.Target())
	case ICMPv6Redirect:
		r, err := ParseRedirect(m)
		if err != nil {
			return false
		}
		fmt.Fprintf(sb, ", %v to %v", r.Destination(), r.Target())
	}
	return true
}

// formatMLD prints an MLD message's fields. It returns false if m is a
// malformed MLD message; other types print nothing and return true.
func formatMLD(sb *strings.Builder, m ICMPv6) bool {
	switch m.Type() {
	case ICMPv6MLDQuery, ICMPv6MLDReport, ICMPv6MLDDone:
		v1, err := ParseMLD(m)
		if err != nil {
			return false
		}
		if !v1.IsV2Query() {
			fmt.Fprintf(sb, " max resp delay: %d addr: %v", v1.MaxResponseDelay(), v1.MulticastAddr())
			return true
		}
		q, err := ParseMLDv2Query(m)
		if err != nil {
			return false
		}
		sb.WriteString(" v2")
		if g := q.MulticastAddr(); !g.IsUnspecified() {
			fmt.Fprintf(sb, " [gaddr %v]", g)
		}
	case ICMPv6MLDv2Report:
		r, err := ParseMLDv2Report(m)
		if err != nil {
			return false
		}
		fmt.Fprintf(sb, ", %d group record(s)", r.NumRecords())
	}
	return true
}
