package interop

import "testing"

// TestTUN puts a sockstack host on a TUN device in namespace NS (the
// stack 10.213.1.2, Linux 10.213.1.1) and runs Linux's tools against it.
func TestTUN(t *testing.T) {
	needLab(t)
	l := openTUNLab(t, 1, nil)
	cap := startCapture(t, l.ns, l.dev)
	basicScenarios(t, l)
	cap.stop(t)
	checkNstat(t, l.ns, nil)
}

// basicScenarios runs the tools of issue 4 against the stack host of l:
// Linux's ping, traceroute and UDP/TCP echo clients toward it, and the
// stack's ping and UDP echo client toward Linux.
func basicScenarios(t *testing.T, l *lab) {
	t.Run("linux pings", func(t *testing.T) { linuxPings(t, l.ns, l.stack) })
	t.Run("linux traces", func(t *testing.T) { linuxTraces(t, l.ns, l.stack) })
	t.Run("udp echo from linux", func(t *testing.T) { udpEchoFromLinux(t, l.ns, l.stack) })
	t.Run("tcp from linux", func(t *testing.T) { tcpEchoFromLinux(t, l.host, l.ns, l.stack) })
	t.Run("stack pings linux", func(t *testing.T) { stackPing(t, l.host, l.linux) })
	t.Run("udp echo from stack", func(t *testing.T) { udpEchoFromStack(t, l.host, l.ns, l.linux) })
}
