// Package sock defines the BSD sockets interface that every sockstack
// provider implements and every sockstack program is written against.
//
// The method set mirrors golang.org/x/sys/unix: the same names, the same
// argument order, the same Sockaddr types, constants and Errno values. Code
// written for x/sys/unix ports to sockstack by changing the receiver from the
// package unix to a value of type API, and errors.Is(err, unix.EAGAIN) holds
// on every provider.
//
// Two providers implement API: package kernel (the host's Linux system
// calls, the reference) and package stack (sockstack's own userspace stack).
// A descriptor is an int whose meaning is private to the provider that
// returned it: never pass a descriptor from one provider to another.
package sock

import "golang.org/x/sys/unix"

// API is the sockets interface of socket(2), socket(7) and the seeds.
//
// Every method behaves as its namesake in golang.org/x/sys/unix does on
// Linux: errors are unix.Errno values (possibly wrapped), blocking calls block
// unless the descriptor is non-blocking (SetNonblock, SOCK_NONBLOCK or
// MSG_DONTWAIT), and a blocking call honours SO_RCVTIMEO / SO_SNDTIMEO.
type API interface {
	Sockets
	Options
	Controls
}

// Sockets holds the calls of socket(2), bind(2), listen(2), accept(2),
// connect(2), send(2), recv(2), shutdown(2), close(2) and the name calls.
type Sockets interface {
	// Socket creates an endpoint: socket(2). typ may carry SOCK_NONBLOCK
	// and SOCK_CLOEXEC.
	Socket(domain, typ, proto int) (fd int, err error)
	// Socketpair creates a pair of connected sockets: socketpair(2).
	Socketpair(domain, typ, proto int) (fds [2]int, err error)
	// Bind assigns a local address: bind(2).
	Bind(fd int, sa unix.Sockaddr) error
	// Listen marks a socket as passive: listen(2).
	Listen(fd int, backlog int) error
	// Accept4 takes a connection from the accept queue: accept4(2).
	Accept4(fd int, flags int) (nfd int, sa unix.Sockaddr, err error)
	// Connect initiates a connection or sets the default peer: connect(2).
	Connect(fd int, sa unix.Sockaddr) error
	// Read reads from a connected socket: read(2).
	Read(fd int, p []byte) (n int, err error)
	// Write writes to a connected socket: write(2).
	Write(fd int, p []byte) (n int, err error)
	// Recvfrom receives a message and its source: recvfrom(2).
	Recvfrom(fd int, p []byte, flags int) (n int, from unix.Sockaddr, err error)
	// Sendto sends a message to an address: sendto(2).
	Sendto(fd int, p []byte, flags int, to unix.Sockaddr) error
	// Recvmsg receives data and ancillary data: recvmsg(2).
	Recvmsg(fd int, p, oob []byte, flags int) (n, oobn int, recvflags int, from unix.Sockaddr, err error)
	// SendmsgN sends data and ancillary data and reports the bytes sent:
	// sendmsg(2).
	SendmsgN(fd int, p, oob []byte, to unix.Sockaddr, flags int) (n int, err error)
	// Shutdown shuts down part of a full-duplex connection: shutdown(2).
	Shutdown(fd int, how int) error
	// Close releases a descriptor: close(2).
	Close(fd int) error
	// Dup duplicates a descriptor: dup(2).
	Dup(oldfd int) (fd int, err error)
	// Getsockname returns the local address: getsockname(2).
	Getsockname(fd int) (unix.Sockaddr, error)
	// Getpeername returns the peer's address: getpeername(2).
	Getpeername(fd int) (unix.Sockaddr, error)
}

// Options holds getsockopt(2) and setsockopt(2) in the typed forms that
// golang.org/x/sys/unix offers.
type Options interface {
	GetsockoptInt(fd, level, opt int) (int, error)
	SetsockoptInt(fd, level, opt, value int) error
	GetsockoptLinger(fd, level, opt int) (*unix.Linger, error)
	SetsockoptLinger(fd, level, opt int, l *unix.Linger) error
	GetsockoptTimeval(fd, level, opt int) (*unix.Timeval, error)
	SetsockoptTimeval(fd, level, opt int, tv *unix.Timeval) error
	GetsockoptIPMreq(fd, level, opt int) (*unix.IPMreq, error)
	SetsockoptIPMreq(fd, level, opt int, mreq *unix.IPMreq) error
	GetsockoptIPMreqn(fd, level, opt int) (*unix.IPMreqn, error)
	SetsockoptIPMreqn(fd, level, opt int, mreq *unix.IPMreqn) error
	GetsockoptIPv6Mreq(fd, level, opt int) (*unix.IPv6Mreq, error)
	SetsockoptIPv6Mreq(fd, level, opt int, mreq *unix.IPv6Mreq) error
	// GetsockoptString reads a string option such as SO_BINDTODEVICE.
	GetsockoptString(fd, level, opt int) (string, error)
	// SetsockoptString sets a string option such as SO_BINDTODEVICE.
	SetsockoptString(fd, level, opt int, s string) error
	GetsockoptUcred(fd, level, opt int) (*unix.Ucred, error)
	GetsockoptTCPInfo(fd, level, opt int) (*unix.TCPInfo, error)
	// GetsockoptBytes reads an option of raw bytes (IP_OPTIONS) into a
	// buffer of at most size bytes and returns what the option holds.
	GetsockoptBytes(fd, level, opt, size int) ([]byte, error)
	// SetsockoptBytes sets an option of raw bytes (IP_OPTIONS).
	SetsockoptBytes(fd, level, opt int, b []byte) error
}

// Controls holds the calls that are not socket calls proper but act on
// socket descriptors: fcntl's O_NONBLOCK, poll(2) and the socket ioctls of
// socket(7) and tcp(7).
type Controls interface {
	// SetNonblock sets or clears O_NONBLOCK.
	SetNonblock(fd int, nonblocking bool) error
	// Poll waits for events on descriptors of this provider: poll(2).
	// timeout is in milliseconds; negative waits forever.
	Poll(fds []unix.PollFd, timeout int) (n int, err error)
	// IoctlGetInt performs an ioctl that returns an int: FIONREAD
	// (SIOCINQ), SIOCOUTQ, SIOCATMARK.
	IoctlGetInt(fd int, req uint) (int, error)
	// IoctlGetTimeval performs SIOCGSTAMP: the receive time of the last
	// packet passed to the user (socket(7)).
	IoctlGetTimeval(fd int, req uint) (unix.Timeval, error)
}
