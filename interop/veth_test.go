package interop

import "testing"

// TestVethPacket puts a sockstack host on one end of a veth pair through
// an AF_PACKET socket, alone in its own namespace (LAB.md: else the kernel
// there answers ARP for its addresses), with Linux at the other end:
// stack 10.213.4.2, Linux 10.213.4.1.
func TestVethPacket(t *testing.T) {
	needLab(t)
	l := openVethLab(t, 4, nil)
	cap := startCapture(t, l.ns, l.dev)
	l.host.h.Announce("s0") // once more, into the capture
	t.Run("linux pings", func(t *testing.T) { linuxPings(t, l.ns, l.stack) })
	t.Run("linux traces", func(t *testing.T) { linuxTraces(t, l.ns, l.stack) })
	t.Run("udp echo from linux", func(t *testing.T) { udpEchoFromLinux(t, l.ns, l.stack) })
	t.Run("tcp from linux", func(t *testing.T) { tcpEchoFromLinux(t, l.host, l.ns, l.stack) })
	t.Run("stack pings linux", func(t *testing.T) { stackPing(t, l.host, l.linux) })
	t.Run("udp echo from stack", func(t *testing.T) { udpEchoFromStack(t, l.host, l.ns, l.linux) })
	cap.stop(t)
	checkNstat(t, l.ns, nil)
}
