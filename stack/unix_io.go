package stack

import (
	"golang.org/x/sys/unix"
)

func (s *unixSocket) connect(sa unix.Sockaddr) error {
	name, err := unixName(sa)
	if err != nil {
		return err
	}
	if name == "" {
		return unix.EINVAL
	}
	target, err := s.host.unixNames.lookup(name)
	if err != nil {
		return err
	}
	if target.typ != s.typ {
		// unix(7): "EPROTOTYPE The remote socket does not match the
		// local socket type".
		return unix.EPROTOTYPE
	}
	if s.dgram() {
		s.mu.Lock()
		s.peer, s.peerName, s.connected = target, name, true
		s.mu.Unlock()
		return nil
	}
	return s.connectStream(target, name)
}

// connectStream queues a new server-side socket on the listener's backlog
// and connects s to it. connect(2) on a full backlog blocks, or gives
// EAGAIN when non-blocking.
func (s *unixSocket) connectStream(l *unixSocket, name string) error {
	s.mu.Lock()
	if s.connected {
		s.mu.Unlock()
		return unix.EISCONN
	}
	if s.listening {
		s.mu.Unlock()
		return unix.EINVAL
	}
	myName := s.name
	s.mu.Unlock()
	srv, _ := s.host.newUnix(s.typ, 0)
	srv.connected, srv.peer, srv.peerName, srv.name = true, s, myName, name
	l.mu.Lock()
	if !l.listening || l.released {
		l.mu.Unlock()
		return unix.ECONNREFUSED
	}
	if len(l.backlog) >= l.maxQueue {
		l.mu.Unlock()
		return unix.EAGAIN
	}
	srv.cred = l.cred
	l.backlog = append(l.backlog, srv)
	l.mu.Unlock()
	l.wq.notify()
	s.mu.Lock()
	s.connected, s.peer, s.peerName = true, srv, name
	s.mu.Unlock()
	s.wq.notify()
	return nil
}

func (s *unixSocket) accept() (socket, unix.Sockaddr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.listening {
		return nil, nil, unix.EINVAL
	}
	if len(s.backlog) == 0 {
		return nil, nil, unix.EAGAIN
	}
	c := s.backlog[0]
	s.backlog = s.backlog[1:]
	return c, &unix.SockaddrUnix{Name: c.peerName}, nil
}

// pair connects two fresh sockets to each other: socketpair(2).
func (h *Host) unixPair(typ, proto int) (*unixSocket, *unixSocket, error) {
	a, err := h.newUnix(typ, proto)
	if err != nil {
		return nil, nil, err
	}
	b, _ := h.newUnix(typ, proto)
	a.connected, a.peer, a.paired = true, b, true
	b.connected, b.peer, b.paired = true, a, true
	return a, b, nil
}

func (s *unixSocket) send(p, oob []byte, to unix.Sockaddr, flags int) (int, error) {
	if flags&unix.MSG_OOB != 0 {
		return 0, unix.EOPNOTSUPP
	}
	dst, err := s.destination(to)
	if err != nil {
		return 0, err
	}
	if !s.stream() && len(p) > dst.opts.rcvbuf && s.dgram() {
		return 0, unix.EMSGSIZE
	}
	s.mu.Lock()
	from := s.name
	s.mu.Unlock()
	return dst.deliver(s, from, p)
}

// destination finds where a message goes: the sendto address for a
// datagram socket, else the connected peer.
func (s *unixSocket) destination(to unix.Sockaddr) (*unixSocket, error) {
	s.mu.Lock()
	peer, connected, shut, released := s.peer, s.connected, s.shutWr, s.released
	s.mu.Unlock()
	switch {
	case released:
		return nil, unix.EBADF
	case shut:
		return nil, unix.EPIPE
	case !s.dgram():
		if !connected {
			return nil, unix.ENOTCONN
		}
		if to != nil {
			return nil, unix.EISCONN
		}
		if peer.isReleased() {
			return nil, unix.EPIPE
		}
		return peer, nil
	case to != nil:
		name, err := unixName(to)
		if err != nil {
			return nil, err
		}
		t, err := s.host.unixNames.lookup(name)
		if err == nil && t.typ != s.typ {
			err = unix.EPROTOTYPE
		}
		return t, err
	case peer == nil:
		return nil, unix.ENOTCONN
	case peer.isReleased():
		return nil, unix.ECONNREFUSED
	}
	return peer, nil
}

