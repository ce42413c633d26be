package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
)

// formatTCP prints a segment like tcpdump -n -S: "src.port > dst.port:
// Flags [S.], seq 1000, ack 2001, win 65535, options [mss 1460], length 0".
// Sequence numbers are absolute: Format keeps no per-connection state.
func formatTCP(sb *strings.Builder, b []byte, src, dst netip.Addr) {
	t, err := ParseTCP(b)
	if err != nil {
		if len(b) >= 4 {
			fmt.Fprintf(sb, "%v.%d > %v.%d: [|tcp]", src, binary.BigEndian.Uint16(b), dst, binary.BigEndian.Uint16(b[2:]))
			return
		}
		fmt.Fprintf(sb, "%v > %v: [|tcp]", src, dst)
		return
	}
	fmt.Fprintf(sb, "%v.%d > %v.%d: Flags %v", src, t.SrcPort(), dst, t.DstPort(), t.Flags())
	n := len(t.Payload())
	f := t.Flags()
	if n > 0 {
		fmt.Fprintf(sb, ", seq %d:%d", t.Seq(), t.Seq()+uint32(n))
	} else if f&(TCPFlagSYN|TCPFlagFIN|TCPFlagRST) != 0 {
		fmt.Fprintf(sb, ", seq %d", t.Seq())
	}
	if f.Has(TCPFlagACK) {
		fmt.Fprintf(sb, ", ack %d", t.Ack())
	}
	fmt.Fprintf(sb, ", win %d", t.Window())
	if f.Has(TCPFlagURG) {
		fmt.Fprintf(sb, ", urg %d", t.Urgent())
	}
	if len(t.Options()) > 0 {
		sb.WriteString(", options [")
		formatTCPOptions(sb, t)
		sb.WriteString("]")
	}
	fmt.Fprintf(sb, ", length %d", n)
}

// formatTCPOptions prints the options the way tcpdump lists them.
func formatTCPOptions(sb *strings.Builder, t TCP) {
	it := t.OptionIter()
	for i := 0; it.Next(); i++ {
		if i > 0 {
			sb.WriteString(",")
		}
		o := it.Option()
		if v, ok := o.MSS(); ok {
			fmt.Fprintf(sb, "mss %d", v)
		} else if v, ok := o.WindowScale(); ok {
			fmt.Fprintf(sb, "wscale %d", v)
		} else if val, ecr, ok := o.Timestamps(); ok {
			fmt.Fprintf(sb, "TS val %d ecr %d", val, ecr)
		} else if o.SACKPermitted() {
			sb.WriteString("sackOK")
		} else if blocks, ok := o.SACKBlocks(); ok {
			fmt.Fprintf(sb, "sack %d ", blocks.Len())
			for j := range blocks.Len() {
				fmt.Fprintf(sb, "{%d:%d}", blocks.At(j).Left, blocks.At(j).Right)
			}
		} else if o.Kind == TCPOptNOP {
			sb.WriteString("nop")
		} else if o.Kind == TCPOptEnd {
			sb.WriteString("eol")
		} else {
			fmt.Fprintf(sb, "unknown-%d 0x%x", o.Kind, o.Data)
		}
	}
	if it.Err() != nil {
		sb.WriteString("[bad opt]")
	}
}

// formatUDP prints a datagram like tcpdump -n: "src.port > dst.port: UDP,
// length 12", the length being the payload's.
func formatUDP(sb *strings.Builder, b []byte, src, dst netip.Addr) {
	u, err := ParseUDP(b)
	if err != nil {
		if len(b) >= UDPHeaderLen {
			// tcpdump's words for a Length field past the captured bytes,
			// as in the first fragment of a fragmented datagram.
			fmt.Fprintf(sb, "%v.%d > %v.%d: UDP, bad length %d > %d", src, binary.BigEndian.Uint16(b), dst,
				binary.BigEndian.Uint16(b[2:]), binary.BigEndian.Uint16(b[4:]), len(b))
			return
		}
		if len(b) >= 4 {
			fmt.Fprintf(sb, "%v.%d > %v.%d: [|udp]", src, binary.BigEndian.Uint16(b), dst, binary.BigEndian.Uint16(b[2:]))
			return
		}
		fmt.Fprintf(sb, "%v > %v: [|udp]", src, dst)
		return
	}
	fmt.Fprintf(sb, "%v.%d > %v.%d: UDP, length %d", src, u.SrcPort(), dst, u.DstPort(), len(u.Payload()))
}

