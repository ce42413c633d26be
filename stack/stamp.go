package stack

import "time"

// stamper keeps a datagram socket's receive timestamps the way Linux does
// (socket(7) SIOCGSTAMP, SO_TIMESTAMP): packets are stamped only once the
// socket has asked for stamps, so the data path reads no clock otherwise.
// Call its methods with the socket's lock held.
type stamper struct {
	on       bool      // SIOCGSTAMP was used: stamp every packet from now on
	haveRead bool      // a packet has been read
	lastRead time.Time // the stamp of the last packet read (zero: unstamped)
}

// now returns the arrival stamp for a packet being queued; stamping is on
// after SIOCGSTAMP or with SO_TIMESTAMP.
func (s *stamper) now(soTimestamp bool) time.Time {
	if !s.on && !soTimestamp {
		return time.Time{}
	}
	return time.Now()
}

// read records the stamp of a packet handed to the user.
func (s *stamper) read(t time.Time) {
	s.haveRead, s.lastRead = true, t
}

// last answers SIOCGSTAMP: ENOENT (false) before any packet was read; the
// time of the call for a packet that was not stamped, after which every
// packet is stamped.
func (s *stamper) last() (time.Time, bool) {
	if !s.haveRead {
		s.on = true
		return time.Time{}, false
	}
	if s.lastRead.IsZero() {
		s.lastRead = time.Now()
	}
	s.on = true
	return s.lastRead, true
}
