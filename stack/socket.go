package stack

import (
	"errors"
	"sync"

	"golang.org/x/sys/unix"
)

// socket is what every protocol's socket implements. Each operation is
// non-blocking: it returns unix.EAGAIN when it would block, and the generic
// layer (api.go) waits on the socket's wait queue and retries, honouring
// O_NONBLOCK, MSG_DONTWAIT, SO_RCVTIMEO and SO_SNDTIMEO.
type socket interface {
	base() *sockBase
	bind(sa unix.Sockaddr) error
	// connect starts or completes a connection. A stream socket returns
	// unix.EINPROGRESS when the handshake is under way.
	connect(sa unix.Sockaddr) error
	listen(backlog int) error
	accept() (socket, unix.Sockaddr, error)
	send(p, oob []byte, to unix.Sockaddr, flags int) (int, error)
	recv(p, oob []byte, flags int) (n, oobn, rflags int, from unix.Sockaddr, err error)
	shutdown(how int) error
	// release is called once, when the last descriptor is closed.
	release()
	// events returns the poll(2) events the socket is ready for now.
	events() int16
	sockname() (unix.Sockaddr, error)
	peername() (unix.Sockaddr, error)
}

// errUnhandled tells the generic option code that a protocol does not know
// an option, so SOL_SOCKET handling or ENOPROTOOPT applies.
var errUnhandled = errors.New("option not handled by protocol")

// intOptioner is implemented by sockets with int options of their own
// (IPPROTO_IP, IPPROTO_TCP, ...), or that override SOL_SOCKET ones.
type intOptioner interface {
	getsockoptInt(level, opt int) (int, error)
	setsockoptInt(level, opt, v int) error
}

// sockBase is the state every socket has: identity, SOL_SOCKET options,
// the pending error and the wait queue.
type sockBase struct {
	host               *Host
	domain, typ, proto int
	wq                 waitQueue

	mu   sync.Mutex // guards opts, soErr and the protocol's own state
	opts socketOptions
	// soErr is the pending error that SO_ERROR reads and clears
	// (socket(7)), set by ICMP errors and failed connects.
	soErr unix.Errno
}

func (b *sockBase) base() *sockBase { return b }

// takeError returns and clears the pending error. Call with b.mu held.
func (b *sockBase) takeError() error {
	if b.soErr == 0 {
		return nil
	}
	e := b.soErr
	b.soErr = 0
	return e
}

// setError records a pending error and wakes waiters.
func (b *sockBase) setError(e unix.Errno) {
	b.mu.Lock()
	b.soErr = e
	b.mu.Unlock()
	b.wq.notify()
}
