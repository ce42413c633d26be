// Package ping is ping(8) of iputils as a library over sock.API: ICMP echo
// requests on a raw socket (raw(7); UNP §28.5's ping, seed 004), replies
// matched by identifier and sequence number, round-trip times from the
// timestamp carried in the data, and iputils' output and statistics.
//
// Pinger does the work and returns Stats; Main parses iputils-compatible
// command-line flags for the sockstack CLI. IPv4 uses socket(AF_INET,
// SOCK_RAW, IPPROTO_ICMP) and computes the ICMP checksum itself; IPv6 uses
// socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6), where the provider computes
// the checksum (RFC 3542 §3.1).
package ping
