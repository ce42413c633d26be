package stack

import (
	"time"

	"golang.org/x/sys/unix"
)

// Buffer limits from socket(7) and /proc/sys/net/core on Linux 6.x:
// "SO_RCVBUF ... The kernel doubles this value ... The minimum (doubled)
// value for this option is 256" is the old text; current kernels enforce
// SOCK_MIN_RCVBUF and SOCK_MIN_SNDBUF below.
const (
	minRcvBuf  = 2304   // the smallest SO_RCVBUF after doubling
	minSndBuf  = 4608   // the smallest SO_SNDBUF after doubling
	rmemMax    = 212992 // net.core.rmem_max: the cap before doubling
	wmemMax    = 212992 // net.core.wmem_max
	rmemDflt   = 212992 // net.core.rmem_default
	wmemDflt   = 212992 // net.core.wmem_default
	maxLingerS = 1<<31 - 1
)

// socketOptions holds the SOL_SOCKET options of socket(7).
type socketOptions struct {
	rcvbuf, sndbuf int
	// sndbufLock records that SO_SNDBUF was set, which ends TCP's
	// send-buffer autotuning (tcp(7) tcp_wmem).
	sndbufLock bool
	// rcvbufLock records that SO_RCVBUF was set, which ends TCP's
	// receive-buffer autotuning (tcp(7) tcp_rmem).
	rcvbufLock bool
	reuseaddr  bool
	reuseport  bool
	keepalive  bool
	broadcast  bool
	dontroute  bool
	oobinline  bool
	timestamp  bool
	passcred   bool
	linger     unix.Linger
	rcvtimeo   time.Duration
	sndtimeo   time.Duration
	rcvlowat   int
	priority   int
	mark       int
	peekOff    int
	device     string
}

func defaultOptions() socketOptions {
	return socketOptions{rcvbuf: rmemDflt, sndbuf: wmemDflt, rcvlowat: 1, peekOff: -1}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// getSocketInt reads an int SOL_SOCKET option. Call with b.mu held.
func (b *sockBase) getSocketInt(opt int) (int, error) {
	o := &b.opts
	switch opt {
	case unix.SO_TYPE:
		return b.typ, nil
	case unix.SO_DOMAIN:
		return b.domain, nil
	case unix.SO_PROTOCOL:
		return b.proto, nil
	case unix.SO_ERROR:
		// socket(7) SO_ERROR: "Get and clear the pending socket error."
		e := b.soErr
		b.soErr = 0
		return int(e), nil
	case unix.SO_RCVBUF:
		return o.rcvbuf, nil
	case unix.SO_SNDBUF:
		return o.sndbuf, nil
	case unix.SO_REUSEADDR:
		return boolInt(o.reuseaddr), nil
	case unix.SO_REUSEPORT:
		return boolInt(o.reuseport), nil
	case unix.SO_KEEPALIVE:
		return boolInt(o.keepalive), nil
	case unix.SO_BROADCAST:
		return boolInt(o.broadcast), nil
	case unix.SO_DONTROUTE:
		return boolInt(o.dontroute), nil
	case unix.SO_OOBINLINE:
		return boolInt(o.oobinline), nil
	case unix.SO_TIMESTAMP:
		return boolInt(o.timestamp), nil
	case unix.SO_PASSCRED:
		return boolInt(o.passcred), nil
	case unix.SO_RCVLOWAT:
		return o.rcvlowat, nil
	case unix.SO_SNDLOWAT:
		return 1, nil
	case unix.SO_PRIORITY:
		return o.priority, nil
	case unix.SO_MARK:
		return o.mark, nil
	case unix.SO_PEEK_OFF:
		return o.peekOff, nil
	case unix.SO_ACCEPTCONN:
		return 0, nil
	}
	return 0, unix.ENOPROTOOPT
}

// clampBuf applies socket(7)'s rule for SO_RCVBUF and SO_SNDBUF: the value
// is capped at the sysctl maximum, doubled, and raised to the minimum.
func clampBuf(v, max, min int) int {
	if v < 0 {
		v = 0
	}
	if v > max {
		v = max
	}
	v *= 2
	if v < min {
		v = min
	}
	return v
}

// setSocketInt sets an int SOL_SOCKET option. Call with b.mu held.
func (b *sockBase) setSocketInt(opt, v int) error {
	o := &b.opts
	on := v != 0
	switch opt {
	case unix.SO_RCVBUF:
		// socket(7) SO_RCVBUF: "The kernel doubles this value (to allow
		// space for bookkeeping overhead) when it is set using
		// setsockopt(2), and this doubled value is returned by
		// getsockopt(2)."
		o.rcvbuf = clampBuf(v, rmemMax, minRcvBuf)
	case unix.SO_SNDBUF:
		o.sndbuf = clampBuf(v, wmemMax, minSndBuf)
	case unix.SO_RCVBUFFORCE, unix.SO_SNDBUFFORCE:
		// socket(7): the FORCE variants bypass rmem_max/wmem_max for a
		// privileged (CAP_NET_ADMIN) process; a host with raw access
		// stands for that privilege here.
		if !b.host.opts.RawAllowed {
			return unix.EPERM
		}
		if opt == unix.SO_RCVBUFFORCE {
			o.rcvbuf = clampBuf(v, 1<<30, minRcvBuf)
		} else {
			o.sndbuf = clampBuf(v, 1<<30, minSndBuf)
		}
	case unix.SO_REUSEADDR:
		o.reuseaddr = on
	case unix.SO_REUSEPORT:
		o.reuseport = on
	case unix.SO_KEEPALIVE:
		o.keepalive = on
	case unix.SO_BROADCAST:
		o.broadcast = on
	case unix.SO_DONTROUTE:
		o.dontroute = on
	case unix.SO_OOBINLINE:
		o.oobinline = on
	case unix.SO_TIMESTAMP:
		o.timestamp = on
	case unix.SO_PASSCRED:
		o.passcred = on
	case unix.SO_RCVLOWAT:
		if v < 1 {
			v = 1
		}
		o.rcvlowat = v
	case unix.SO_PRIORITY:
		o.priority = v
	case unix.SO_MARK:
		o.mark = v
	case unix.SO_PEEK_OFF:
		o.peekOff = v
	case unix.SO_TYPE, unix.SO_DOMAIN, unix.SO_PROTOCOL, unix.SO_ERROR,
		unix.SO_ACCEPTCONN, unix.SO_PEERCRED:
		// socket(7): these are read-only.
		return unix.ENOPROTOOPT
	default:
		return unix.ENOPROTOOPT
	}
	return nil
}

// timevalDuration converts a socket timeout; socket(7) SO_RCVTIMEO: "If the
// timeout is set to zero (the default), then the operation will never
// timeout."
func timevalDuration(tv *unix.Timeval) (time.Duration, error) {
	if tv.Usec < 0 || tv.Usec >= 1000000 {
		return 0, unix.EDOM
	}
	if tv.Sec < 0 {
		return 0, nil
	}
	return time.Duration(tv.Sec)*time.Second + time.Duration(tv.Usec)*time.Microsecond, nil
}

func durationTimeval(d time.Duration) unix.Timeval {
	return unix.NsecToTimeval(d.Nanoseconds())
}
