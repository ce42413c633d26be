package wire

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Layer says where Format starts decoding a frame.
type Layer uint8

// Layers Format can start at.
const (
	LayerEthernet Layer = iota + 1 // an Ethernet II frame, printed like tcpdump -e -n
	LayerIPv4                      // an IPv4 datagram
	LayerIPv6                      // an IPv6 packet
	LayerIP                        // IPv4 or IPv6, chosen by the version nibble
)

// String names the layer.
func (l Layer) String() string {
	switch l {
	case LayerEthernet:
		return "ethernet"
	case LayerIPv4:
		return "ipv4"
	case LayerIPv6:
		return "ipv6"
	case LayerIP:
		return "ip"
	}
	return "layer-" + strconv.Itoa(int(l))
}

// Format returns a one-line, tcpdump -n style description of frame, decoded
// from layer first on, for tests, logs and the capture tap. For example:
//
//	IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 64
//	IP6 fe80::1 > ff02::1: ICMP6, neighbor solicitation, who has fe80::2, length 32
//
// Malformed input prints what could be decoded followed by a tcpdump-style
// truncation marker such as "[|ip]"; Format never panics. It allocates, and
// is not meant for the data path.
func Format(frame []byte, first Layer) string {
	var sb strings.Builder
	switch first {
	case LayerEthernet:
		formatEthernet(&sb, frame)
	case LayerIPv4:
		formatIPv4(&sb, frame, "IP ")
	case LayerIPv6:
		formatIPv6(&sb, frame, "IP6 ")
	case LayerIP:
		formatIP(&sb, frame)
	default:
		fmt.Fprintf(&sb, "%v, length %d", first, len(frame))
	}
	return strings.TrimRight(sb.String(), " ")
}

// formatIP dispatches on the version nibble.
func formatIP(sb *strings.Builder, b []byte) {
	switch {
	case len(b) == 0:
		sb.WriteString("[|ip]")
	case b[0]>>4 == 4:
		formatIPv4(sb, b, "IP ")
	case b[0]>>4 == 6:
		formatIPv6(sb, b, "IP6 ")
	default:
		fmt.Fprintf(sb, "IP%d, length %d [|ip]", b[0]>>4, len(b))
	}
}

// formatEthernet prints the link header like tcpdump -e -n, then the payload:
// "src > dst, ethertype IPv4 (0x0800), length 98: IP ...". Each 802.1Q tag
// adds "vlan V, p P, ethertype T (0x...), ".
func formatEthernet(sb *strings.Builder, b []byte) {
	e, err := ParseEthernet(b)
	if err != nil {
		if len(b) >= EthernetHeaderLen {
			fmt.Fprintf(sb, "%v > %v, 802.3, length %d", MAC(b[6:12]), MAC(b[0:6]), len(b))
			return
		}
		sb.WriteString("[|ether]")
		return
	}
	n := e.NumTags()
	t := e.EtherType()
	outer := t
	if n > 0 {
		outer = e.Tag(0).TPID
	}
	fmt.Fprintf(sb, "%v > %v, ethertype %s (%#04x), length %d", e.Src(), e.Dst(), formatEtherTypeName(outer), uint16(outer), len(b))
	if n == 0 && !formatKnownEtherType(t) {
		return
	}
	sb.WriteString(": ")
	for i := range n {
		tag := e.Tag(i)
		next := t
		if i+1 < n {
			next = e.Tag(i + 1).TPID
		}
		fmt.Fprintf(sb, "vlan %d, p %d, ethertype %s (%#04x)", tag.VID, tag.PCP, formatEtherTypeName(next), uint16(next))
		if i+1 < n || formatKnownEtherType(t) {
			sb.WriteString(", ")
		}
	}
	// tcpdump -e drops the "IP ", "IP6 " and "ARP, " labels: the
	// ethertype already says what follows.
	switch t {
	case EtherTypeIPv4:
		formatIPv4(sb, e.Payload(), "")
	case EtherTypeIPv6:
		formatIPv6(sb, e.Payload(), "")
	case EtherTypeARP:
		formatARP(sb, e.Payload(), "")
	}
}

