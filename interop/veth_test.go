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
	basicScenarios(t, l)
	cap.stop(t)
	checkNstat(t, l.ns, nil)
}
