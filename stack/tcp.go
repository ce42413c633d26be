package stack

import (
	"crypto/rand"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/stack/proto/tcp"
)

// Linux's TCP buffer defaults (tcp(7) tcp_rmem and tcp_wmem, the middle
// value), which getsockopt reports for a fresh socket.
const (
	tcpRcvBufDefault = 131072
	tcpSndBufDefault = 16384
	tcpMSSDefault    = 536 // TCP_MAXSEG before a connection: TCP_MSS_DEFAULT
	// tcpSndBufMax is tcp_wmem's maximum, up to which the send buffer of
	// a socket whose SO_SNDBUF was never set grows (tcp(7)).
	tcpSndBufMax = 4 << 20
	// tcpRcvBufMax is tcp_rmem's maximum, up to which the receive buffer
	// of a socket whose SO_RCVBUF was never set grows (tcp(7)).
	tcpRcvBufMax = 6 << 20
)

// tcpKey names a connection by its 4-tuple.
type tcpKey struct{ local, remote netip.AddrPort }

// tcpState is the host's TCP demultiplexing state.
type tcpState struct {
	ports  *portTable
	mu     sync.RWMutex
	conns  map[tcpKey]*tcpSocket
	secret [16]byte // keys ISNs (RFC 6528) and SYN cookies (RFC 4987)
}

func (t *tcpState) init(seed uint64) {
	t.ports = newPortTable(seed, tcpConflict)
	t.conns = make(map[tcpKey]*tcpSocket)
	rand.Read(t.secret[:])
}

// tcpConflict is Linux's bind rule for TCP (socket(7) SO_REUSEADDR): two
// sockets may share an address and port when both set SO_REUSEADDR and
// the existing one is not listening; a connection in TIME-WAIT does not
// block a socket that sets SO_REUSEADDR.
func tcpConflict(e, n *binding) bool {
	if n.reuseaddr && !e.listening {
		if e.reuseaddr {
			return false
		}
		if e.timeWait.Load() {
			return false
		}
	}
	return true
}

// tcpSocket is a SOCK_STREAM socket of AF_INET (tcp(7)): before connect or
// listen it holds options; then it drives a tcp.Conn or tcp.Listener.
type tcpSocket struct {
	sockBase
	ip  ipOptions
	cfg tcp.Config

	bnd      *binding
	local    netip.AddrPort
	conn     *tcp.Conn
	lst      *tcp.Listener
	acceptQ  []*tcpSocket
	timer    *time.Timer
	backlog  int32 // listen(2)'s, capped at SOMAXCONN
	released bool
	inDemux  bool
	// reported is set once connect(2) has reported the connection
	// established, so the next connect says EISCONN.
	reported bool
	key      tcpKey
	out      []*pkt // segments built under mu, sent after unlocking
}

func (h *Host) newTCP(domain int) *tcpSocket {
	s := &tcpSocket{sockBase: h.newBase(domain, unix.SOCK_STREAM, unix.IPPROTO_TCP), ip: defaultIPOptions()}
	s.opts.rcvbuf, s.opts.sndbuf = tcpRcvBufDefault, tcpSndBufDefault
	s.cfg = tcp.Config{WindowScale: true, Timestamps: true, SACK: true}
	return s
}

// mssFor returns the MSS for an MTU: RFC 9293 §3.7.1, the MTU less the
// fixed IP header (20 or 40 bytes) and the 20-byte TCP header.
func mssFor(mtu int, remote netip.Addr) int {
	hdr := 40
	if remote.Is6() && !remote.Is4In6() {
		hdr = 60
	}
	return min(mtu-hdr, 65535-hdr)
}

// config returns the tcp.Config for a new connection from the socket's
// options. Call with s.mu held.
func (s *tcpSocket) config() tcp.Config {
	c := s.cfg
	c.SndBuf, c.RcvBuf = s.opts.sndbuf, s.opts.rcvbuf
	if !s.opts.sndbufLock {
		c.SndBufMax = tcpSndBufMax
	}
	if !s.opts.rcvbufLock {
		c.RcvBufMax = tcpRcvBufMax
	}
	c.KeepAlive = s.opts.keepalive
	c.Secret = s.host.net.tcp.secret
	return c
}

