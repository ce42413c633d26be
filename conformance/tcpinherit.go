package conformance

import (
	"golang.org/x/sys/unix"
)

// tcpInheritCases check what an accepted socket takes from its listener.
func tcpInheritCases() []Case {
	return []Case{
		{Name: "tcp/accept-inherits-options-set-after-listen", Run: tcpInheritAfterListen},
	}
}

// accept(2) returns "a new connected socket" made from the listening one;
// on Linux it is a copy of the listener as it is when the connection
// completes, so options set after listen(2) reach it: socket(7) SO_RCVBUF
// (the doubled value), SO_KEEPALIVE, and tcp(7) TCP_NODELAY and
// TCP_CONGESTION.
func tcpInheritAfterListen(t T, e *Env) {
	lfd, lsa := bListen(t, e.API, e.Addr4)
	setIntOpt(t, e.API, lfd, unix.SOL_SOCKET, unix.SO_RCVBUF, 40000)
	setIntOpt(t, e.API, lfd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1)
	setIntOpt(t, e.API, lfd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	if err := e.API.SetsockoptString(lfd, unix.IPPROTO_TCP, unix.TCP_CONGESTION, "reno"); err != nil {
		t.Fatalf("setsockopt(TCP_CONGESTION, reno): %v", err)
	}
	want := intOpt(t, e.API, lfd, unix.SOL_SOCKET, unix.SO_RCVBUF)
	bDial(t, e.Peer, lsa)
	a, _ := bAccept(t, e.API, lfd)
	if got := intOpt(t, e.API, a, unix.SOL_SOCKET, unix.SO_RCVBUF); got != want {
		t.Fatalf("accepted SO_RCVBUF = %d, want the listener's %d", got, want)
	}
	if got := intOpt(t, e.API, a, unix.SOL_SOCKET, unix.SO_KEEPALIVE); got != 1 {
		t.Fatalf("accepted SO_KEEPALIVE = %d, want 1", got)
	}
	if got := intOpt(t, e.API, a, unix.IPPROTO_TCP, unix.TCP_NODELAY); got != 1 {
		t.Fatalf("accepted TCP_NODELAY = %d, want 1", got)
	}
	if got, err := e.API.GetsockoptString(a, unix.IPPROTO_TCP, unix.TCP_CONGESTION); err != nil || got != "reno" {
		t.Fatalf("accepted TCP_CONGESTION = %q, %v; want reno", got, err)
	}
}
