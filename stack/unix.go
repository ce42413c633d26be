package stack

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/sys/unix"
)

// unix(7) limits: net.unix.max_dgram_qlen bounds a datagram socket's
// receive queue; the receive buffer bounds the bytes queued.
const unixMaxDgramQlen = 512

// unixMsg is one message in an AF_UNIX receive queue. Stream sockets read
// across messages; datagram and seqpacket sockets one message per call.
type unixMsg struct {
	data   []byte
	off    int         // bytes of data already read (stream)
	from   string      // the sender's name; "" if unnamed
	sender *unixSocket // woken when the message leaves the queue
}

// unixNames is a host's AF_UNIX namespace: abstract names, and pathnames
// whose socket inodes live in the real filesystem.
type unixNames struct {
	mu    sync.Mutex
	names map[string]*unixSocket
	rng   *rand.Rand
}

// unixSocket is an AF_UNIX socket of any type (unix(7)).
type unixSocket struct {
	sockBase
	name      string // bound name: "@..." abstract, a path, or ""
	listening bool
	backlog   []*unixSocket // connections waiting for accept
	maxQueue  int
	connected bool
	peer      *unixSocket // the connected peer (stream, seqpacket) or default destination (dgram)
	peerName  string
	rq        []unixMsg
	rqBytes   int
	shutRd    bool
	shutWr    bool
	peerShut  bool // the peer shut down writing or closed
	paired    bool // made by socketpair(2), which sets peer credentials for every type
	released  bool
	cred      unix.Ucred
}

func (h *Host) newUnix(typ, proto int) (*unixSocket, error) {
	if proto != 0 && proto != unix.PF_UNIX {
		return nil, unix.EPROTONOSUPPORT
	}
	switch typ {
	case unix.SOCK_STREAM, unix.SOCK_DGRAM, unix.SOCK_SEQPACKET:
	default:
		return nil, unix.ESOCKTNOSUPPORT
	}
	s := &unixSocket{sockBase: h.newBase(unix.AF_UNIX, typ, 0)}
	s.cred = unix.Ucred{Pid: int32(os.Getpid()), Uid: uint32(os.Getuid()), Gid: uint32(os.Getgid())}
	return s, nil
}

func (s *unixSocket) stream() bool { return s.typ == unix.SOCK_STREAM }
func (s *unixSocket) dgram() bool  { return s.typ == unix.SOCK_DGRAM }

// unixName validates a sockaddr_un. unix(7): a name beginning with NUL
// (written "@" by x/sys/unix) is abstract; anything else is a pathname.
func unixName(sa unix.Sockaddr) (string, error) {
	u, ok := sa.(*unix.SockaddrUnix)
	if !ok {
		return "", unix.EINVAL
	}
	if u.Name == "" {
		return "", nil
	}
	if u.Name[0] == '@' || u.Name[0] == 0 {
		return "@" + u.Name[1:], nil
	}
	return filepath.Clean(u.Name), nil
}

func (n *unixNames) init(seed uint64) {
	n.names = make(map[string]*unixSocket)
	n.rng = rand.New(rand.NewPCG(seed, 0xa5a5))
}

// lookup finds the socket bound to name. unix(7): a pathname that does not
// exist is ENOENT; one whose socket is gone is ECONNREFUSED.
func (n *unixNames) lookup(name string) (*unixSocket, error) {
	n.mu.Lock()
	s := n.names[name]
	n.mu.Unlock()
	if name[0] != '@' {
		if _, err := os.Lstat(name); err != nil {
			return nil, unix.ENOENT
		}
	}
	if s == nil || s.isReleased() {
		return nil, unix.ECONNREFUSED
	}
	return s, nil
}

func (s *unixSocket) isReleased() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.released
}

// bindName claims name for s, making the socket inode of a pathname.
// unix(7)/bind(2): EADDRINUSE when the path or abstract name exists.
func (n *unixNames) bindName(s *unixSocket, name string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if name == "" {
		// unix(7) autobind: "an abstract name ... of 5 bytes in the
		// character set [0-9a-f]".
		for {
			name = fmt.Sprintf("@%05x", n.rng.IntN(1<<20))
			if n.names[name] == nil {
				break
			}
		}
	} else if name[0] == '@' {
		if old := n.names[name]; old != nil && !old.isReleased() {
			return unix.EADDRINUSE
		}
	} else {
		// mknod(2): a socket inode needs no privilege; umask applies.
		if err := unix.Mknod(name, unix.S_IFSOCK|0o777, 0); err != nil {
			if err == unix.EEXIST {
				return unix.EADDRINUSE
			}
			return err
		}
	}
	n.names[name] = s
	s.name = name
	return nil
}

