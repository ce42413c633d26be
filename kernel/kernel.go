//go:build linux

// Package kernel implements sock.API over the host's Linux system calls. It
// is the reference provider: the conformance suite runs every case against it
// first, and a case that fails here is a wrong case.
//
// Descriptors are real file descriptors of this process. Blocking calls block
// an OS thread, as the runtime allows for system calls.
package kernel

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"sockstack/sock"
)

// Kernel is the Linux provider. The zero value is ready to use.
type Kernel struct{}

// New returns the Linux provider.
func New() *Kernel { return &Kernel{} }

var _ sock.API = (*Kernel)(nil)

// Socket calls socket(2).
func (*Kernel) Socket(domain, typ, proto int) (int, error) {
	return retryEINTR(func() (int, error) { return unix.Socket(domain, typ, proto) })
}

// Socketpair calls socketpair(2).
func (*Kernel) Socketpair(domain, typ, proto int) ([2]int, error) {
	return unix.Socketpair(domain, typ, proto)
}

// Bind calls bind(2).
func (*Kernel) Bind(fd int, sa unix.Sockaddr) error { return unix.Bind(fd, sa) }

// Listen calls listen(2).
func (*Kernel) Listen(fd, backlog int) error { return unix.Listen(fd, backlog) }

// Accept4 calls accept4(2).
func (*Kernel) Accept4(fd, flags int) (int, unix.Sockaddr, error) {
	for {
		nfd, sa, err := unix.Accept4(fd, flags)
		if err != unix.EINTR {
			return nfd, sa, err
		}
	}
}

// Connect calls connect(2).
func (*Kernel) Connect(fd int, sa unix.Sockaddr) error { return unix.Connect(fd, sa) }

// Read calls read(2).
func (*Kernel) Read(fd int, p []byte) (int, error) {
	return retryEINTR(func() (int, error) { return unix.Read(fd, p) })
}

// Write calls write(2).
func (*Kernel) Write(fd int, p []byte) (int, error) {
	return retryEINTR(func() (int, error) { return unix.Write(fd, p) })
}

// Recvfrom calls recvfrom(2).
func (*Kernel) Recvfrom(fd int, p []byte, flags int) (int, unix.Sockaddr, error) {
	for {
		n, from, err := unix.Recvfrom(fd, p, flags)
		if err != unix.EINTR {
			return n, from, err
		}
	}
}

// Sendto calls sendto(2).
func (*Kernel) Sendto(fd int, p []byte, flags int, to unix.Sockaddr) error {
	return unix.Sendto(fd, p, flags, to)
}

// Recvmsg calls recvmsg(2).
func (*Kernel) Recvmsg(fd int, p, oob []byte, flags int) (n, oobn, recvflags int, from unix.Sockaddr, err error) {
	for {
		n, oobn, recvflags, from, err = unix.Recvmsg(fd, p, oob, flags)
		if err != unix.EINTR {
			return n, oobn, recvflags, from, err
		}
	}
}

// SendmsgN calls sendmsg(2).
func (*Kernel) SendmsgN(fd int, p, oob []byte, to unix.Sockaddr, flags int) (int, error) {
	return unix.SendmsgN(fd, p, oob, to, flags)
}

// Shutdown calls shutdown(2).
func (*Kernel) Shutdown(fd, how int) error { return unix.Shutdown(fd, how) }

// Close calls close(2).
func (*Kernel) Close(fd int) error { return unix.Close(fd) }

// Dup calls dup(2).
func (*Kernel) Dup(oldfd int) (int, error) { return unix.Dup(oldfd) }

// Getsockname calls getsockname(2).
func (*Kernel) Getsockname(fd int) (unix.Sockaddr, error) { return unix.Getsockname(fd) }

// Getpeername calls getpeername(2).
func (*Kernel) Getpeername(fd int) (unix.Sockaddr, error) { return unix.Getpeername(fd) }

// SetNonblock sets or clears O_NONBLOCK with fcntl(2).
func (*Kernel) SetNonblock(fd int, nonblocking bool) error { return unix.SetNonblock(fd, nonblocking) }

// Poll calls poll(2), restarting after EINTR with the full timeout.
func (*Kernel) Poll(fds []unix.PollFd, timeout int) (int, error) {
	return retryEINTR(func() (int, error) { return unix.Poll(fds, timeout) })
}

// IoctlGetInt calls ioctl(2) with an int result.
func (*Kernel) IoctlGetInt(fd int, req uint) (int, error) { return unix.IoctlGetInt(fd, req) }

// IoctlGetTimeval calls ioctl(2) with a struct timeval result (SIOCGSTAMP).
func (*Kernel) IoctlGetTimeval(fd int, req uint) (unix.Timeval, error) {
	var tv unix.Timeval
	_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(unsafe.Pointer(&tv)))
	if e != 0 {
		return tv, e
	}
	return tv, nil
}

func retryEINTR(f func() (int, error)) (int, error) {
	for {
		n, err := f()
		if err != unix.EINTR {
			return n, err
		}
	}
}
