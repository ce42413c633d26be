package stack

import (
	"net/netip"

	"golang.org/x/sys/unix"
)

// maxUDPPayload is the largest IPv4 UDP payload: 65535 - 20 - 8 (udp(7):
// EMSGSIZE beyond it).
const maxUDPPayload = 65507

// udpSocket is a SOCK_DGRAM socket of AF_INET or AF_INET6 (udp(7)).
type udpSocket struct {
	dgramBase
	bnd       *binding
	local     netip.AddrPort // the bound address; zero Port until bound
	remote    netip.AddrPort
	connected bool
}

func (h *Host) newUDP(domain int) *udpSocket {
	s := &udpSocket{dgramBase: h.newDgramBase(domain, unix.SOCK_DGRAM, unix.IPPROTO_UDP)}
	return s
}

// udpConflict is Linux's rule for UDP: sockets may share an address and
// port when every one of them set SO_REUSEADDR (socket(7)).
func udpConflict(e, n *binding) bool { return !(e.reuseaddr && n.reuseaddr) }

func (s *udpSocket) bind(sa unix.Sockaddr) error {
	ap, err := toAddrPort(s.domain, sa)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bindLocked(ap)
}

// bindLocked binds to ap (port 0: ephemeral). ip(7): bind fails with
// EINVAL when the socket is already bound, and EADDRNOTAVAIL for an
// address that is not local.
func (s *udpSocket) bindLocked(ap netip.AddrPort) error {
	if s.bnd != nil {
		return unix.EINVAL
	}
	a := ap.Addr()
	if err := checkBind6(s.domain, a, s.ip.v6only); err != nil {
		return err
	}
	if !a.IsUnspecified() && !a.IsMulticast() && !s.host.net.isLocal(a.Unmap()) && !s.host.net.isBroadcast(a.Unmap()) {
		return unix.EADDRNOTAVAIL
	}
	b := &binding{addr: a, owner: s, reuseaddr: s.opts.reuseaddr, v6only: s.ip.v6only}
	port, err := s.host.net.udpPorts.bind(ap.Port(), b)
	if err != nil {
		return err
	}
	s.bnd = b
	s.local = netip.AddrPortFrom(a, port)
	return nil
}

// autobind gives an unbound socket the wildcard address and an ephemeral
// port, as sendto and connect do (udp(7)).
func (s *udpSocket) autobind() error {
	if s.bnd != nil {
		return nil
	}
	return s.bindLocked(netip.AddrPortFrom(unspecified(s.domain), 0))
}

func (s *udpSocket) connect(sa unix.Sockaddr) error {
	if sa == nil {
		return unix.EINVAL
	}
	ap, err := toAddrPort(s.domain, sa)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.autobind(); err != nil {
		return err
	}
	dst := ap.Addr().Unmap()
	if dst.IsUnspecified() {
		// ip(7)/udp(7): connecting to INADDR_ANY means the local host.
		dst = loopbackOf(dst)
	}
	rt, err := s.host.net.route(dst, s.opts.device)
	if err != nil {
		return err
	}
	s.remote = netip.AddrPortFrom(dst, ap.Port())
	s.connected = true
	// udp(7)/ip(7): connect fixes the local address too.
	local := s.local.Addr()
	if local.IsUnspecified() && rt.src.IsValid() && !(local.Is4() && rt.src.Is6()) {
		local = rt.src
		if s.domain == unix.AF_INET6 {
			local = netip.AddrFrom16(local.As16())
		}
		s.local = netip.AddrPortFrom(local, s.local.Port())
	}
	s.host.net.udpPorts.connectBinding(s.bnd, local, s.remote)
	return nil
}

func (s *udpSocket) listen(int) error { return unix.EOPNOTSUPP }

func (s *udpSocket) accept() (socket, unix.Sockaddr, error) { return nil, nil, unix.EOPNOTSUPP }

func (s *udpSocket) shutdown(how int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.connected {
		return unix.ENOTCONN
	}
	if how != unix.SHUT_WR {
		s.shutRd = true
	}
	if how != unix.SHUT_RD {
		s.shutWr = true
	}
	return nil
}

func (s *udpSocket) release() {
	s.mu.Lock()
	b := s.bnd
	s.mu.Unlock()
	if b != nil {
		s.host.net.udpPorts.unbind(s.local.Port(), b)
	}
	s.dgramBase.release()
}

func (s *udpSocket) events() int16 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ev int16
	if s.rq.len() > 0 || s.shutRd {
		ev |= unix.POLLIN | pollRdNorm
	}
	if s.shutRd && s.shutWr {
		ev |= unix.POLLHUP
	}
	if s.shutRd {
		ev |= unix.POLLRDHUP
	}
	ev |= unix.POLLOUT | pollWrNorm
	if s.soErr != 0 {
		ev |= unix.POLLERR
	}
	return ev
}

func (s *udpSocket) sockname() (unix.Sockaddr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ap := s.local
	if s.bnd == nil {
		ap = netip.AddrPortFrom(unspecified(s.domain), 0)
	}
	return toSockaddr(s.domain, ap), nil
}

func (s *udpSocket) peername() (unix.Sockaddr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.connected {
		return nil, unix.ENOTCONN
	}
	return toSockaddr(s.domain, s.remote), nil
}

func (s *udpSocket) getsockoptInt(level, opt int) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ip.get(&s.sockBase, level, opt)
}

func (s *udpSocket) setsockoptInt(level, opt, v int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ip.set(&s.sockBase, level, opt, v, s.bnd != nil)
}
