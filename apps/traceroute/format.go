package traceroute

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"sockstack/apps/ping/probe"
)

// Probe is the outcome of one probe.
type Probe struct {
	// OK is false when no answer came within the wait time ("*").
	OK bool
	// From is the address that answered.
	From netip.Addr
	// RTT is the time from sending to the answer.
	RTT time.Duration
	// Note is traceroute's annotation for an unreachable ("!H", "!N",
	// "!F-1400", ...), empty for Time Exceeded and the destination's
	// answer.
	Note string
	// Reached reports that the destination itself answered.
	Reached bool
	// Final reports an answer that ends the trace: the destination, or
	// an unreachable.
	Final bool
}

// Hop is the probes sent with one TTL.
type Hop struct {
	TTL    int
	Probes []Probe
}

// Final reports whether any probe of the hop ends the trace.
func (h *Hop) Final() bool {
	for _, p := range h.Probes {
		if p.Final {
			return true
		}
	}
	return false
}

// String formats the hop as traceroute -n prints it:
//
//	" 1  10.0.0.1  0.123 ms  0.098 ms  0.101 ms"
//	" 2  * * *"
//	" 3  10.0.3.1  0.385 ms !H  0.364 ms !H *"
//
// An address is printed before a probe's time when it differs from the
// previous probe's.
func (h *Hop) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%2d ", h.TTL)
	var prev netip.Addr
	for _, p := range h.Probes {
		if !p.OK {
			b.WriteString(" *")
			prev = netip.Addr{}
			continue
		}
		if p.From != prev {
			fmt.Fprintf(&b, " %s", p.From)
		}
		prev = p.From
		fmt.Fprintf(&b, "  %.3f ms", float64(p.RTT.Nanoseconds())/1e6)
		if p.Note != "" {
			b.WriteString(" " + p.Note)
		}
	}
	return b.String()
}

// Header returns traceroute's first line, for example
// "traceroute to 10.0.0.2 (10.0.0.2), 30 hops max, 60 byte packets".
func Header(name string, dst netip.Addr, maxTTL, packetLen int) string {
	return fmt.Sprintf("traceroute to %s (%s), %d hops max, %d byte packets", name, dst, maxTTL, packetLen)
}

// classify fills p's Note, Reached and Final from the ICMP message that
// answered it.
func classify(m *probe.Message, p *Probe) {
	switch {
	case m.IsEchoReply():
		p.Reached, p.Final = true, true
	case m.IsTimeExceeded():
	case m.V6 && m.Type == probe.ICMPv6PacketTooBig:
		// RFC 4443 §3.2: the MTU of the next-hop link.
		p.Note, p.Final = fmt.Sprintf("!F-%d", m.Word), true
	case m.IsUnreachable():
		p.Note, p.Final = unreachNote(m), true
		p.Reached = p.Note == ""
	}
}

// unreachNote is traceroute's annotation for a Destination Unreachable
// code, "" for Port Unreachable (the UDP probe reached the destination).
func unreachNote(m *probe.Message) string {
	if m.V6 {
		// RFC 4443 §3.1 codes.
		switch m.Code {
		case 0:
			return "!N"
		case 1, 5, 6:
			return "!X"
		case 2:
			return "!S"
		case 3:
			return "!H"
		case 4:
			return ""
		}
		return fmt.Sprintf("!<%d>", m.Code)
	}
	// RFC 792, RFC 1122 §3.2.2.1 and RFC 1812 §5.2.7.1 codes.
	switch m.Code {
	case 0, 6, 9, 11:
		return "!N"
	case 1, 7, 10, 12:
		return "!H"
	case 2:
		return "!P"
	case 3:
		return ""
	case 4:
		// RFC 1191 §4: the next-hop MTU is the low 16 bits.
		return fmt.Sprintf("!F-%d", uint16(m.Word))
	case 5:
		return "!S"
	case 13:
		return "!X"
	case 14:
		return "!V"
	case 15:
		return "!C"
	}
	return fmt.Sprintf("!<%d>", m.Code)
}