func (s *tcpSocket) bind(sa unix.Sockaddr) error {
	ap, err := toAddrPort(s.domain, sa)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bnd != nil || s.conn != nil {
		return unix.EINVAL
	}
	return s.bindLocked(ap)
}

func (s *tcpSocket) bindLocked(ap netip.AddrPort) error {
	if err := checkBind6(s.domain, ap.Addr(), s.ip.v6only); err != nil {
		return err
	}
	a := ap.Addr().Unmap()
	if !a.IsUnspecified() && !s.host.net.isLocal(a) {
		return unix.EADDRNOTAVAIL
	}
	b := &binding{addr: a, owner: s, reuseaddr: s.opts.reuseaddr, v6only: s.ip.v6only}
	port, err := s.host.net.tcp.ports.bind(ap.Port(), b)
	if err != nil {
		return err
	}
	s.bnd = b
	s.local = netip.AddrPortFrom(a, port)
	return nil
}

// bindConnect binds an unbound socket to the wildcard address and an
// ephemeral port chosen for a connection from src to remote (RFC 6056
// §3.3.4). Call with s.mu held.
func (s *tcpSocket) bindConnect(src netip.Addr, remote netip.AddrPort) error {
	a := unspecified(s.domain).Unmap()
	b := &binding{addr: a, owner: s, reuseaddr: s.opts.reuseaddr, v6only: s.ip.v6only}
	port, err := s.host.net.tcp.ports.bindConnect(b, src, remote)
	if err != nil {
		return err
	}
	s.bnd = b
	s.local = netip.AddrPortFrom(a, port)
	return nil
}

func (s *tcpSocket) listen(backlog int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		return unix.EINVAL
	}
	// listen(2): "If the backlog argument is greater than the value in
	// /proc/sys/net/core/somaxconn, then it is silently capped".
	backlog = min(max(backlog, 0), 4096)
	if s.lst != nil {
		s.backlog = int32(backlog)
		return nil
	}
	if s.bnd == nil {
		if err := s.bindLocked(netip.AddrPortFrom(unspecified(s.domain), 0)); err != nil {
			return err
		}
	}
	s.host.net.tcp.ports.setListening(s.bnd, true)
	s.backlog = int32(backlog)
	s.lst = tcp.NewListener(s.listenConfig(), s.local, backlog)
	return nil
}

// listenConfig is the Config a listener's accepted connections start
// from. Call with s.mu held.
func (s *tcpSocket) listenConfig() tcp.Config {
	cfg := s.config()
	if s.cfg.MSS == 0 {
		// A listener answers on any interface: advertise what the largest
		// MTU allows; each peer's own MSS bounds what we send it.
		cfg.MSS = mssFor(s.host.net.maxMTU(), s.local.Addr())
	}
	return cfg
}

// refreshListener hands a listening socket's options to its listener, so
// that connections accepted later inherit options set after listen(2), as
// on Linux. Call with s.mu held.
func (s *tcpSocket) refreshListener() {
	if s.lst != nil {
		s.lst.SetConfig(s.listenConfig())
	}
}

func (s *tcpSocket) connect(sa unix.Sockaddr) error {
	ap, err := toAddrPort(s.domain, sa)
	if err != nil {
		return err
	}
	n := &s.host.net
	s.mu.Lock()
	switch {
	case s.lst != nil:
		s.mu.Unlock()
		return unix.EISCONN
	case s.conn != nil && s.conn.State() == tcp.SynSent:
		s.mu.Unlock()
		return unix.EALREADY
	case s.conn != nil && s.conn.State() != tcp.Closed:
		// connect(2) after a non-blocking connect completed reports
		// success once, then EISCONN (Linux's SS_CONNECTING rule).
		first := !s.reported
		s.reported = true
		s.mu.Unlock()
		if first {
			return nil
		}
		return unix.EISCONN
	}
	if s.ip.v6only && ap.Addr().Is4In6() {
		s.mu.Unlock()
		return unix.ENETUNREACH
	}
	remote := netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	if remote.Addr().IsUnspecified() {
		remote = netip.AddrPortFrom(loopbackOf(remote.Addr()), remote.Port())
	}
	rt, err := n.route(remote.Addr(), s.opts.device)
	if err == nil && s.bnd == nil {
		err = s.bindConnect(rt.src, remote)
	}
	if err != nil {
		s.mu.Unlock()
		return err
	}
	local := netip.AddrPortFrom(s.local.Addr().Unmap(), s.local.Port())
	if local.Addr().IsUnspecified() || local.Addr().Is4() != remote.Addr().Is4() {
		local = netip.AddrPortFrom(rt.src, local.Port())
	}
	now := time.Now()
	cfg := s.config()
	cfg.ISS = tcp.ISN(n.tcp.secret, local, remote, now) // RFC 6528
	if s.cfg.MSS == 0 {
		// RFC 9293 §3.7.1 / RFC 6691: advertise the MSS the route's MTU
		// allows, less the fixed IP and TCP headers.
		cfg.MSS = mssFor(rt.nic.mtu, remote.Addr())
	}
	if !n.tcp.register(s, tcpKey{local, remote}) {
		s.mu.Unlock()
		return unix.EADDRNOTAVAIL
	}
	s.local = local
	s.conn = tcp.Dial(cfg, local, remote, now)
	b := s.flush(now)
	s.mu.Unlock()
	n.sendBatch(b)
	return unix.EINPROGRESS
}

