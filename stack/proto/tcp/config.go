package tcp

import "time"

// Defaults applied by Dial and NewListener to the zero fields of a Config.
const (
	DefaultMSS       = 1460             // IPv4 over Ethernet
	DefaultBuf       = 256 << 10        // send and receive buffer bytes
	DefaultKeepIdle  = 2 * time.Hour    // tcp(7): tcp_keepalive_time
	DefaultKeepIntvl = 75 * time.Second // tcp(7): tcp_keepalive_intvl
	DefaultKeepCnt   = 9                // tcp(7): tcp_keepalive_probes
	DefaultLinger2   = 60 * time.Second // tcp(7): tcp_fin_timeout
	// MSL is the maximum segment lifetime; TIME-WAIT lasts 2*MSL, 60 s like
	// Linux (RFC 9293 §3.4.2 leaves the value to the implementation).
	MSL = 30 * time.Second
)

// Config holds a connection's parameters: socket options and the values the
// shell chooses (ISS, timestamp offset, secret). Dial and NewListener copy
// it; the zero value of a field means its default.
type Config struct {
	MSS    int // our MSS to advertise (TCP_MAXSEG); DefaultMSS if 0
	SndBuf int // send buffer bytes (SO_SNDBUF); DefaultBuf if 0
	// SndBufMax, when above SndBuf, lets the send buffer grow with the
	// congestion window up to it (tcp(7) tcp_wmem's maximum); zero keeps
	// SndBuf fixed, as a socket whose SO_SNDBUF was set has it.
	SndBufMax int
	RcvBuf    int // receive buffer bytes (SO_RCVBUF); DefaultBuf if 0
	// RcvBufMax, when above RcvBuf, lets the receive buffer grow with
	// what the application reads per round trip up to it (tcp(7)
	// tcp_rmem's maximum); zero keeps RcvBuf fixed, as a socket whose
	// SO_RCVBUF was set has it. The window scale is chosen for it.
	RcvBufMax   int
	NoDelay     bool          // TCP_NODELAY: disable Nagle
	Cork        bool          // TCP_CORK: send only full segments
	KeepAlive   bool          // SO_KEEPALIVE
	KeepIdle    time.Duration // TCP_KEEPIDLE
	KeepIntvl   time.Duration // TCP_KEEPINTVL
	KeepCnt     int           // TCP_KEEPCNT
	UserTimeout time.Duration // TCP_USER_TIMEOUT; 0 means retry counts decide
	Linger2     time.Duration // TCP_LINGER2: FIN-WAIT-2 lifetime of a closed socket
	OOBInline   bool          // SO_OOBINLINE: the urgent byte stays in the stream (socket(7))
	WindowScale bool          // offer RFC 7323 window scaling
	Timestamps  bool          // offer RFC 7323 timestamps
	SACK        bool          // offer RFC 2018 SACK
	CC          string        // congestion control: "cubic" (default) or "reno"
	ISS         uint32        // initial send sequence number, chosen by the shell (RFC 6528)
	TSOffset    uint32        // added to the millisecond timestamp clock (RFC 7323 §5.4)
	// Secret keys the Listener's initial sequence numbers (RFC 6528 §3) and
	// SYN cookies (RFC 4987 §3.6); the shell fills it once from a CSPRNG.
	Secret [16]byte
}

func (c *Config) setDefaults() {
	if c.MSS <= 0 {
		c.MSS = DefaultMSS
	}
	c.MSS = min(c.MSS, 65535-40)
	c.MSS = max(c.MSS, minMSS)
	if c.SndBuf <= 0 {
		c.SndBuf = DefaultBuf
	}
	if c.RcvBuf <= 0 {
		c.RcvBuf = DefaultBuf
	}
	c.SndBuf = max(c.SndBuf, 2*minMSS)
	c.RcvBuf = max(c.RcvBuf, 2*minMSS)
	if c.KeepIdle <= 0 {
		c.KeepIdle = DefaultKeepIdle
	}
	if c.KeepIntvl <= 0 {
		c.KeepIntvl = DefaultKeepIntvl
	}
	if c.KeepCnt <= 0 {
		c.KeepCnt = DefaultKeepCnt
	}
	if c.Linger2 <= 0 {
		c.Linger2 = DefaultLinger2
	}
	if c.CC != "reno" {
		c.CC = "cubic"
	}
}

// minMSS is the smallest MSS this package uses, whatever the peer or an
// ICMP message says (RFC 1191 §3: 68-byte minimum MTU less headers, rounded).
const minMSS = 88
