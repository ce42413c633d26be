package stack

import (
	"net/netip"
	"testing"
)

// RFC 6056 §3.3.4: consecutive connections to one destination get
// distinct ports until the range is used up (so a TIME-WAIT the peer keeps
// for an earlier connection is not hit), and freed ports are found again.
func TestBindConnectWalksTheRange(t *testing.T) {
	pt := newPortTable(1, tcpConflict)
	src := netip.MustParseAddr("10.0.0.1")
	dst := netip.MustParseAddrPort("10.0.0.2:80")
	seen := make(map[uint16]bool)
	const n = 20000
	for i := range n {
		b := &binding{addr: netip.IPv4Unspecified()}
		p, err := pt.bindConnect(b, src, dst)
		if err != nil {
			t.Fatalf("connect %d: %v", i, err)
		}
		if p < ephemeralLo || p > ephemeralHi {
			t.Fatalf("port %d outside the ephemeral range", p)
		}
		if seen[p] {
			t.Fatalf("connect %d reused port %d", i, p)
		}
		seen[p] = true
		pt.unbind(p, b) // the connection ended at once
	}
	// Every port in use: EADDRNOTAVAIL, as connect(2) says.
	full := newPortTable(2, tcpConflict)
	for range ephemeralHi - ephemeralLo + 1 {
		if _, err := full.bindConnect(&binding{addr: netip.IPv4Unspecified()}, src, dst); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := full.bindConnect(&binding{addr: netip.IPv4Unspecified()}, src, dst); err == nil {
		t.Fatal("connect with the range exhausted succeeded")
	}
}
