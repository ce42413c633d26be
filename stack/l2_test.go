package stack_test

import (
	"errors"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/stack"
	"sockstack/vnet"
)

// lan builds two hosts on 10.0.0.0/24.
func lan(t testing.TB) (*stack.Host, *stack.Host) {
	n := vnet.New()
	a, b := n.AddHost("a", false), n.AddHost("b", false)
	t.Cleanup(func() { n.Close() })
	must(t, second(n.Connect("a", netip.MustParsePrefix("10.0.0.1/24"), "b", netip.MustParsePrefix("10.0.0.2/24"), vnet.LinkConfig{})))
	return a, b
}

// RFC 1122 §3.3.6 and socket(7) SO_BROADCAST: with the flag set, a datagram
// to the limited (255.255.255.255) or directed (10.0.0.255) broadcast
// address reaches sockets bound to the wildcard on every host of the link.
func TestUDPBroadcast(t *testing.T) {
	a, b := lan(t)
	rx := socket(t, b, unix.SOCK_DGRAM, 0)
	must(t, b.Bind(rx, &unix.SockaddrInet4{Port: 4000}))
	tx := socket(t, a, unix.SOCK_DGRAM, 0)
	must(t, a.SetsockoptInt(tx, unix.SOL_SOCKET, unix.SO_BROADCAST, 1))
	for _, dst := range []string{"255.255.255.255", "10.0.0.255"} {
		must(t, a.Sendto(tx, []byte(dst), 0, sa4(netip.MustParseAddr(dst), 4000)))
		buf := make([]byte, 64)
		n, from, err := b.Recvfrom(rx, buf, 0)
		must(t, err)
		if string(buf[:n]) != dst || from.(*unix.SockaddrInet4).Addr != [4]byte{10, 0, 0, 1} {
			t.Fatalf("broadcast to %s: got %q from %v", dst, buf[:n], from)
		}
	}
}

// raw(7): "Only processes with an effective user ID of 0 or the
// CAP_NET_RAW capability are allowed to open raw sockets."
func TestRawNeedsPrivilege(t *testing.T) {
	h := stack.New(stack.Options{Name: "unprivileged"})
	defer h.Stop()
	if _, err := h.Socket(unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_ICMP); !errors.Is(err, unix.EPERM) {
		t.Fatalf("raw socket without privilege: %v, want EPERM", err)
	}
}

// RFC 1122 §2.3.2.2: packets wait while ARP resolves; when no answer comes
// after the retries, they are dropped and counted.
func TestARPFailureDropsQueued(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, _ := lan(t)
		tx := socket(t, a, unix.SOCK_DGRAM, 0)
		for i := 0; i < 3; i++ {
			must(t, a.Sendto(tx, []byte("x"), 0, sa4(netip.MustParseAddr("10.0.0.9"), 9)))
		}
		synctest.Wait()
		if a.Drop(stack.DropNeighFailed) != 0 {
			t.Fatal("dropped before the ARP retries ran out")
		}
		time.Sleep(4 * time.Second)
		synctest.Wait()
		if got := a.Drop(stack.DropNeighFailed); got != 3 {
			t.Fatalf("neigh-failed drops = %d, want the 3 queued datagrams", got)
		}
	})
}

// ip(7P): forwarding can be turned off for one interface while the host
// forwards on the others.
func TestPerInterfaceForwarding(t *testing.T) {
	n := vnet.New()
	a, r, b := n.AddHost("a", false), n.AddHost("r", true), n.AddHost("b", false)
	t.Cleanup(func() { n.Close() })
	must(t, second(n.Connect("a", netip.PrefixFrom(addrA, 24), "r", netip.PrefixFrom(addrR1, 24), vnet.LinkConfig{})))
	must(t, second(n.Connect("r", netip.PrefixFrom(addrR2, 24), "b", netip.PrefixFrom(addrB, 24), vnet.LinkConfig{})))
	must(t, a.AddRoute(netip.MustParsePrefix("0.0.0.0/0"), addrR1, "eth0"))
	must(t, b.AddRoute(netip.MustParsePrefix("0.0.0.0/0"), addrR2, "eth0"))
	must(t, r.SetForwarding("eth0", false))
	rx := socket(t, b, unix.SOCK_DGRAM, 0)
	must(t, b.Bind(rx, sa4(addrB, 9)))
	tx := socket(t, a, unix.SOCK_DGRAM, 0)
	must(t, a.Sendto(tx, []byte("x"), 0, sa4(addrB, 9)))
	waitFor(t, func() bool { return r.Drop(stack.DropForwardDisabled) == 1 })
	must(t, r.SetForwarding("eth0", true))
	must(t, a.Sendto(tx, []byte("y"), 0, sa4(addrB, 9)))
	buf := make([]byte, 8)
	nr, _, err := b.Recvfrom(rx, buf, 0)
	if err != nil || string(buf[:nr]) != "y" {
		t.Fatalf("after enabling forwarding: %q, %v", buf[:nr], err)
	}
}
