package inetd

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// udpBatch bounds the datagrams one socket is served per poll, so that a
// flood on one service does not starve the others.
const udpBatch = 64

// Serve runs the services until ctx is cancelled, calling Listen first if
// it has not been called. On return every socket is closed and every TCP
// connection's goroutine has ended. Cancellation returns nil.
func (s *Server) Serve(ctx context.Context) error {
	if s.fds == nil {
		if _, err := s.Listen(); err != nil {
			return err
		}
	}
	s.rng = rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x636867))
	s.pattern = chargenPattern()
	var conns sync.WaitGroup
	// Deferred calls run last-in first-out: the sockets close first, so
	// new connections are refused, then the connections are waited for.
	defer conns.Wait()
	defer s.Close()
	pfds := make([]unix.PollFd, len(s.fds))
	buf := make([]byte, 64<<10)
	for {
		for i, fd := range s.fds {
			pfds[i] = unix.PollFd{Fd: int32(fd), Events: unix.POLLIN}
		}
		n, err := s.API.Poll(pfds, pollInterval)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, unix.EINTR) || n == 0 {
			continue
		}
		if err != nil {
			return fmt.Errorf("inetd: poll: %w", err)
		}
		for i, p := range pfds {
			if p.Revents == 0 {
				continue
			}
			b := s.bindings[i]
			c := &conn{api: s.API, fd: s.fds[i]}
			if b.Network == "udp" {
				err = s.serveDatagrams(ctx, c, b.Service, buf)
			} else {
				err = s.accept(ctx, c, b.Service, &conns)
			}
			if err != nil {
				return err
			}
		}
	}
}

// serveDatagrams answers the datagrams queued on c, up to udpBatch. Only a
// broken socket is an error; a failed reply is logged.
func (s *Server) serveDatagrams(ctx context.Context, c *conn, svc Service, buf []byte) error {
	st := &s.stats[svc]
	for range udpBatch {
		n, from, err := s.API.Recvfrom(c.fd, buf, 0)
		switch {
		case errors.Is(err, unix.EAGAIN):
			return nil
		// udp(7): ECONNREFUSED reports an ICMP error for an earlier
		// reply; it concerns that client, not the service.
		case errors.Is(err, unix.ECONNREFUSED), errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			return fmt.Errorf("inetd: udp %s: recvfrom: %w", svc, err)
		}
		st.datagrams.Add(1)
		peer := addrPort(from)
		if loops(peer.Port()) {
			continue
		}
		reply, ok := s.datagramReply(svc, buf[:n], buf[n:])
		if !ok {
			continue
		}
		if err := c.sendto(ctx, reply, from); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			s.logf("udp %s: sendto %v: %v", svc, peer, err)
			continue
		}
		st.replies.Add(1)
	}
	return nil
}

// loops reports whether a datagram from port must go unanswered: a reply
// to port 0 cannot be delivered, and a reply to another small service
// starts an endless exchange (CERT CA-1996-01, "UDP Port Denial-of-Service
// Attack": echo and chargen answering each other).
func loops(port uint16) bool {
	switch port {
	case 0, Echo.Port(), Discard.Port(), Daytime.Port(), Chargen.Port():
		return true
	}
	return false
}

// datagramReply returns the reply to a datagram with payload in, built in
// spare if needed, and whether there is one.
func (s *Server) datagramReply(svc Service, in, spare []byte) ([]byte, bool) {
	switch svc {
	case Echo:
		// RFC 862: "When a datagram is received, the data from it is
		// sent back in an answering datagram."
		return in, true
	case Daytime:
		// RFC 867: "An answering datagram is sent containing the
		// current date and time as a ASCII character string." The
		// received datagram is ignored.
		return AppendDaytime(spare[:0], s.now()), true
	case Chargen:
		// RFC 864: "send an answering datagram containing a random
		// number (between 0 and 512) of characters (the data in the
		// received datagram is ignored)."
		n := s.rng.IntN(MaxChargenDatagram + 1)
		start := s.rng.IntN(chargenCount) * chargenLine
		return s.pattern[start : start+n], true
	}
	// RFC 863: "When a datagram is received, it is thrown away. That's
	// all."
	return nil, false
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// accept takes the connections queued on a listening socket and starts a
// goroutine for each.
func (s *Server) accept(ctx context.Context, ln *conn, svc Service, conns *sync.WaitGroup) error {
	for {
		// accept4(2): SOCK_NONBLOCK and SOCK_CLOEXEC on the new socket.
		nfd, sa, err := s.API.Accept4(ln.fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		switch {
		case errors.Is(err, unix.EAGAIN):
			return nil
		// accept(2): ECONNABORTED and errors pending on the new socket
		// concern that connection only: retry.
		case errors.Is(err, unix.ECONNABORTED), errors.Is(err, unix.EINTR),
			errors.Is(err, unix.EPROTO), errors.Is(err, unix.ENETDOWN),
			errors.Is(err, unix.EHOSTUNREACH), errors.Is(err, unix.ENETUNREACH):
			continue
		case err != nil:
			return fmt.Errorf("inetd: tcp %s: accept: %w", svc, err)
		}
		s.stats[svc].conns.Add(1)
		peer := addrPort(sa)
		var pattern []byte
		if svc == Chargen {
			pattern = s.pattern
		}
		conns.Go(func() {
			c := &conn{api: s.API, fd: nfd}
			err := s.serveStream(ctx, c, svc, pattern)
			s.API.Close(nfd)
			if err != nil && ctx.Err() == nil {
				s.logf("tcp %s: %v: %v", svc, peer, err)
				return
			}
			s.logf("tcp %s: %v served", svc, peer)
		})
	}
}
