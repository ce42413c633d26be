package ping

import (
	"fmt"

	"sockstack/apps/ping/probe"
)

// unreach4 names the Destination Unreachable codes as iputils prints them.
// RFC 792 defines codes 0-5, RFC 1122 §3.2.2.1 codes 6-12, RFC 1812 §5.2.7.1
// codes 13-15.
var unreach4 = [...]string{
	0:  "Destination Net Unreachable",
	1:  "Destination Host Unreachable",
	2:  "Destination Protocol Unreachable",
	3:  "Destination Port Unreachable",
	4:  "Frag needed and DF set",
	5:  "Source Route Failed",
	6:  "Destination Net Unknown",
	7:  "Destination Host Unknown",
	8:  "Source Host Isolated",
	9:  "Destination Net Prohibited",
	10: "Destination Host Prohibited",
	11: "Destination Net Unreachable for Type of Service",
	12: "Destination Host Unreachable for Type of Service",
	13: "Packet filtered",
	14: "Precedence Violation",
	15: "Precedence Cutoff",
}

// unreach6 names the ICMPv6 Destination Unreachable codes (RFC 4443 §3.1).
var unreach6 = [...]string{
	0: "No route",
	1: "Administratively prohibited",
	2: "Beyond scope of source address",
	3: "Address unreachable",
	4: "Port unreachable",
	5: "Source address failed ingress/egress policy",
	6: "Reject route to destination",
}

// ErrorText describes an ICMP error message the way iputils ping does after
// "From ADDR icmp_seq=N ".
func ErrorText(m *probe.Message) string {
	if m.V6 {
		return errorText6(m)
	}
	switch m.Type {
	case probe.ICMPv4DestUnreach:
		if int(m.Code) >= len(unreach4) {
			return fmt.Sprintf("Dest Unreachable, Bad Code: %d", m.Code)
		}
		if m.Code == 4 {
			// RFC 1191 §4: the next-hop MTU is the low 16 bits.
			return fmt.Sprintf("%s (mtu = %d)", unreach4[4], uint16(m.Word))
		}
		return unreach4[m.Code]
	case probe.ICMPv4TimeExceeded:
		// RFC 792: code 0 TTL exceeded in transit, 1 reassembly.
		if m.Code == 0 {
			return "Time to live exceeded"
		}
		if m.Code == 1 {
			return "Frag reassembly time exceeded"
		}
		return fmt.Sprintf("Time exceeded, Bad Code: %d", m.Code)
	case probe.ICMPv4SourceQuench:
		return "Source Quench"
	case probe.ICMPv4Redirect:
		return fmt.Sprintf("Redirect (code %d, new nexthop %d.%d.%d.%d)", m.Code,
			byte(m.Word>>24), byte(m.Word>>16), byte(m.Word>>8), byte(m.Word))
	case probe.ICMPv4ParamProblem:
		// RFC 792: the pointer is the first octet after the checksum.
		return fmt.Sprintf("Parameter problem: pointer = %d", byte(m.Word>>24))
	}
	return fmt.Sprintf("Bad ICMP type: %d", m.Type)
}

func errorText6(m *probe.Message) string {
	switch m.Type {
	case probe.ICMPv6DestUnreach:
		if int(m.Code) < len(unreach6) {
			return "Destination unreachable: " + unreach6[m.Code]
		}
		return fmt.Sprintf("Destination unreachable: Unknown code %d", m.Code)
	case probe.ICMPv6PacketTooBig:
		return fmt.Sprintf("Packet too big: mtu=%d", m.Word)
	case probe.ICMPv6TimeExceeded:
		// RFC 4443 §3.3: code 0 hop limit, 1 fragment reassembly.
		if m.Code == 0 {
			return "Time exceeded: Hop limit"
		}
		if m.Code == 1 {
			return "Time exceeded: Defragmentation failure"
		}
		return fmt.Sprintf("Time exceeded: code %d", m.Code)
	case probe.ICMPv6ParamProblem:
		return fmt.Sprintf("Parameter problem: code %d at %d", m.Code, m.Word)
	}
	return fmt.Sprintf("Unknown icmp type: %d", m.Type)
}
