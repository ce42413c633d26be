package stack

import (
	"golang.org/x/sys/unix"
)

// GetsockoptInt reads an int option: getsockopt(2).
func (h *Host) GetsockoptInt(fd, level, opt int) (int, error) {
	f, err := h.lookup(fd)
	if err != nil {
		return 0, err
	}
	if p, ok := f.s.(intOptioner); ok {
		v, err := p.getsockoptInt(level, opt)
		if err != errUnhandled {
			return v, err
		}
	}
	if level != unix.SOL_SOCKET {
		return 0, unix.ENOPROTOOPT
	}
	b := f.s.base()
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.getSocketInt(opt)
}

// refreshIfListener runs after a setsockopt: a listening TCP socket hands
// its options to its listener, so that connections it accepts later
// inherit them, as on Linux (the accepted socket is a copy of the
// listener). Other sockets are left alone.
func refreshIfListener(s socket) {
	if ts, ok := s.(*tcpSocket); ok {
		ts.mu.Lock()
		ts.refreshListener()
		ts.mu.Unlock()
	}
}

// SetsockoptInt sets an int option: setsockopt(2).
func (h *Host) SetsockoptInt(fd, level, opt, value int) error {
	f, err := h.lookup(fd)
	if err != nil {
		return err
	}
	defer refreshIfListener(f.s)
	if p, ok := f.s.(intOptioner); ok {
		if err := p.setsockoptInt(level, opt, value); err != errUnhandled {
			return err
		}
	}
	if level != unix.SOL_SOCKET {
		return unix.ENOPROTOOPT
	}
	b := f.s.base()
	b.mu.Lock()
	err = b.setSocketInt(opt, value)
	b.mu.Unlock()
	b.wq.notify() // buffer sizes change readiness
	return err
}

// solSocket returns the socket's base after checking fd and that level is
// SOL_SOCKET.
func (h *Host) solSocket(fd, level int) (*sockBase, error) {
	f, err := h.lookup(fd)
	if err != nil {
		return nil, err
	}
	if level != unix.SOL_SOCKET {
		return nil, unix.ENOPROTOOPT
	}
	return f.s.base(), nil
}

