// Package conformance is sockstack's differential test suite: socket-level
// behaviour written once against sock.API and run against every provider.
// Linux (package kernel) is the oracle: a case that fails there is a wrong
// case. Each case names, in a comment, the seed sentence or man-page rule it
// checks.
package conformance

import (
	"net/netip"
	"os"
	"testing"

	"sockstack/sock"
)

// Env is the world a case runs in: a provider's API, the addresses its host
// owns, and a second host where a case needs a peer.
type Env struct {
	// API is the host under test.
	API sock.API
	// Peer is a second host that can reach API's host. A provider with a
	// single host (the kernel) sets Peer to API.
	Peer sock.API
	// Addr4 and Addr6 are addresses of API's host (loopback on the kernel).
	Addr4, Addr6 netip.Addr
	// PeerAddr4 and PeerAddr6 are the peer host's addresses.
	PeerAddr4, PeerAddr6 netip.Addr
	// RawAllowed reports whether SOCK_RAW and AF_PACKET sockets may be
	// created (CAP_NET_RAW, or a stack host created with raw access).
	RawAllowed bool
	// Dir is a fresh directory for pathname AF_UNIX sockets.
	Dir string
}

// Provider makes a fresh Env for each case.
type Provider struct {
	// Name is the subtest name: "kernel" or "stack".
	Name string
	// New builds an Env and registers its cleanup with t.Cleanup.
	New func(t *testing.T) *Env
}

// Case is one conformance case.
type Case struct {
	// Name is the subtest name, for example "tcp/echo-many-clients".
	Name string
	// Run performs the case and reports failures through t.
	Run func(t T, e *Env)
}

// T is the part of *testing.T that cases use. It lets the suite run a case
// that is expected to fail without failing its parent test.
type T interface {
	Helper()
	Cleanup(func())
	Error(args ...any)
	Errorf(format string, args ...any)
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Log(args ...any)
	Logf(format string, args ...any)
	Skip(args ...any)
	Skipf(format string, args ...any)
	Failed() bool
	Name() string
	TempDir() string
}

// RequireRaw fails the case (in CI) or skips it (elsewhere) when raw sockets
// are not allowed in this environment.
func (e *Env) RequireRaw(t T) {
	t.Helper()
	if e.RawAllowed {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal("raw sockets are not allowed here (CAP_NET_RAW missing), and CI must run this case")
	}
	t.Skip("raw sockets are not allowed here (needs CAP_NET_RAW)")
}