// formatKnownEtherType reports whether Format decodes payloads of type t.
func formatKnownEtherType(t EtherType) bool {
	return t == EtherTypeIPv4 || t == EtherTypeIPv6 || t == EtherTypeARP
}

// formatEtherTypeName returns tcpdump's name for t.
func formatEtherTypeName(t EtherType) string {
	switch t {
	case EtherTypeIPv4, EtherTypeIPv6, EtherTypeARP, EtherTypeVLAN, EtherTypeQinQ:
		return t.String()
	}
	return "Unknown"
}

// formatARP prints an ARP packet like tcpdump -n, after label.
func formatARP(sb *strings.Builder, b []byte, label string) {
	sb.WriteString(label)
	a, err := ParseARP(b)
	if err != nil {
		if len(b) >= 8 {
			fmt.Fprintf(sb, "unsupported hardware/protocol, length %d", len(b))
			return
		}
		sb.WriteString("[|arp]")
		return
	}
	switch a.Op() {
	case ARPRequest:
		fmt.Fprintf(sb, "Request who-has %v tell %v, length %d", a.TPA(), a.SPA(), len(b))
	case ARPReply:
		fmt.Fprintf(sb, "Reply %v is-at %v, length %d", a.SPA(), a.SHA(), len(b))
	default:
		fmt.Fprintf(sb, "Unknown opcode (%d), length %d", uint16(a.Op()), len(b))
	}
}

// formatIPv4 prints an IPv4 datagram after label.
func formatIPv4(sb *strings.Builder, b []byte, label string) {
	sb.WriteString(label)
	p, err := ParseIPv4(b)
	if err != nil {
		if len(b) >= IPv4MinHeaderLen && b[0]>>4 == 4 {
			fmt.Fprintf(sb, "%v > %v: [|ip]", netip.AddrFrom4([4]byte(b[12:16])), netip.AddrFrom4([4]byte(b[16:20])))
			return
		}
		sb.WriteString("[|ip]")
		return
	}
	payload := p.Payload()
	frag := ""
	if p.IsFragment() {
		more := ""
		if p.Flags()&IPv4FlagMF != 0 {
			more = "+"
		}
		frag = fmt.Sprintf("(frag %d:%d@%d%s)", p.ID(), len(payload), int(p.FragOffset())*8, more)
		if p.FragOffset() != 0 {
			// A later fragment carries no upper-layer header.
			fmt.Fprintf(sb, "%v > %v: %s", p.Src(), p.Dst(), frag)
			return
		}
	}
	formatUpper(sb, p.Protocol(), payload, p.Src(), p.Dst(), true)
	if frag != "" {
		sb.WriteString(" " + frag)
	}
}

// formatUpper prints an upper-layer protocol carried from src to dst. TCP
// and UDP always print "src.port > dst.port: "; other protocols print
// "src > dst: " when addrs is set.
func formatUpper(sb *strings.Builder, proto uint8, b []byte, src, dst netip.Addr, addrs bool) {
	switch proto {
	case TCPProtocolNumber:
		formatTCP(sb, b, src, dst)
		return
	case UDPProtocolNumber:
		formatUDP(sb, b, src, dst)
		return
	}
	if addrs {
		fmt.Fprintf(sb, "%v > %v: ", src, dst)
	}
	switch {
	case proto == ICMPv4ProtocolNumber && src.Is4():
		formatICMPv4(sb, b)
	case proto == IGMPProtocolNumber && src.Is4():
		formatIGMP(sb, b)
	case proto == IPv6ICMP && !src.Is4():
		formatICMPv6(sb, b, src, dst)
	default:
		fmt.Fprintf(sb, "ip-proto-%d %d", proto, len(b))
	}
}