// formatICMPv4 prints an ICMP message like tcpdump -n.
func formatICMPv4(sb *strings.Builder, b []byte) {
	m, err := ParseICMPv4(b)
	if err != nil {
		sb.WriteString("ICMP [|icmp]")
		return
	}
	switch m.Type() {
	case ICMPv4Echo, ICMPv4EchoReply:
		fmt.Fprintf(sb, "ICMP %v, id %d, seq %d", m.Type(), m.ID(), m.Seq())
	case ICMPv4DestUnreachable:
		formatICMPv4Unreach(sb, m)
	case ICMPv4TimeExceeded:
		if m.Code() == ICMPv4ReassemblyTimeout {
			sb.WriteString("ICMP ip reassembly time exceeded")
		} else {
			sb.WriteString("ICMP time exceeded in-transit")
		}
	default:
		fmt.Fprintf(sb, "ICMP %v", m.Type())
	}
	fmt.Fprintf(sb, ", length %d", len(b))
}

// formatICMPv4Unreach prints a Destination Unreachable message, naming the
// destination (and port) of the datagram it quotes when that is present.
func formatICMPv4Unreach(sb *strings.Builder, m ICMPv4) {
	in := m.Body()
	if len(in) < IPv4MinHeaderLen || in[0]>>4 != 4 {
		fmt.Fprintf(sb, "ICMP %v", m.Type().CodeString(m.Code()))
		return
	}
	dst := netip.AddrFrom4([4]byte(in[16:20]))
	proto := in[9]
	hl := int(in[0]&0xf) * 4
	switch m.Code() {
	case ICMPv4NetUnreachable:
		fmt.Fprintf(sb, "ICMP net %v unreachable", dst)
	case ICMPv4HostUnreachable:
		fmt.Fprintf(sb, "ICMP host %v unreachable", dst)
	case ICMPv4ProtocolUnreachable:
		fmt.Fprintf(sb, "ICMP %v protocol %d unreachable", dst, proto)
	case ICMPv4PortUnreachable:
		name := "udp"
		if proto == TCPProtocolNumber {
			name = "tcp"
		}
		if (proto != TCPProtocolNumber && proto != UDPProtocolNumber) || hl < IPv4MinHeaderLen || len(in) < hl+4 {
			fmt.Fprintf(sb, "ICMP %v port unreachable", dst)
			return
		}
		fmt.Fprintf(sb, "ICMP %v %s port %d unreachable", dst, name, binary.BigEndian.Uint16(in[hl+2:]))
	case ICMPv4FragmentationNeeded:
		fmt.Fprintf(sb, "ICMP %v unreachable - need to frag (mtu %d)", dst, m.NextHopMTU())
	default:
		fmt.Fprintf(sb, "ICMP %v unreachable - %v", dst, m.Type().CodeString(m.Code()))
	}
}

// formatIGMP prints an IGMP message like tcpdump -n.
func formatIGMP(sb *strings.Builder, b []byte) {
	m, err := ParseIGMP(b)
	if err != nil {
		sb.WriteString("igmp [|igmp]")
		return
	}
	switch m.Type() {
	case IGMPMembershipQuery:
		if v := m.QueryVersion(); v == 1 {
			sb.WriteString("igmp query")
		} else {
			fmt.Fprintf(sb, "igmp query v%d", v)
		}
		if g := m.Group(); !g.IsUnspecified() {
			fmt.Fprintf(sb, " [gaddr %v]", g)
		}
	case IGMPv1Report:
		fmt.Fprintf(sb, "igmp v1 report %v", m.Group())
	case IGMPv2Report:
		fmt.Fprintf(sb, "igmp v2 report %v", m.Group())
	case IGMPLeaveGroup:
		fmt.Fprintf(sb, "igmp leave %v", m.Group())
	case IGMPv3Report:
		fmt.Fprintf(sb, "igmp v3 report, %d group record(s)", m.NumRecords())
	default:
		fmt.Fprintf(sb, "igmp-%d", uint8(m.Type()))
	}
}
