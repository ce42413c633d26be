package stack_test

import (
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"

	"sockstack/vnet"
)

// DESIGN: no allocation per packet in steady state. A UDP datagram sent
// from one host and read on another, through ARP-resolved Ethernet, the
// IPv4 and UDP layers, the receive queue and a blocking read, allocates
// nothing.
func TestUDPSteadyStateAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector; checked by the non-race run of make test")
	}
	n := vnet.New()
	ha, hb := n.AddHost("a", false), n.AddHost("b", false)
	defer n.Close()
	must(t, second(n.Connect("a", netip.MustParsePrefix("10.0.0.1/24"), "b", netip.MustParsePrefix("10.0.0.2/24"), vnet.LinkConfig{})))
	rx := socket(t, hb, unix.SOCK_DGRAM, 0)
	must(t, hb.Bind(rx, sa4(netip.MustParseAddr("10.0.0.2"), 7)))
	tx := socket(t, ha, unix.SOCK_DGRAM, 0)
	must(t, ha.Connect(tx, sa4(netip.MustParseAddr("10.0.0.2"), 7)))
	msg, buf := make([]byte, 64), make([]byte, 2048)
	round := func() {
		if _, err := ha.Write(tx, msg); err != nil {
			t.Fatal(err)
		}
		if _, err := hb.Read(rx, buf); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 100; i++ {
		round()
	}
	if a := testing.AllocsPerRun(1000, round); a > 0.01 {
		t.Fatalf("%.2f allocations per datagram, want 0", a)
	}
}
