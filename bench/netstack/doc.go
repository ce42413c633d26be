// Package netstack measures sockstack's host against gVisor's netstack in
// one process and one run: the same workloads, message sizes and kind of
// link (Ethernet with ARP over an in-memory pipe with one delivery
// goroutine per direction) for both stacks.
//
// A Net is one stack under test: two hosts, A (10.0.0.1) and B (10.0.0.2),
// on one link. The workloads (UDPStream, UDPPingPong, ICMPEcho) run against
// any Net and return a Result with the rate and the heap allocations per
// packet. Benchmarks in this package and the netbench command drive them.
package netstack
