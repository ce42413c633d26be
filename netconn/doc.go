// Package netconn adapts any sock.API provider to Go's net interfaces:
// net.Conn, net.Listener and net.PacketConn, with a Dialer and a
// ListenConfig, so that net/http, crypto/tls and other code written for the
// net package run unchanged on a sockstack host (or on the kernel).
//
// Every descriptor is non-blocking; a call that would block waits in
// sock.API.Poll on its descriptor, in slices of at most pollSlice so that
// deadlines and Close are noticed on every provider. Errors are
// *net.OpError values wrapping *os.SyscallError, as the net package returns
// them, so errors.Is(err, syscall.ECONNREFUSED) and
// errors.Is(err, os.ErrDeadlineExceeded) hold, and a deadline error is a
// net.Error whose Timeout reports true.
package netconn
