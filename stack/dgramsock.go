package stack

import (
	"time"

	"golang.org/x/sys/unix"
)

// dgramBase is what UDP and raw sockets share: IP options, the receive
// queue of whole datagrams, timestamps, shutdown state and multicast
// memberships.
type dgramBase struct {
	sockBase
	ip       ipOptions
	rq       dgramQueue
	stamp    stamper
	mc       mcastOpts
	shutRd   bool
	shutWr   bool
	released bool
}

func (h *Host) newDgramBase(domain, typ, proto int) dgramBase {
	return dgramBase{sockBase: h.newBase(domain, typ, proto), ip: defaultIPOptions()}
}

// recv takes the next datagram (recvmsg(2)); MSG_OOB has no meaning here
// and MSG_ERRQUEUE finds nothing (IP_RECVERR's queue is not kept yet).
func (s *dgramBase) recv(p, oob []byte, flags int) (int, int, int, unix.Sockaddr, error) {
	if flags&unix.MSG_OOB != 0 {
		return 0, 0, 0, nil, unix.EOPNOTSUPP
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if flags&unix.MSG_ERRQUEUE != 0 {
		return 0, 0, 0, nil, unix.EAGAIN
	}
	n, rflags, from, d, err := s.dgramRecv(&s.rq, &s.host.net.bufs, p, flags, s.shutRd || s.released)
	if err == nil && flags&unix.MSG_PEEK == 0 {
		s.stamp.read(d.stamp)
	}
	return n, 0, rflags, from, err
}

func (s *dgramBase) lastStamp() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stamp.last()
}

// ioctlInt answers FIONREAD with the size of the next datagram (udp(7))
// and SIOCOUTQ with zero: nothing waits in a send queue.
func (s *dgramBase) ioctlInt(req uint) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch req {
	case unix.SIOCINQ:
		if d := s.rq.peek(); d != nil {
			return d.n, nil
		}
		return 0, nil
	case unix.SIOCOUTQ:
		return 0, nil
	}
	return 0, unix.ENOTTY
}

func (s *dgramBase) setMembership(level, opt int, group, iface [16]byte, ifindex int) error {
	return s.sockBase.setMembership(&s.mc, &s.ip, level, opt, group, iface, ifindex)
}

// release leaves the socket's groups and frees its queue.
func (s *dgramBase) release() {
	s.mu.Lock()
	joined := s.mc.joined
	s.mc.joined = nil
	s.released = true
	for s.rq.len() > 0 {
		s.host.net.bufs.put(s.rq.pop().buf)
	}
	s.mu.Unlock()
	s.host.net.leave(joined)
}

// getsockoptBytes reads IP_OPTIONS (ip(7)).
func (s *dgramBase) getsockoptBytes(level, opt, size int) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ip.getOptions(level, opt, size)
}

// setsockoptBytes sets IP_OPTIONS (ip(7)): "Set or get the IP options to be
// sent with every packet from this socket".
func (s *dgramBase) setsockoptBytes(level, opt int, b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ip.setOptions(level, opt, b)
}
