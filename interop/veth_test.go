package interop

import (
	"net/netip"
	"testing"

	"sockstack/link"
)

// TestVethPacket puts a sockstack host on one end of a veth pair through
// an AF_PACKET socket, alone in its own namespace (LAB.md: else the kernel
// there answers ARP for its addresses), with Linux at the other end:
// stack 10.213.4.2, Linux 10.213.4.1.
func TestVethPacket(t *testing.T) {
	needLab(t)
	peer, stk := netns(t), netns(t)
	sh(t, "ip", "link", "add", "p0", "netns", peer, "type", "veth", "peer", "name", "s0", "netns", stk)
	in(t, stk, "sysctl", "-qw", "net.ipv6.conf.s0.disable_ipv6=1")
	// LAB.md: required, else Linux sends partial checksums (and 64 KB
	// frames) that tshark and the stack see as wrong.
	in(t, peer, "ethtool", "-K", "p0", "tx", "off")
	in(t, peer, "ip", "addr", "add", "10.213.4.1/24", "dev", "p0")
	in(t, peer, "ip", "link", "set", "p0", "up")
	in(t, stk, "ip", "link", "set", "s0", "up")
	ep, err := link.OpenPacketInNetns(stk, "s0", link.DeviceOptions{MACSeed: 4})
	if err != nil {
		t.Fatal(err)
	}
	stackAddr := netip.MustParsePrefix("10.213.4.2/24")
	linuxAddr := netip.MustParseAddr("10.213.4.1")
	host := startStack(t, ep, "s0", stackAddr, nil)
	cap := startCapture(t, peer, "p0")
	host.h.Announce("s0")
	t.Run("linux pings", func(t *testing.T) { linuxPings(t, peer, stackAddr.Addr()) })
	t.Run("linux traces", func(t *testing.T) { linuxTraces(t, peer, stackAddr.Addr()) })
	t.Run("udp echo from linux", func(t *testing.T) { udpEchoFromLinux(t, peer, stackAddr.Addr()) })
	t.Run("tcp from linux", func(t *testing.T) { tcpEchoFromLinux(t, host, peer, stackAddr.Addr()) })
	t.Run("stack pings linux", func(t *testing.T) { stackPing(t, host, linuxAddr) })
	t.Run("udp echo from stack", func(t *testing.T) { udpEchoFromStack(t, host, peer, linuxAddr) })
	cap.stop(t)
	checkNstat(t, peer, nil)
}
