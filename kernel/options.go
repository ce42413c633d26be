//go:build linux

package kernel

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// GetsockoptInt calls getsockopt(2) for an int option.
func (*Kernel) GetsockoptInt(fd, level, opt int) (int, error) {
	return unix.GetsockoptInt(fd, level, opt)
}

// SetsockoptInt calls setsockopt(2) for an int option.
func (*Kernel) SetsockoptInt(fd, level, opt, value int) error {
	return unix.SetsockoptInt(fd, level, opt, value)
}

// GetsockoptLinger calls getsockopt(2) for SO_LINGER.
func (*Kernel) GetsockoptLinger(fd, level, opt int) (*unix.Linger, error) {
	return unix.GetsockoptLinger(fd, level, opt)
}

// SetsockoptLinger calls setsockopt(2) for SO_LINGER.
func (*Kernel) SetsockoptLinger(fd, level, opt int, l *unix.Linger) error {
	return unix.SetsockoptLinger(fd, level, opt, l)
}

// GetsockoptTimeval calls getsockopt(2) for a struct timeval option.
func (*Kernel) GetsockoptTimeval(fd, level, opt int) (*unix.Timeval, error) {
	return unix.GetsockoptTimeval(fd, level, opt)
}

// SetsockoptTimeval calls setsockopt(2) for a struct timeval option.
func (*Kernel) SetsockoptTimeval(fd, level, opt int, tv *unix.Timeval) error {
	return unix.SetsockoptTimeval(fd, level, opt, tv)
}

// GetsockoptIPMreq calls getsockopt(2) for a struct ip_mreq option.
func (*Kernel) GetsockoptIPMreq(fd, level, opt int) (*unix.IPMreq, error) {
	return unix.GetsockoptIPMreq(fd, level, opt)
}

// SetsockoptIPMreq calls setsockopt(2) for a struct ip_mreq option.
func (*Kernel) SetsockoptIPMreq(fd, level, opt int, m *unix.IPMreq) error {
	return unix.SetsockoptIPMreq(fd, level, opt, m)
}

// GetsockoptIPMreqn calls getsockopt(2) for a struct ip_mreqn option.
func (*Kernel) GetsockoptIPMreqn(fd, level, opt int) (*unix.IPMreqn, error) {
	return unix.GetsockoptIPMreqn(fd, level, opt)
}

// SetsockoptIPMreqn calls setsockopt(2) for a struct ip_mreqn option.
func (*Kernel) SetsockoptIPMreqn(fd, level, opt int, m *unix.IPMreqn) error {
	return unix.SetsockoptIPMreqn(fd, level, opt, m)
}

// GetsockoptIPv6Mreq calls getsockopt(2) for a struct ipv6_mreq option.
func (*Kernel) GetsockoptIPv6Mreq(fd, level, opt int) (*unix.IPv6Mreq, error) {
	return unix.GetsockoptIPv6Mreq(fd, level, opt)
}

// SetsockoptIPv6Mreq calls setsockopt(2) for a struct ipv6_mreq option.
func (*Kernel) SetsockoptIPv6Mreq(fd, level, opt int, m *unix.IPv6Mreq) error {
	return unix.SetsockoptIPv6Mreq(fd, level, opt, m)
}

// GetsockoptString calls getsockopt(2) for a string option.
func (*Kernel) GetsockoptString(fd, level, opt int) (string, error) {
	return unix.GetsockoptString(fd, level, opt)
}

// SetsockoptString calls setsockopt(2) for a string option.
func (*Kernel) SetsockoptString(fd, level, opt int, s string) error {
	return unix.SetsockoptString(fd, level, opt, s)
}

// GetsockoptUcred calls getsockopt(2) for SO_PEERCRED.
func (*Kernel) GetsockoptUcred(fd, level, opt int) (*unix.Ucred, error) {
	return unix.GetsockoptUcred(fd, level, opt)
}

// GetsockoptTCPInfo calls getsockopt(2) for TCP_INFO.
func (*Kernel) GetsockoptTCPInfo(fd, level, opt int) (*unix.TCPInfo, error) {
	return unix.GetsockoptTCPInfo(fd, level, opt)
}

// GetsockoptBytes calls getsockopt(2) for an option of raw bytes.
func (*Kernel) GetsockoptBytes(fd, level, opt, size int) ([]byte, error) {
	b := make([]byte, size)
	l := uint32(size)
	var p unsafe.Pointer
	if size > 0 {
		p = unsafe.Pointer(&b[0])
	}
	_, _, e := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(fd), uintptr(level), uintptr(opt),
		uintptr(p), uintptr(unsafe.Pointer(&l)), 0)
	if e != 0 {
		return nil, e
	}
	return b[:l], nil
}

// SetsockoptBytes calls setsockopt(2) for an option of raw bytes.
func (*Kernel) SetsockoptBytes(fd, level, opt int, b []byte) error {
	return unix.SetsockoptString(fd, level, opt, string(b))
}
