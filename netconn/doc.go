// Package netconn adapts any sock.API provider to Go's net interfaces:
// net.Conn, net.Listener and net.PacketConn, with a Dialer and a
// ListenConfig, so that net/http, crypto/tls and other code written for the
// net package run unchanged on a sockstack host (or on the kernel).
//
// Every descriptor is non-blocking; a call that would block waits in
// sock.API.Poll on its descriptor, in slices of at most pollSlice so that
// deadlines and Close are noticed on every provider. No goroutine is
// started per connection, and steady-state Read, Write and waits do not
// allocate (each direction of a descriptor reuses its pollfd).
//
// Errors are *net.OpError values wrapping *os.SyscallError, as the net
// package returns them, so errors.Is(err, syscall.ECONNREFUSED) and
// errors.Is(err, os.ErrDeadlineExceeded) hold, a deadline error is a
// net.Error whose Timeout reports true, calls on a closed value fail with
// net.ErrClosed, and a stream's orderly end reads as io.EOF.
//
// Limits: hosts must be IP literals or "localhost" (ErrNotNumeric
// otherwise; name resolution is package resolv's); Listen("tcp", ":port")
// binds IPv4 only; a unix listener does not unlink its path on Close
// (sock.API has no unlink); the Dialer sets no keep-alive by default.
package netconn
