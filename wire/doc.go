// Package wire parses and builds the packets sockstack sends and receives:
// Ethernet, ARP, IPv4, IPv6, ICMPv4, ICMPv6 (with NDP and MLD), IGMP, UDP and
// TCP.
//
// Parsing is by checked views: a Parse function validates lengths and
// offsets once and returns a view over the caller's bytes, after which no
// accessor can panic. Parsing allocates nothing and copies no payload.
// Builders write a header into the headroom in front of a payload, back to
// front, so packets are built from the payload outward without copying.
//
// The package holds no state and imports nothing of sockstack's above the
// leaf packages.
package wire
