package sock

import "golang.org/x/sys/unix"

// The ioctl requests of socket(7), tcp(7) and udp(7) that take an int or a
// timeval. x/sys/unix spells some of them only under their generic names.
const (
	// FIONREAD reports the bytes waiting to be read (SIOCINQ).
	FIONREAD = unix.SIOCINQ
	// SIOCINQ is FIONREAD's socket name (tcp(7), udp(7)).
	SIOCINQ = unix.SIOCINQ
	// SIOCOUTQ reports the bytes not yet sent or not yet acknowledged.
	SIOCOUTQ = unix.SIOCOUTQ
	// SIOCATMARK reports whether the read pointer is at the urgent mark.
	SIOCATMARK = unix.SIOCATMARK
	// SIOCGSTAMP reports the receive time of the last packet read.
	SIOCGSTAMP = unix.SIOCGSTAMP
	// SOMAXCONN is the cap on listen(2)'s backlog (net.core.somaxconn's
	// default on Linux 5.4 and later).
	SOMAXCONN = 4096
)
