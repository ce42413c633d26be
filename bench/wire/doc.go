// Package wirebench compares sockstack's packet package (sockstack/wire) with
// gVisor's netstack (gvisor.dev/gvisor/pkg/tcpip) side by side: Internet
// checksums and Ethernet+IPv4+TCP header parsing. It lives in a module of its
// own so that sockstack itself never depends on gVisor. The package has only
// tests and benchmarks; see README.md.
package wirebench
