package echo

import (
	"errors"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"

	"sockstack/kernel"
)

func TestListenErrors(t *testing.T) {
	k := kernel.New()
	if _, err := (&Server{API: k, Network: "sctp"}).Listen(); !errors.Is(err, ErrNetwork) {
		t.Errorf("Listen sctp: %v, want ErrNetwork", err)
	}
	s := &Server{API: k, Addr: netip.MustParseAddrPort("127.0.0.1:0")}
	addr, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Listen(); !errors.Is(err, ErrListening) {
		t.Errorf("second Listen: %v, want ErrListening", err)
	}
	// bind(2): EADDRINUSE: the address is in use by a listening socket,
	// SO_REUSEADDR notwithstanding.
	other := &Server{API: k, Addr: addr}
	if _, err := other.Listen(); !errors.Is(err, unix.EADDRINUSE) {
		other.Close()
		t.Errorf("Listen on a listening port: %v, want EADDRINUSE", err)
	}
	if _, err := (&Server{API: k, Addr: netip.MustParseAddrPort("[fe80::1%eth0]:0")}).Listen(); !errors.Is(err, ErrAddress) {
		t.Errorf("Listen with a zone name: %v, want ErrAddress", err)
	}
}

func TestDefaultAddr(t *testing.T) {
	s := &Server{API: kernel.New()}
	addr, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if addr.Addr() != netip.IPv4Unspecified() || addr.Port() == 0 {
		t.Errorf("zero Addr bound %v, want 0.0.0.0 and a port", addr)
	}
}

func TestDialRefused(t *testing.T) {
	s := &Server{API: kernel.New(), Addr: netip.MustParseAddrPort("127.0.0.1:0")}
	addr, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	c := &Client{API: kernel.New(), Addr: addr}
	if conn, err := c.Dial(testCtx(t)); !errors.Is(err, unix.ECONNREFUSED) {
		if conn != nil {
			conn.Close()
		}
		t.Errorf("Dial a closed port: %v, want ECONNREFUSED", err)
	}
}

func TestSockaddrRoundTrip(t *testing.T) {
	for _, s := range []string{"127.0.0.1:7", "[::1]:7", "[::ffff:10.0.0.1]:65535", "[fe80::1%3]:80", "0.0.0.0:0"} {
		ap := netip.MustParseAddrPort(s)
		sa, err := sockaddr(ap)
		if err != nil {
			t.Errorf("sockaddr(%v): %v", ap, err)
			continue
		}
		if got := addrPort(sa); got != ap {
			t.Errorf("addrPort(sockaddr(%v)) = %v", ap, got)
		}
		wantFamily := unix.AF_INET6
		if ap.Addr().Is4() {
			wantFamily = unix.AF_INET
		}
		if f := family(ap.Addr()); f != wantFamily {
			t.Errorf("family(%v) = %d, want %d", ap.Addr(), f, wantFamily)
		}
	}
	if _, err := sockaddr(netip.AddrPort{}); !errors.Is(err, ErrAddress) {
		t.Errorf("sockaddr of the zero AddrPort: %v, want ErrAddress", err)
	}
}