// deliver queues p on s, sent by sender. A stream takes what fits; a
// message is queued whole or not at all.
func (s *unixSocket) deliver(sender *unixSocket, from string, p []byte) (int, error) {
	s.mu.Lock()
	if s.released || s.shutRd {
		s.mu.Unlock()
		if s.dgram() {
			return 0, unix.ECONNREFUSED
		}
		return 0, unix.EPIPE
	}
	room := s.opts.rcvbuf - s.rqBytes
	n := len(p)
	switch {
	case s.dgram() && len(s.rq) >= unixMaxDgramQlen:
		n = -1
	case s.stream() && room <= 0 && len(p) > 0:
		n = -1
	case s.stream():
		n = min(n, room)
	case s.rqBytes > 0 && len(p) > room:
		n = -1
	}
	if n < 0 {
		s.mu.Unlock()
		return 0, unix.EAGAIN
	}
	if n > 0 || !s.stream() {
		s.rq = append(s.rq, unixMsg{data: append([]byte(nil), p[:n]...), from: from, sender: sender})
		s.rqBytes += n
	}
	s.mu.Unlock()
	s.wq.notify()
	return n, nil
}

func (s *unixSocket) recv(p, oob []byte, flags int) (int, int, int, unix.Sockaddr, error) {
	if flags&unix.MSG_OOB != 0 {
		return 0, 0, 0, nil, unix.EOPNOTSUPP
	}
	s.mu.Lock()
	if s.listening || (!s.dgram() && !s.connected) {
		s.mu.Unlock()
		return 0, 0, 0, nil, unix.EINVAL
	}
	if len(s.rq) == 0 {
		eof := s.shutRd || s.peerShut
		s.mu.Unlock()
		if eof {
			return 0, 0, 0, nil, nil
		}
		return 0, 0, 0, nil, unix.EAGAIN
	}
	var n, rflags int
	var from unix.Sockaddr
	var senders []*unixSocket
	if s.stream() {
		n, senders = s.readStream(p, flags&unix.MSG_PEEK != 0)
	} else {
		m := s.rq[0]
		n = copy(p, m.data)
		if len(m.data) > len(p) {
			rflags |= unix.MSG_TRUNC
		}
		if flags&unix.MSG_TRUNC != 0 {
			n = len(m.data)
		}
		if m.from != "" && flags&msgNoName == 0 {
			from = &unix.SockaddrUnix{Name: m.from}
		}
		if flags&unix.MSG_PEEK == 0 {
			s.rq = s.rq[1:]
			s.rqBytes -= len(m.data)
			senders = append(senders, m.sender)
		}
	}
	s.mu.Unlock()
	// Room was made: wake the senders that may be waiting for it.
	for _, w := range senders {
		if w != nil {
			w.wq.notify()
		}
	}
	return n, 0, rflags, from, nil
}

// readStream copies bytes across queued messages. Call with s.mu held.
func (s *unixSocket) readStream(p []byte, peek bool) (int, []*unixSocket) {
	n := 0
	var senders []*unixSocket
	for i := 0; i < len(s.rq) && n < len(p); i++ {
		m := &s.rq[i]
		c := copy(p[n:], m.data[m.off:])
		n += c
		if peek {
			continue
		}
		m.off += c
		s.rqBytes -= c
		if m.off == len(m.data) && (len(senders) == 0 || senders[len(senders)-1] != m.sender) {
			senders = append(senders, m.sender)
		}
	}
	if !peek {
		for len(s.rq) > 0 && s.rq[0].off == len(s.rq[0].data) {
			s.rq = s.rq[1:]
		}
	}
	return n, senders
}
