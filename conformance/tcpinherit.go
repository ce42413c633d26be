package conformance

import (
	"golang.org/x/sys/unix"
)

// tcpInheritCases check what an accepted socket takes from its listener.
func tcpInheritCases() []Case {
	return []Case{
		{Name: "tcp/accept-inherits-options-set-after-listen", Run: tcpInheritAfterListen},
		{Name: "tcp/sndbuf-autotunes-unless-set", Run: tcpSndbufAutotune},
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

// tcp(7) tcp_wmem: the send buffer "is dynamically adjusted" between the
// default and the maximum, unless SO_SNDBUF was set: socket(7) "Sets or
// gets the maximum socket send buffer in bytes" (the value set, doubled,
// stays). After a 1 MiB transfer, a default socket's SO_SNDBUF has grown
// past tcp_wmem's default of 16384; one set to 32768 still reads 65536.
func tcpSndbufAutotune(t T, e *Env) {
	transfer := func(set int) int {
		lfd, lsa := bListen(t, e.Peer, e.PeerAddr4)
		c := bSock(t, e.API, unix.AF_INET, unix.SOCK_STREAM, 0)
		if set > 0 {
			setIntOpt(t, e.API, c, unix.SOL_SOCKET, unix.SO_SNDBUF, set)
		}
		bSetTimeo(t, e.API, c, unix.SO_SNDTIMEO, bWait)
		if err := e.API.Connect(c, copyInet(lsa)); err != nil {
			t.Fatalf("connect: %v", err)
		}
		s, _ := bAccept(t, e.Peer, lfd)
		const total = 1 << 20
		got := make(chan int, 1)
		go func() {
			buf, n := make([]byte, 64<<10), 0
			for n < total {
				k, err := e.Peer.Read(s, buf)
				if k <= 0 || err != nil {
					break
				}
				n += k
			}
			got <- n
		}()
		bWriteAll(t, e.API, c, make([]byte, total))
		if n := <-got; n != total {
			t.Fatalf("peer read %d bytes of %d", n, total)
		}
		return intOpt(t, e.API, c, unix.SOL_SOCKET, unix.SO_SNDBUF)
	}
	if got := transfer(0); got <= 16384 {
		t.Fatalf("default SO_SNDBUF after 1 MiB = %d, want it grown past 16384", got)
	}
	if got := transfer(32768); got != 65536 {
		t.Fatalf("SO_SNDBUF set to 32768 reads %d after 1 MiB, want 65536", got)
	}
}
