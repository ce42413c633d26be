package stack

import (
	"time"

	"golang.org/x/sys/unix"

	"sockstack/stack/proto/tcp"
)

func (s *tcpSocket) send(p, oob []byte, to unix.Sockaddr, flags int) (int, error) {
	s.mu.Lock()
	if s.conn == nil {
		s.mu.Unlock()
		// tcp(7)/send(2): Linux answers EPIPE on a socket that never
		// connected.
		return 0, unix.EPIPE
	}
	n, err := s.conn.Write(p)
	if n > 0 && flags&unix.MSG_OOB != 0 {
		// send(2) MSG_OOB: "Sends out-of-band data"; tcp(7): the last
		// byte sent is the urgent byte. A send that waits for room
		// marks each part, so the mark ends at the last byte, as on
		// Linux.
		s.conn.MarkUrgent()
	}
	var b *tcpBatch
	if n > 0 {
		b = s.flush(time.Now())
	}
	s.mu.Unlock()
	s.host.net.sendBatch(b)
	return n, err
}

func (s *tcpSocket) recv(p, oob []byte, flags int) (int, int, int, unix.Sockaddr, error) {
	if flags&unix.MSG_OOB != 0 {
		n, rflags, err := s.recvOOB(p, flags)
		return n, 0, rflags, nil, err
	}
	s.mu.Lock()
	if s.conn == nil {
		s.mu.Unlock()
		return 0, 0, 0, nil, unix.ENOTCONN
	}
	if lowat := s.opts.rcvlowat; lowat > 1 && flags&msgLowatOK == 0 {
		// socket(7) SO_RCVLOWAT: a blocking read waits until lowat
		// bytes are there (or EOF, an error, or the timeout).
		r := s.conn.Readable()
		// tcp(7): a read stops at the urgent mark, low water or not.
		mark, ok := s.conn.ToMark()
		toMark := ok && mark > 0 && mark <= r
		if r > 0 && r < min(lowat, len(p)) && !toMark && s.conn.Events()&(unix.POLLRDHUP|unix.POLLERR|unix.POLLHUP) == 0 {
			s.mu.Unlock()
			return 0, 0, 0, nil, unix.EAGAIN
		}
	}
	buf := p
	if flags&unix.MSG_TRUNC != 0 && flags&unix.MSG_PEEK == 0 {
		// tcp(7) MSG_TRUNC: "the received data is discarded"; p may be
		// nil, so read into a scratch buffer of the asked length.
		buf = make([]byte, len(p))
	}
	n, err := s.conn.Read(buf, flags&unix.MSG_PEEK != 0)
	var b *tcpBatch
	if n > 0 && flags&unix.MSG_PEEK == 0 {
		b = s.flush(time.Now()) // a window update may be due
	}
	s.mu.Unlock()
	s.host.net.sendBatch(b)
	return n, 0, 0, nil, err
}

// recvOOB is recv(2) with MSG_OOB on TCP (tcp(7) "Urgent data"): the one
// out-of-band byte, EINVAL when there is none (or SO_OOBINLINE is set),
// EAGAIN when it is announced but has not arrived. It never blocks.
func (s *tcpSocket) recvOOB(p []byte, flags int) (int, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.lst != nil:
		return 0, 0, unix.ENOTCONN // recv(2) on a listening socket
	case s.conn == nil:
		return 0, 0, unix.EINVAL // no urgent data on a socket never connected
	}
	var one [1]byte
	buf := p
	if flags&unix.MSG_TRUNC != 0 && len(p) > 0 {
		buf = one[:] // MSG_TRUNC: the byte is taken but not copied
	}
	return s.conn.ReadUrgent(buf, flags&unix.MSG_PEEK != 0)
}

// atMark reports whether the read position is at the urgent mark, where
// recv(2) with MSG_WAITALL returns early (tcp(7): "a read never reads
// across the urgent mark").
func (s *tcpSocket) atMark() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn != nil && s.conn.AtMark()
}

func (s *tcpSocket) shutdown(how int) error {
	s.mu.Lock()
	if s.conn == nil {
		s.mu.Unlock()
		return unix.ENOTCONN
	}
	err := s.conn.Shutdown(how)
	b := s.flush(time.Now())
	s.mu.Unlock()
	s.host.net.sendBatch(b)
	return err
}

// release is close(2) on the last descriptor. socket(7) SO_LINGER: with a
// zero timeout the connection is reset; with a positive one close waits
// until the data is sent or the timeout passes.
func (s *tcpSocket) release() {
	now := time.Now()
	n := &s.host.net
	s.mu.Lock()
	s.released = true
	var b *tcpBatch
	var children []*tcpSocket
	linger := s.opts.linger
	switch {
	case s.lst != nil:
		children = s.acceptQ
		s.acceptQ = nil
		s.lst = nil
		if s.timer != nil {
			s.timer.Stop()
		}
	case s.conn != nil && linger.Onoff != 0 && linger.Linger == 0:
		s.conn.Abort()
		b = s.flush(now)
	case s.conn != nil:
		s.conn.Close(now)
		b = s.flush(now)
	}
	dead := s.reapable()
	s.mu.Unlock()
	n.sendBatch(b)
	s.wq.notify()
	for _, c := range children {
		// tcp(7): connections never accepted are reset on close.
		c.mu.Lock()
		c.opts.linger = unix.Linger{Onoff: 1}
		c.mu.Unlock()
		c.release()
	}
	if dead {
		s.reap()
		return
	}
	if linger.Onoff != 0 && linger.Linger > 0 {
		s.lingerWait(time.Duration(linger.Linger) * time.Second)
	}
}

// lingerWait blocks until the connection has sent everything (FIN-WAIT-2,
// TIME-WAIT or CLOSED) or the timeout passes.
func (s *tcpSocket) lingerWait(d time.Duration) {
	h := s.host
	w := h.waiters.get()
	s.wq.add(w)
	defer func() {
		s.wq.remove(w)
		h.waiters.put(w)
	}()
	deadline := time.Now().Add(d)
	for {
		s.mu.Lock()
		st := tcp.Closed
		if s.conn != nil {
			st = s.conn.State()
		}
		s.mu.Unlock()
		if st == tcp.Closed || st == tcp.TimeWait || st == tcp.FinWait2 {
			return
		}
		if !w.sleep(deadline) {
			return
		}
	}
}

func (s *tcpSocket) ioctlInt(req uint) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lst != nil && req != unix.SIOCATMARK {
		return 0, unix.EINVAL // tcp(7): ioctls on a listening socket
	}
	switch req {
	case unix.SIOCINQ:
		if s.conn == nil {
			return 0, nil
		}
		return s.conn.Readable(), nil
	case unix.SIOCOUTQ:
		if s.conn == nil {
			return 0, nil
		}
		// tcp(7) SIOCOUTQ: "the amount of unsent data in the socket send
		// queue" — on Linux, everything not yet acknowledged.
		return s.conn.Queued(), nil
	case unix.SIOCATMARK:
		// tcp(7) SIOCATMARK: "Returns true (i.e., a nonzero value) if the
		// inbound data stream is at the urgent mark."
		if s.conn == nil {
			return 0, nil
		}
		return boolInt(s.conn.AtMark()), nil
	}
	return 0, unix.ENOTTY
}

func (s *tcpSocket) tcpInfo() *unix.TCPInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		i := unix.TCPInfo{State: 7} // TCP_CLOSE
		if s.lst != nil {
			i.State = 10 // TCP_LISTEN
		}
		return &i
	}
	i := s.conn.Info()
	return &i
}
