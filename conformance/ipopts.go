package conformance

import (
	"bytes"
	"errors"

	"golang.org/x/sys/unix"
)

func ipoptCases() []Case {
	return []Case{
		{"ipopt/ip-options-roundtrip", ipoptRoundtrip},
		{"ipopt/ip-options-malformed-einval", ipoptMalformed},
	}
}

// ip(7) IP_OPTIONS: "Set or get the IP options to be sent with every packet
// from this socket"; the options come back padded to a multiple of four
// with End of Option List.
func ipoptRoundtrip(t T, e *Env) {
	fd := open(t, e.API, unix.AF_INET, unix.SOCK_DGRAM, 0)
	rr := []byte{7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0} // Record Route, two slots
	if err := e.API.SetsockoptBytes(fd, unix.IPPROTO_IP, unix.IP_OPTIONS, rr); err != nil {
		t.Fatalf("set IP_OPTIONS: %v", err)
	}
	got, err := e.API.GetsockoptBytes(fd, unix.IPPROTO_IP, unix.IP_OPTIONS, 40)
	if err != nil {
		t.Fatalf("get IP_OPTIONS: %v", err)
	}
	if want := append(append([]byte(nil), rr...), 0); !bytes.Equal(got, want) {
		t.Fatalf("IP_OPTIONS = %x, want %x", got, want)
	}
}

// ip(7): options that are malformed (a length running past the end) are
// rejected with EINVAL.
func ipoptMalformed(t T, e *Env) {
	fd := open(t, e.API, unix.AF_INET, unix.SOCK_DGRAM, 0)
	bad := []byte{7, 20, 4, 0}
	if err := e.API.SetsockoptBytes(fd, unix.IPPROTO_IP, unix.IP_OPTIONS, bad); !errors.Is(err, unix.EINVAL) {
		t.Fatalf("set malformed IP_OPTIONS: %v, want EINVAL", err)
	}
}
