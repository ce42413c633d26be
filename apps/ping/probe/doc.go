// Package probe builds the ICMP echo probes that ping and traceroute send and
// decodes the ICMP messages that answer them, for IPv4 and IPv6, over any
// sock.API provider.
//
// An IPv4 raw socket (raw(7): socket(AF_INET, SOCK_RAW, IPPROTO_ICMP))
// returns each datagram with its IPv4 header; an ICMPv6 raw socket returns
// the ICMPv6 message alone and the hop limit in ancillary data (RFC 3542
// §6.3). Decode turns both into a Message, and Message's methods match an
// answer to a probe by the quoted headers of RFC 792 and RFC 4443 §3.
//
// Received datagrams are checked with package wire's views; the quoted
// header inside an error is decoded here because it is truncated by design
// (its Total Length exceeds what was quoted), which wire.ParseIPv4 rejects.
package probe
