// Package echo is the TCP and UDP echo service of seed 003 ("Example: TCP
// Echo Server") written against the sockets interface sock.API, so the same
// server and client run on every provider: the host kernel (package kernel)
// and sockstack's own stack.
//
// The seed's server forks a child per client; Server starts a goroutine per
// client instead, and stops cleanly when its context is cancelled. Every
// descriptor is non-blocking and every wait is a poll(2) loop with a short
// timeout, so cancellation needs nothing from a provider beyond Poll.
//
// Client dials a server; Conn.Pipe copies a reader to the server and the
// server's replies to a writer with a half-close at the reader's end, like
// nc -N, and Conn.Check sends lines and verifies their echoes.
package echo
