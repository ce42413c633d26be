// Package inetd serves the classic small services of inetd(8) over
// sock.API, so they run on every provider: the host kernel and sockstack's
// own stack.
//
//   - echo (port 7, RFC 862): every datagram, and every byte of a stream,
//     goes back to its sender;
//   - discard (port 9, RFC 863): everything received is thrown away;
//   - daytime (port 13, RFC 867): the date and time as text, in the
//     ctime(3) form Linux's inetd and xinetd send ("Sun Nov 22 22:30:00
//     2026\r\n");
//   - chargen (port 19, RFC 864): the 95 printable ASCII characters in
//     rotating 72-character lines, a datagram of random length (0-512)
//     per request, or an endless stream until the client closes.
//
// Server binds each service on UDP and, when the provider can make a
// SOCK_STREAM socket, on TCP; a provider without TCP (socket(2) fails with
// EPROTONOSUPPORT) gets the UDP services only. One goroutine polls every
// bound socket; each TCP connection gets its own goroutine. Descriptors are
// non-blocking and every wait is a poll(2) with a short timeout, so a
// cancelled context stops everything without help from the provider.
package inetd
