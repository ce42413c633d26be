// Package traceroute is traceroute(8) as a library over sock.API: probes
// with increasing TTL (IPv4) or hop limit (IPv6), each answered by an ICMP
// Time Exceeded from a router on the way (RFC 792, RFC 4443 §3.3) or, at the
// destination, by an ICMP Port Unreachable (UDP probes, the default) or an
// Echo Reply (ICMP probes, -I). Answers arrive on a raw ICMP socket (raw(7);
// UNP's traceroute, seed 004) and are matched to their probe by the headers
// they quote.
//
// Tracer does the work and returns a Result; Main parses
// traceroute(8)-compatible flags for the sockstack CLI. Output is always
// numeric (traceroute -n): name lookup belongs to the resolver package.
package traceroute
