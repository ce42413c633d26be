package echo

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/sys/unix"
)

// serveTCP is seed 003's accept loop with a goroutine where the seed forks.
func (s *Server) serveTCP(ctx context.Context) error {
	var clients sync.WaitGroup
	// Deferred calls run last-in first-out: the listener closes first, so
	// new connections are refused, then the clients are waited for.
	defer clients.Wait()
	defer s.Close()
	ln := s.ln
	for {
		// accept4(2): SOCK_NONBLOCK and SOCK_CLOEXEC on the new descriptor
		// save the fcntl(2) calls.
		nfd, sa, err := s.API.Accept4(ln.fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		if err == nil {
			clients.Go(func() { s.serveConn(ctx, nfd, sa) })
			if ctx.Err() != nil {
				return nil
			}
			continue
		}
		if !acceptRetry(err) {
			return fmt.Errorf("echo: accept: %w", err)
		}
		if !errors.Is(err, unix.EAGAIN) {
			continue
		}
		if err := ln.wait(ctx, unix.POLLIN); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("echo: poll: %w", err)
		}
	}
}

// acceptRetry reports whether accept4(2) failed for a reason that concerns
// one connection or no connection rather than the listener.
func acceptRetry(err error) bool {
	switch {
	case errors.Is(err, unix.EAGAIN), errors.Is(err, unix.EINTR),
		// accept(2): ECONNABORTED: a connection has been aborted.
		errors.Is(err, unix.ECONNABORTED),
		// accept(2): Linux passes already-pending network errors on the
		// new socket as an error from accept(); for TCP/IP treat
		// ENETDOWN, EPROTO, ENOPROTOOPT, EHOSTDOWN, ENONET, EHOSTUNREACH,
		// EOPNOTSUPP and ENETUNREACH like EAGAIN by retrying.
		errors.Is(err, unix.ENETDOWN), errors.Is(err, unix.EPROTO),
		errors.Is(err, unix.ENOPROTOOPT), errors.Is(err, unix.EHOSTDOWN),
		errors.Is(err, unix.ENONET), errors.Is(err, unix.EHOSTUNREACH),
		errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.ENETUNREACH):
		return true
	}
	return false
}

// serveConn is seed 003's serv_client: echo until the client's EOF, then
// close. It closes nfd on every path.
func (s *Server) serveConn(ctx context.Context, nfd int, sa unix.Sockaddr) {
	defer s.API.Close(nfd)
	peer := addrPort(sa)
	// seed 003: printf("connected from %s:%d\n", ...).
	s.logf("connected from %v", peer)
	ep := newEndpoint(s.API, nfd)
	buf := make([]byte, bufSize)
	err := echoStream(ctx, ep, buf)
	switch {
	case err == nil:
		// seed 003: printf("disconnected from %s:%d\n", ...).
		s.logf("disconnected from %v", peer)
	case ctx.Err() != nil:
		s.logf("disconnected from %v (server shutting down)", peer)
	default:
		s.logf("disconnected from %v: %v", peer, err)
	}
}

// echoStream writes back everything it reads until the peer's orderly
// shutdown. seed 003: while ((len = recv(fd, buf, ...)) > 0) send(fd, buf,
// len, 0).
func echoStream(ctx context.Context, ep *endpoint, buf []byte) error {
	for {
		n, err := ep.read(ctx, buf)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if err := ep.writeAll(ctx, buf[:n]); err != nil {
			return err
		}
		// A client that keeps the socket readable never makes read
		// wait, so cancellation is checked here too.
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// serveUDP echoes every datagram to its source: recvfrom(2), then sendto(2)
// with the address recvfrom returned.
func (s *Server) serveUDP(ctx context.Context) error {
	defer s.Close()
	ln := s.ln
	buf := make([]byte, 64<<10)
	for {
		n, from, err := ln.recvfrom(ctx, buf)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			// udp(7): ECONNREFUSED reports an ICMP error of an earlier
			// datagram; it concerns that peer, not the server.
			if errors.Is(err, unix.ECONNREFUSED) {
				continue
			}
			return fmt.Errorf("echo: recvfrom: %w", err)
		}
		peer := addrPort(from)
		s.logf("datagram from %v: %d bytes", peer, n)
		if err := ln.sendto(ctx, buf[:n], from); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			s.logf("sendto %v: %v", peer, err)
		}
	}
}
