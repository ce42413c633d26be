// Package interop holds interoperability tests of sockstack against real
// Linux: a sockstack host on a TUN device or on one end of a veth pair
// (AF_PACKET) inside network namespaces, exercised with Linux's ping,
// traceroute, tracepath, socat, curl and python3's http.server, every
// exchange captured with tcpdump and checked with tshark (checksums
// validated, no malformed packet, no error-severity expert information)
// and with the namespace's nstat counters. The recipes are those of the
// project's LAB.md. The TCP scenarios (TestTCPHTTP, TestTCPBulk,
// TestTCPImpaired) run once per attachment, as subtests tun and veth.
//
// The tests need root and the tools; they skip without them, except in CI
// (CI set in the environment), where they fail. The package has no code
// besides its tests.
package interop
