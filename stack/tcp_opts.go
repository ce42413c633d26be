package stack

import (
	"time"

	"golang.org/x/sys/unix"

	"sockstack/stack/proto/tcp"
)

// live returns the config options apply to: the connection's, once there
// is one, else the socket's template. Call with s.mu held.
func (s *tcpSocket) live() *tcp.Config {
	if s.conn != nil {
		return s.conn.Config()
	}
	return &s.cfg
}

func (s *tcpSocket) getsockoptInt(level, opt int) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch level {
	case unix.SOL_SOCKET:
		switch opt {
		case unix.SO_ERROR:
			// socket(7) SO_ERROR: get and clear the pending error.
			if s.conn != nil {
				if e, ok := s.conn.Err().(unix.Errno); ok {
					return int(e), nil
				}
			}
			return 0, nil
		case unix.SO_ACCEPTCONN:
			return boolInt(s.lst != nil), nil
		case unix.SO_SNDBUF:
			// tcp(7) tcp_wmem: an autotuned buffer reports its
			// current size.
			if s.conn != nil {
				return s.conn.SndBufSize(), nil
			}
		case unix.SO_RCVBUF:
			if s.conn != nil {
				return s.conn.RcvBufSize(), nil
			}
		}
		return 0, errUnhandled
	case unix.IPPROTO_TCP:
		return s.getTCP(opt)
	}
	return s.ip.get(&s.sockBase, level, opt)
}

// getTCP reads an IPPROTO_TCP option (tcp(7)). Call with s.mu held.
func (s *tcpSocket) getTCP(opt int) (int, error) {
	c := s.live()
	switch opt {
	case unix.TCP_NODELAY:
		return boolInt(c.NoDelay), nil
	case unix.TCP_CORK:
		return boolInt(c.Cork), nil
	case unix.TCP_MAXSEG:
		if s.conn == nil || s.conn.State() == tcp.SynSent {
			if s.cfg.MSS > 0 {
				return s.cfg.MSS, nil
			}
			return tcpMSSDefault, nil
		}
		return int(s.conn.Info().Snd_mss), nil
	case unix.TCP_KEEPIDLE:
		return int(orDefault(c.KeepIdle, tcp.DefaultKeepIdle) / time.Second), nil
	case unix.TCP_KEEPINTVL:
		return int(orDefault(c.KeepIntvl, tcp.DefaultKeepIntvl) / time.Second), nil
	case unix.TCP_KEEPCNT:
		if c.KeepCnt == 0 {
			return tcp.DefaultKeepCnt, nil
		}
		return c.KeepCnt, nil
	case unix.TCP_USER_TIMEOUT:
		return int(c.UserTimeout / time.Millisecond), nil
	case unix.TCP_LINGER2:
		return int(orDefault(c.Linger2, tcp.DefaultLinger2) / time.Second), nil
	case unix.TCP_QUICKACK:
		return 1, nil
	case unix.TCP_SYNCNT:
		return 6, nil
	}
	return 0, unix.ENOPROTOOPT
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func (s *tcpSocket) setsockoptInt(level, opt, v int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch level {
	case unix.SOL_SOCKET:
		switch opt {
		case unix.SO_KEEPALIVE:
			s.live().KeepAlive = v != 0
		case unix.SO_OOBINLINE:
			// socket(7) SO_OOBINLINE: "out-of-band data is directly placed
			// into the receive data stream"; it applies to the connection
			// at once and to those connect or accept makes later.
			if err := s.setSocketInt(opt, v); err != nil {
				return err
			}
			s.cfg.OOBInline = s.opts.oobinline
			s.live().OOBInline = s.opts.oobinline
			return nil
		case unix.SO_SNDBUF, unix.SO_RCVBUF, unix.SO_SNDBUFFORCE, unix.SO_RCVBUFFORCE:
			// Apply the generic rule, then hand the sizes to a live
			// connection (socket(7): the buffers may change at any time).
			if err := s.setSocketInt(opt, v); err != nil {
				return err
			}
			snd, rcv := 0, 0
			if opt == unix.SO_SNDBUF || opt == unix.SO_SNDBUFFORCE {
				s.opts.sndbufLock, snd = true, s.opts.sndbuf
			} else {
				s.opts.rcvbufLock, rcv = true, s.opts.rcvbuf
			}
			if s.conn != nil {
				s.conn.SetBuffers(snd, rcv)
			}
			return nil
		}
		return errUnhandled
	case unix.IPPROTO_TCP:
		return s.setTCP(opt, v)
	}
	return s.ip.set(&s.sockBase, level, opt, v, s.bnd != nil)
}

// setTCP sets an IPPROTO_TCP option (tcp(7)). Call with s.mu held.
func (s *tcpSocket) setTCP(opt, v int) error {
	c := s.live()
	secs := func(max int) (time.Duration, error) {
		// tcp(7): TCP_KEEPIDLE and friends take 1..32767 seconds.
		if v < 1 || v > max {
			return 0, unix.EINVAL
		}
		return time.Duration(v) * time.Second, nil
	}
	var err error
	switch opt {
	case unix.TCP_NODELAY:
		c.NoDelay = v != 0
	case unix.TCP_CORK:
		c.Cork = v != 0
	case unix.TCP_MAXSEG:
		// tcp(7) TCP_MAXSEG: values outside 88..32767 are EINVAL.
		if v < 88 || v > 32767 {
			return unix.EINVAL
		}
		s.cfg.MSS = v
	case unix.TCP_KEEPIDLE:
		c.KeepIdle, err = secs(32767)
	case unix.TCP_KEEPINTVL:
		c.KeepIntvl, err = secs(32767)
	case unix.TCP_KEEPCNT:
		if v < 1 || v > 127 {
			return unix.EINVAL
		}
		c.KeepCnt = v
	case unix.TCP_USER_TIMEOUT:
		if v < 0 {
			return unix.EINVAL
		}
		c.UserTimeout = time.Duration(v) * time.Millisecond
	case unix.TCP_LINGER2:
		c.Linger2 = time.Duration(max(v, 0)) * time.Second
	case unix.TCP_QUICKACK, unix.TCP_SYNCNT:
		// Accepted; delayed ACKs stay adaptive.
	default:
		return unix.ENOPROTOOPT
	}
	return err
}

// getsockoptString answers TCP_CONGESTION (tcp(7)).
func (s *tcpSocket) getsockoptString(level, opt int) (string, error) {
	if level != unix.IPPROTO_TCP || opt != unix.TCP_CONGESTION {
		return "", errUnhandled
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cc := s.live().CC; cc != "" {
		return cc, nil
	}
	return "cubic", nil
}

// setsockoptString sets TCP_CONGESTION: "cubic" or "reno"; tcp(7): an
// unknown algorithm is ENOENT.
func (s *tcpSocket) setsockoptString(level, opt int, v string) error {
	if level != unix.IPPROTO_TCP || opt != unix.TCP_CONGESTION {
		return errUnhandled
	}
	if i := indexNUL(v); i >= 0 {
		v = v[:i]
	}
	if v != "cubic" && v != "reno" {
		return unix.ENOENT
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		return unix.EBUSY // switching an open connection's controller is not supported
	}
	s.cfg.CC = v
	return nil
}

// getsockoptBytes reads IP_OPTIONS (ip(7)).
func (s *tcpSocket) getsockoptBytes(level, opt, size int) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ip.getOptions(level, opt, size)
}

// setsockoptBytes sets IP_OPTIONS for the connection's segments.
func (s *tcpSocket) setsockoptBytes(level, opt int, b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ip.setOptions(level, opt, b)
}
