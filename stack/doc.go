// Package stack is sockstack's own host: a userspace TCP/IP stack that
// implements sock.API over links (package link).
//
// A Host owns NICs, addresses, routes, the descriptor table and every
// socket. Inbound frames are delivered synchronously from a link's reader
// goroutine up through IP to socket buffers; outbound packets are built in
// the caller's goroutine and handed to the link. Blocking calls wait on the
// socket's wait queue, bounded by SO_RCVTIMEO/SO_SNDTIMEO; time is the
// runtime's, so tests control it with testing/synctest.
//
// Lock order: Host.mu (tables) before a socket's mu; never hold a socket's
// mu while calling into a link or into another socket.
package stack
