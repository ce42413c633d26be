package interop

import (
	"net/netip"
	"testing"

	"sockstack/link"
)

// TestTUN puts a sockstack host on a TUN device in namespace NS (the
// stack 10.213.1.2, Linux 10.213.1.1) and runs Linux's tools against it.
func TestTUN(t *testing.T) {
	needLab(t)
	ns := netns(t)
	ep, err := link.OpenTUNInNetns(ns, "tun0", link.DeviceOptions{MTU: 1500})
	if err != nil {
		t.Fatal(err)
	}
	stackAddr := netip.MustParsePrefix("10.213.1.2/24")
	linuxAddr := netip.MustParseAddr("10.213.1.1")
	host := startStack(t, ep, "tun0", stackAddr, nil)
	in(t, ns, "ip", "link", "set", "tun0", "mtu", "1500", "txqueuelen", "10000", "up")
	in(t, ns, "ip", "addr", "add", "10.213.1.1/24", "dev", "tun0")
	cap := startCapture(t, ns, "tun0")
	t.Run("linux pings", func(t *testing.T) { linuxPings(t, ns, stackAddr.Addr()) })
	t.Run("linux traces", func(t *testing.T) { linuxTraces(t, ns, stackAddr.Addr()) })
	t.Run("udp echo from linux", func(t *testing.T) { udpEchoFromLinux(t, ns, stackAddr.Addr()) })
	t.Run("tcp from linux", func(t *testing.T) { tcpEchoFromLinux(t, host, ns, stackAddr.Addr()) })
	t.Run("stack pings linux", func(t *testing.T) { stackPing(t, host, linuxAddr) })
	t.Run("udp echo from stack", func(t *testing.T) { udpEchoFromStack(t, host, ns, linuxAddr) })
	cap.stop(t)
	checkNstat(t, ns, nil)
}
