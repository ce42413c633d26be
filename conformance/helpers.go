package conformance

import (
	"net/netip"

	"golang.org/x/sys/unix"

	"sockstack/sock"
)

// open creates a socket on api's provider and closes it when the case ends.
func open(t T, api sock.API, domain, typ, proto int) int {
	t.Helper()
	fd, err := api.Socket(domain, typ, proto)
	if err != nil {
		t.Fatalf("socket(%d, %d, %d): %v", domain, typ, proto, err)
	}
	t.Cleanup(func() { api.Close(fd) })
	return fd
}

// sockaddr returns the unix.Sockaddr for addr and port.
func sockaddr(addr netip.Addr, port int) unix.Sockaddr {
	if addr.Is4() {
		return &unix.SockaddrInet4{Port: port, Addr: addr.As4()}
	}
	return &unix.SockaddrInet6{Port: port, Addr: addr.As16()}
}

// portOf returns the port of an AF_INET or AF_INET6 sockaddr, or -1.
func portOf(sa unix.Sockaddr) int {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return a.Port
	case *unix.SockaddrInet6:
		return a.Port
	}
	return -1
}
