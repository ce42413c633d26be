package tcp

import (
	"crypto/sha256"
	"encoding/binary"
	"net/netip"
	"time"

	"sockstack/seqnum"
)

// Hash purposes, so an ISN never doubles as a cookie.
const (
	purposeISN    = 1
	purposeCookie = 2
)

// keyedHash returns 32 bits of SHA-256 over the secret, the 4-tuple, x and
// the purpose. It does not allocate.
func keyedHash(secret *[16]byte, local, remote netip.AddrPort, x, y uint32, purpose byte) uint32 {
	var b [16 + 16 + 16 + 4 + 4 + 4 + 1]byte
	copy(b[0:], secret[:])
	l, r := local.Addr().As16(), remote.Addr().As16()
	copy(b[16:], l[:])
	copy(b[32:], r[:])
	binary.BigEndian.PutUint16(b[48:], local.Port())
	binary.BigEndian.PutUint16(b[50:], remote.Port())
	binary.BigEndian.PutUint32(b[52:], x)
	binary.BigEndian.PutUint32(b[56:], y)
	b[60] = purpose
	sum := sha256.Sum256(b[:])
	return binary.BigEndian.Uint32(sum[:])
}

// isnFor returns an initial sequence number: RFC 6528 §3, ISN = M +
// F(localip, localport, remoteip, remoteport, secretkey), M a 4 µs clock.
func isnFor(secret *[16]byte, local, remote netip.AddrPort, now time.Time) seqnum.Value {
	m := uint32(now.UnixNano() / 4000)
	return seqnum.Value(m + keyedHash(secret, local, remote, 0, 0, purposeISN))
}

// cookieMSS is the table of MSS values a cookie can encode in 3 bits.
var cookieMSS = [8]uint16{216, 536, 1024, 1220, 1300, 1440, 1460, 8960}

// cookiePeriod is how often the cookie counter t ticks (RFC 4987 §3.6:
// "a slowly incrementing timestamp", 64 s like Linux).
const cookiePeriod = 64

// makeCookie encodes a SYN cookie as our ISN (RFC 4987 §3.6): the top 5
// bits are t mod 32, the next 3 the MSS index, the low 24 a keyed hash of
// the connection, t and the peer's ISN.
func makeCookie(secret *[16]byte, local, remote netip.AddrPort, irs seqnum.Value, mss uint16, now time.Time) seqnum.Value {
	t := uint32(now.Unix() / cookiePeriod)
	idx := uint32(0)
	for i, m := range cookieMSS {
		if m <= mss {
			idx = uint32(i)
		}
	}
	h := keyedHash(secret, local, remote, t, uint32(irs), purposeCookie) & 0xffffff
	return seqnum.Value((t&31)<<27 | idx<<24 | h)
}

// checkCookie validates the cookie echoed in an ACK (SEG.ACK-1) against
// the peer's ISN (SEG.SEQ-1) and returns the MSS it encodes. A cookie is
// good for the current and the previous counter period.
func checkCookie(secret *[16]byte, local, remote netip.AddrPort, irs, cookie seqnum.Value, now time.Time) (uint16, bool) {
	t := uint32(now.Unix() / cookiePeriod)
	for _, tt := range [2]uint32{t, t - 1} {
		if uint32(cookie)>>27 != tt&31 {
			continue
		}
		h := keyedHash(secret, local, remote, tt, uint32(irs), purposeCookie) & 0xffffff
		if uint32(cookie)&0xffffff == h {
			return cookieMSS[uint32(cookie)>>24&7], true
		}
	}
	return 0, false
}

// ISN returns an initial sequence number for a connection from local to
// remote per RFC 6528 §3 (a keyed hash of the 4-tuple plus a 4 µs clock),
// for the shell to put in Config.ISS before Dial.
func ISN(secret [16]byte, local, remote netip.AddrPort, now time.Time) uint32 {
	return uint32(isnFor(&secret, local, remote, now))
}
