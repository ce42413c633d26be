package conformance

import (
	"net/netip"
	"testing"

	"sockstack/link"
	"sockstack/stack"
)

// newStackEnv builds two sockstack hosts joined by an in-memory Ethernet
// link: API is 10.0.0.1 and Peer is 10.0.0.2 on 10.0.0.0/24.
func newStackEnv(t *testing.T) *Env {
	a, b := link.Pipe(link.PipeOptions{
		Kind:          link.KindEthernet,
		MTU:           1500,
		HardwareAddrs: [2][6]byte{{0x02, 0, 0, 0, 0, 1}, {0x02, 0, 0, 0, 0, 2}},
	})
	ha := stack.New(stack.Options{Name: "a", RawAllowed: true})
	hb := stack.New(stack.Options{Name: "b", RawAllowed: true})
	t.Cleanup(func() {
		ha.Stop()
		hb.Stop()
	})
	if _, err := ha.AddNIC(a, stack.NICConfig{Name: "eth0", Addrs: []netip.Prefix{
		netip.MustParsePrefix("10.0.0.1/24"), netip.MustParsePrefix("fd00::1/64")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := hb.AddNIC(b, stack.NICConfig{Name: "eth0", Addrs: []netip.Prefix{
		netip.MustParsePrefix("10.0.0.2/24"), netip.MustParsePrefix("fd00::2/64")}}); err != nil {
		t.Fatal(err)
	}
	return &Env{
		API:        ha,
		Peer:       hb,
		Addr4:      netip.MustParseAddr("10.0.0.1"),
		Addr6:      netip.MustParseAddr("fd00::1"),
		PeerAddr4:  netip.MustParseAddr("10.0.0.2"),
		PeerAddr6:  netip.MustParseAddr("fd00::2"),
		RawAllowed: true,
		Dir:        t.TempDir(),
	}
}
