package stack

import (
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"

	"sockstack/link"
)

// Stop ends a host's TCP timers: a connection left in TIME-WAIT (a minute
// long) neither fires into the stopped host nor keeps it alive.
func TestStopEndsTCPTimers(t *testing.T) {
	ea, eb := link.Pipe(link.PipeOptions{Kind: link.KindEthernet, MTU: 1500,
		HardwareAddrs: [2][6]byte{{2, 0, 0, 0, 0, 1}, {2, 0, 0, 0, 0, 2}}})
	a, b := New(Options{}), New(Options{})
	addA, addB := netip.MustParsePrefix("10.9.0.1/24"), netip.MustParsePrefix("10.9.0.2/24")
	if _, err := a.AddNIC(ea, NICConfig{Name: "eth0", Addrs: []netip.Prefix{addA}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.AddNIC(eb, NICConfig{Name: "eth0", Addrs: []netip.Prefix{addB}}); err != nil {
		t.Fatal(err)
	}
	ln, _ := b.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err := b.Bind(ln, &unix.SockaddrInet4{Addr: addB.Addr().As4(), Port: 80}); err != nil {
		t.Fatal(err)
	}
	b.Listen(ln, 8)
	c, _ := a.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err := a.Connect(c, &unix.SockaddrInet4{Addr: addB.Addr().As4(), Port: 80}); err != nil {
		t.Fatal(err)
	}
	s, _, err := b.Accept4(ln, 0)
	if err != nil {
		t.Fatal(err)
	}
	// a closes first and ends in TIME-WAIT once b's FIN is acknowledged.
	a.Close(c)
	buf := make([]byte, 1)
	if n, err := b.Read(s, buf); n != 0 || err != nil {
		t.Fatalf("read at EOF = %d, %v", n, err)
	}
	b.Close(s)
	a.Stop()
	b.Stop()
	armed := 0
	for _, h := range []*Host{a, b} {
		h.net.tcp.mu.RLock()
		for _, ts := range h.net.tcp.conns {
			ts.mu.Lock()
			if ts.timer != nil && ts.timer.Stop() {
				armed++
			}
			ts.mu.Unlock()
		}
		h.net.tcp.mu.RUnlock()
	}
	if armed != 0 {
		t.Fatalf("%d TCP timers still armed after Stop", armed)
	}
}