// connectDone reports the outcome of a connect that was waited for.
func (s *tcpSocket) connectDone() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reported = true
	if err := s.conn.Err(); err != nil {
		return err
	}
	if s.conn.State() == tcp.Closed {
		return unix.ECONNREFUSED
	}
	return nil
}

// stopTimers sets stopped and stops every TCP socket's timer, so that a
// stopped host's connections (TIME-WAIT lasts a minute) neither fire into
// it nor keep it in memory. Sockets arm no timer once stopped is set.
func (t *tcpState) stopTimers(stopped *atomic.Bool) {
	stopped.Store(true)
	var socks []*tcpSocket
	t.mu.RLock()
	for _, s := range t.conns {
		socks = append(socks, s)
	}
	t.mu.RUnlock()
	t.ports.mu.Lock()
	for _, list := range t.ports.binds {
		for _, b := range list {
			if s, ok := b.owner.(*tcpSocket); ok {
				socks = append(socks, s)
			}
		}
	}
	t.ports.mu.Unlock()
	for _, s := range socks {
		s.mu.Lock()
		if s.timer != nil {
			s.timer.Stop()
		}
		s.mu.Unlock()
	}
}

// register adds s to the demux under key, unless the 4-tuple is taken.
func (t *tcpState) register(s *tcpSocket, key tcpKey) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.conns[key] != nil {
		return false
	}
	t.conns[key] = s
	s.key, s.inDemux = key, true
	return true
}

func (t *tcpState) unregister(s *tcpSocket) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s.inDemux && t.conns[s.key] == s {
		delete(t.conns, s.key)
	}
	s.inDemux = false
}

func (s *tcpSocket) accept() (socket, unix.Sockaddr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lst == nil {
		return nil, nil, unix.EINVAL
	}
	if len(s.acceptQ) == 0 {
		return nil, nil, unix.EAGAIN
	}
	c := s.acceptQ[0]
	s.acceptQ[0] = nil
	s.acceptQ = s.acceptQ[1:]
	return c, toSockaddr(s.domain, c.key.remote), nil
}

func (s *tcpSocket) sockname() (unix.Sockaddr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ap := s.local
	if s.bnd == nil && s.conn == nil {
		ap = netip.AddrPortFrom(unspecified(s.domain), 0)
	}
	return toSockaddr(s.domain, ap), nil
}

func (s *tcpSocket) peername() (unix.Sockaddr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil || s.conn.State() == tcp.SynSent || s.conn.State() == tcp.Closed {
		return nil, unix.ENOTCONN
	}
	return toSockaddr(s.domain, s.key.remote), nil
}

func (s *tcpSocket) events() int16 {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.lst != nil:
		if len(s.acceptQ) > 0 {
			return unix.POLLIN | pollRdNorm
		}
		return 0
	case s.conn == nil:
		// tcp_poll: a socket that never connected is closed: POLLHUP, and
		// writable as far as buffer space goes.
		return unix.POLLOUT | pollWrNorm | unix.POLLHUP
	}
	ev := s.conn.Events()
	if ev&unix.POLLIN != 0 {
		ev |= pollRdNorm
	}
	if ev&unix.POLLOUT != 0 {
		ev |= pollWrNorm
	}
	return ev
}