// GetsockoptLinger reads SO_LINGER.
func (h *Host) GetsockoptLinger(fd, level, opt int) (*unix.Linger, error) {
	b, err := h.solSocket(fd, level)
	if err != nil {
		return nil, err
	}
	if opt != unix.SO_LINGER {
		return nil, unix.ENOPROTOOPT
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	l := b.opts.linger
	return &l, nil
}

// SetsockoptLinger sets SO_LINGER.
func (h *Host) SetsockoptLinger(fd, level, opt int, l *unix.Linger) error {
	b, err := h.solSocket(fd, level)
	if err != nil {
		return err
	}
	if opt != unix.SO_LINGER {
		return unix.ENOPROTOOPT
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.opts.linger = unix.Linger{Onoff: int32(boolInt(l.Onoff != 0)), Linger: l.Linger}
	if l.Linger < 0 {
		b.opts.linger.Linger = 0
	}
	return nil
}

// GetsockoptTimeval reads SO_RCVTIMEO or SO_SNDTIMEO.
func (h *Host) GetsockoptTimeval(fd, level, opt int) (*unix.Timeval, error) {
	b, err := h.solSocket(fd, level)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	var tv unix.Timeval
	switch opt {
	case unix.SO_RCVTIMEO:
		tv = durationTimeval(b.opts.rcvtimeo)
	case unix.SO_SNDTIMEO:
		tv = durationTimeval(b.opts.sndtimeo)
	default:
		return nil, unix.ENOPROTOOPT
	}
	return &tv, nil
}

// SetsockoptTimeval sets SO_RCVTIMEO or SO_SNDTIMEO.
func (h *Host) SetsockoptTimeval(fd, level, opt int, tv *unix.Timeval) error {
	b, err := h.solSocket(fd, level)
	if err != nil {
		return err
	}
	d, err := timevalDuration(tv)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch opt {
	case unix.SO_RCVTIMEO:
		b.opts.rcvtimeo = d
	case unix.SO_SNDTIMEO:
		b.opts.sndtimeo = d
	default:
		return unix.ENOPROTOOPT
	}
	return nil
}

// stringOptioner is implemented by sockets with string options of their
// own (TCP_CONGESTION).
type stringOptioner interface {
	getsockoptString(level, opt int) (string, error)
	setsockoptString(level, opt int, v string) error
}

// GetsockoptString reads a string option: SO_BINDTODEVICE, TCP_CONGESTION.
func (h *Host) GetsockoptString(fd, level, opt int) (string, error) {
	if f, err := h.lookup(fd); err == nil {
		if p, ok := f.s.(stringOptioner); ok {
			if v, err := p.getsockoptString(level, opt); err != errUnhandled {
				return v, err
			}
		}
	}
	b, err := h.solSocket(fd, level)
	if err != nil {
		return "", err
	}
	if opt != unix.SO_BINDTODEVICE {
		return "", unix.ENOPROTOOPT
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.opts.device, nil
}

// SetsockoptString sets a string option: SO_BINDTODEVICE. socket(7): "If
// the name is an empty string ... the socket device binding is removed."
func (h *Host) SetsockoptString(fd, level, opt int, s string) error {
	if f, err := h.lookup(fd); err == nil {
		defer refreshIfListener(f.s)
		if p, ok := f.s.(stringOptioner); ok {
			if err := p.setsockoptString(level, opt, s); err != errUnhandled {
				return err
			}
		}
	}
	b, err := h.solSocket(fd, level)
	if err != nil {
		return err
	}
	if opt != unix.SO_BINDTODEVICE {
		return unix.ENOPROTOOPT
	}
	if i := indexNUL(s); i >= 0 {
		s = s[:i]
	}
	if s != "" && h.net.nicByName(s) == nil {
		return unix.ENODEV
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.opts.device = s
	return nil
}

func indexNUL(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return i
		}
	}
	return -1
}

// GetsockoptUcred reads SO_PEERCRED, which only AF_UNIX sockets have.
func (h *Host) GetsockoptUcred(fd, level, opt int) (*unix.Ucred, error) {
	f, err := h.lookup(fd)
	if err != nil {
		return nil, err
	}
	if p, ok := f.s.(interface{ peerCred() (*unix.Ucred, error) }); ok && level == unix.SOL_SOCKET && opt == unix.SO_PEERCRED {
		return p.peerCred()
	}
	return nil, unix.ENOPROTOOPT
}

// GetsockoptTCPInfo reads TCP_INFO, which only TCP sockets have.
func (h *Host) GetsockoptTCPInfo(fd, level, opt int) (*unix.TCPInfo, error) {
	f, err := h.lookup(fd)
	if err != nil {
		return nil, err
	}
	if p, ok := f.s.(interface{ tcpInfo() *unix.TCPInfo }); ok && level == unix.IPPROTO_TCP && opt == unix.TCP_INFO {
		return p.tcpInfo(), nil
	}
	return nil, unix.ENOPROTOOPT
}

// bytesOptioner is implemented by sockets with byte-string options
// (IP_OPTIONS).
type bytesOptioner interface {
	getsockoptBytes(level, opt, size int) ([]byte, error)
	setsockoptBytes(level, opt int, b []byte) error
}

// GetsockoptBytes reads an option of raw bytes (IP_OPTIONS).
func (h *Host) GetsockoptBytes(fd, level, opt, size int) ([]byte, error) {
	f, err := h.lookup(fd)
	if err != nil {
		return nil, err
	}
	if p, ok := f.s.(bytesOptioner); ok {
		return p.getsockoptBytes(level, opt, size)
	}
	return nil, unix.ENOPROTOOPT
}

// SetsockoptBytes sets an option of raw bytes (IP_OPTIONS).
func (h *Host) SetsockoptBytes(fd, level, opt int, b []byte) error {
	f, err := h.lookup(fd)
	if err != nil {
		return err
	}
	if p, ok := f.s.(bytesOptioner); ok {
		return p.setsockoptBytes(level, opt, b)
	}
	return unix.ENOPROTOOPT
}

// mreqOptioner is implemented by sockets that join multicast groups.
type mreqOptioner interface {
	setMembership(level, opt int, group, iface [16]byte, ifindex int) error
}

// GetsockoptIPMreq is not readable on Linux: ip(7) membership options are
// set-only.
func (h *Host) GetsockoptIPMreq(fd, level, opt int) (*unix.IPMreq, error) {
	if _, err := h.lookup(fd); err != nil {
		return nil, err
	}
	return nil, unix.ENOPROTOOPT
}

// GetsockoptIPMreqn is not readable on Linux (ip(7)).
func (h *Host) GetsockoptIPMreqn(fd, level, opt int) (*unix.IPMreqn, error) {
	if _, err := h.lookup(fd); err != nil {
		return nil, err
	}
	return nil, unix.ENOPROTOOPT
}

// GetsockoptIPv6Mreq is not readable on Linux (ipv6(7)).
func (h *Host) GetsockoptIPv6Mreq(fd, level, opt int) (*unix.IPv6Mreq, error) {
	if _, err := h.lookup(fd); err != nil {
		return nil, err
	}
	return nil, unix.ENOPROTOOPT
}

// SetsockoptIPMreq joins or leaves an IPv4 group: ip(7) IP_ADD_MEMBERSHIP.
func (h *Host) SetsockoptIPMreq(fd, level, opt int, m *unix.IPMreq) error {
	var g, i [16]byte
	copy(g[:], m.Multiaddr[:])
	copy(i[:], m.Interface[:])
	return h.setMembership(fd, level, opt, g, i, 0)
}

// SetsockoptIPMreqn joins or leaves an IPv4 group by interface index.
func (h *Host) SetsockoptIPMreqn(fd, level, opt int, m *unix.IPMreqn) error {
	var g, i [16]byte
	copy(g[:], m.Multiaddr[:])
	copy(i[:], m.Address[:])
	return h.setMembership(fd, level, opt, g, i, int(m.Ifindex))
}

// SetsockoptIPv6Mreq joins or leaves an IPv6 group: ipv6(7).
func (h *Host) SetsockoptIPv6Mreq(fd, level, opt int, m *unix.IPv6Mreq) error {
	return h.setMembership(fd, level, opt, m.Multiaddr, [16]byte{}, int(m.Interface))
}

func (h *Host) setMembership(fd, level, opt int, group, iface [16]byte, ifindex int) error {
	f, err := h.lookup(fd)
	if err != nil {
		return err
	}
	if p, ok := f.s.(mreqOptioner); ok {
		return p.setMembership(level, opt, group, iface, ifindex)
	}
	return unix.ENOPROTOOPT
}
