package stack_test

import (
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"

	"sockstack/vnet"
)

// BenchmarkUDPPingPong64 sends a 64-byte datagram from A to B and reads it,
// one at a time, over an in-memory Ethernet pipe.
func BenchmarkUDPPingPong64(b *testing.B) {
	n := vnet.New()
	ha, hb := n.AddHost("a", false), n.AddHost("b", false)
	defer n.Close()
	must(b, second(n.Connect("a", netip.MustParsePrefix("10.0.0.1/24"), "b", netip.MustParsePrefix("10.0.0.2/24"), vnet.LinkConfig{})))
	rx := socket(b, hb, unix.SOCK_DGRAM, 0)
	must(b, hb.Bind(rx, sa4(netip.MustParseAddr("10.0.0.2"), 7)))
	tx := socket(b, ha, unix.SOCK_DGRAM, 0)
	must(b, ha.Connect(tx, sa4(netip.MustParseAddr("10.0.0.2"), 7)))
	msg := make([]byte, 64)
	buf := make([]byte, 2048)
	// Warm up ARP and pools.
	for i := 0; i < 100; i++ {
		ha.Write(tx, msg)
		hb.Read(rx, buf)
	}
	b.ReportAllocs()
	b.SetBytes(64)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ha.Write(tx, msg); err != nil {
			b.Fatal(err)
		}
		if _, err := hb.Read(rx, buf); err != nil {
			b.Fatal(err)
		}
	}
}