func (n *unixNames) release(s *unixSocket) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if s.name != "" && n.names[s.name] == s {
		if s.name[0] == '@' {
			// unix(7): an abstract name disappears with its socket;
			// a pathname's inode stays until unlinked.
			delete(n.names, s.name)
		}
	}
}

func (s *unixSocket) bind(sa unix.Sockaddr) error {
	name, err := unixName(sa)
	if err != nil {
		return err
	}
	s.mu.Lock()
	bound := s.name != ""
	s.mu.Unlock()
	if bound {
		return unix.EINVAL
	}
	if name == "" {
		return s.host.unixNames.bindName(s, "")
	}
	return s.host.unixNames.bindName(s, name)
}

// autobind names an unnamed socket, as sending on a SO_PASSCRED socket
// or binding an empty address does.
func (s *unixSocket) autobind() error {
	s.mu.Lock()
	bound := s.name != ""
	s.mu.Unlock()
	if bound {
		return nil
	}
	return s.host.unixNames.bindName(s, "")
}

func (s *unixSocket) listen(backlog int) error {
	if s.dgram() {
		return unix.EOPNOTSUPP
	}
	if err := s.autobind(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.connected {
		return unix.EINVAL
	}
	s.listening = true
	s.maxQueue = min(max(backlog, 0), 4096) + 1
	return nil
}

func (s *unixSocket) sockname() (unix.Sockaddr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &unix.SockaddrUnix{Name: s.name}, nil
}

func (s *unixSocket) peername() (unix.Sockaddr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.connected {
		return nil, unix.ENOTCONN
	}
	return &unix.SockaddrUnix{Name: s.peerName}, nil
}

func (s *unixSocket) peerCred() (*unix.Ucred, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.peer == nil || (s.dgram() && !s.paired) {
		// unix(7) SO_PEERCRED: for a socket that is not connected the
		// kernel returns pid 0 and uid/gid -1.
		return &unix.Ucred{Pid: 0, Uid: ^uint32(0), Gid: ^uint32(0)}, nil
	}
	c := s.peer.cred
	return &c, nil
}

func (s *unixSocket) shutdown(how int) error {
	s.mu.Lock()
	if !s.connected {
		s.mu.Unlock()
		return unix.ENOTCONN
	}
	if how != unix.SHUT_WR {
		s.shutRd = true
	}
	if how != unix.SHUT_RD {
		s.shutWr = true
	}
	peer := s.peer
	wr := s.shutWr
	s.mu.Unlock()
	if peer != nil && !s.dgram() && wr {
		peer.mu.Lock()
		peer.peerShut = true
		peer.mu.Unlock()
		peer.wq.notify()
	}
	return nil
}

func (s *unixSocket) release() {
	s.host.unixNames.release(s)
	s.mu.Lock()
	s.released = true
	peer, backlog := s.peer, s.backlog
	s.backlog, s.rq = nil, nil
	s.mu.Unlock()
	for _, c := range backlog {
		c.release()
	}
	if peer != nil && !s.dgram() {
		peer.mu.Lock()
		peer.peerShut = true
		peer.mu.Unlock()
		peer.wq.notify()
	}
}

func (s *unixSocket) events() int16 {
	s.mu.Lock()
	var ev int16
	if s.listening {
		if len(s.backlog) > 0 {
			ev |= unix.POLLIN | pollRdNorm
		}
		s.mu.Unlock()
		return ev
	}
	if len(s.rq) > 0 || s.shutRd || s.peerShut {
		ev |= unix.POLLIN | pollRdNorm
	}
	if s.peerShut || s.shutRd {
		ev |= unix.POLLRDHUP
	}
	// socket(7)/unix(7): POLLHUP once neither direction can carry data.
	if !s.dgram() && s.connected && s.peerShut && s.shutWr {
		ev |= unix.POLLHUP
	}
	peer, canWrite := s.peer, !s.shutWr
	dgramUnconnected := s.dgram() && s.peer == nil
	s.mu.Unlock()
	// Never hold two sockets' locks: the peer is asked after unlocking.
	if dgramUnconnected || (peer != nil && canWrite && peer.hasRoom(0)) {
		ev |= unix.POLLOUT | pollWrNorm
	}
	return ev
}

// hasRoom reports whether s can queue n more bytes.
func (s *unixSocket) hasRoom(n int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dgram() && len(s.rq) >= unixMaxDgramQlen {
		return false
	}
	return s.rqBytes == 0 || s.rqBytes+n <= s.opts.rcvbuf
}

func (s *unixSocket) ioctlInt(req uint) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch req {
	case unix.SIOCINQ:
		if !s.stream() && len(s.rq) > 0 {
			return len(s.rq[0].data), nil
		}
		return s.rqBytes, nil
	case unix.SIOCOUTQ:
		return 0, nil
	}
	return 0, unix.ENOTTY
}
