// Package resolv implements the name services of the seeds over sock.API:
// the address conversions of inet(3) and inet_pton(3), the hosts, services
// and protocols databases as glibc's "files" backend reads them, a DNS stub
// resolver (RFC 1034/1035 with EDNS0 and TCP fallback), getaddrinfo(3) with
// RFC 6724 destination address ordering, getnameinfo(3), and a getent(1)
// work-alike for a command-line front end.
//
// Every network operation goes through a sock.API value, so the resolver
// runs over the Linux kernel (package kernel) or over sockstack's own stack.
// Where glibc's observable behaviour is the reference (file parsing, flag
// handling, error texts), the tests compare against glibc on the same files.
package resolv
