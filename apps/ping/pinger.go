package ping

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/apps/ping/probe"
	"sockstack/sock"
)

// Defaults of iputils ping.
const (
	// DefaultSize is the number of data bytes: 56, 64 with the ICMP header.
	DefaultSize = 56
	// EmptyData as Config.Size sends echo requests without data.
	EmptyData = -1
	// DefaultInterval is the time between requests.
	DefaultInterval = time.Second
	// DefaultLinger is how long ping waits for a reply after the last
	// request when none has arrived (-W).
	DefaultLinger = 10 * time.Second
	// minLinger is the least ping waits after the last request once a
	// reply has arrived; iputils waits two round-trip times, which on
	// loopback is microseconds.
	minLinger = 50 * time.Millisecond
)

// Config is what one ping run does. The zero value of each field but Dst
// means the iputils default.
type Config struct {
	// Dst is the destination (IPv4, or IPv6 for ICMPv6 echo).
	Dst netip.Addr
	// Name is the destination as the user wrote it (default Dst).
	Name string
	// Count stops after this many requests (-c); 0 sends until Deadline
	// or the context ends.
	Count int
	// Interval is the time between requests (-i).
	Interval time.Duration
	// Size is the number of data bytes (-s); 0 means DefaultSize and
	// EmptyData sends none.
	Size int
	// TTL is the IPv4 TTL or IPv6 hop limit (-t); 0 keeps the default.
	TTL int
	// Linger is how long to wait for a reply after the last request when
	// no reply has arrived (-W).
	Linger time.Duration
	// Deadline ends the run this long after it starts, whatever was sent
	// or received (-w); 0 means none.
	Deadline time.Duration
	// PMTU is the path MTU discovery mode (-M): "do" (set DF, never
	// fragment), "dont" (fragment), "want" (DF per path MTU), "probe"; ""
	// keeps the kernel's default.
	PMTU string
	// ID is the echo identifier; 0 picks a random one.
	ID uint16
	// Quiet prints only the header line and the summary (-q).
	Quiet bool
}

// pmtuModes maps -M's argument to ip(7)'s IP_PMTUDISC_* values.
var pmtuModes = map[string]int{
	"do": unix.IP_PMTUDISC_DO, "dont": unix.IP_PMTUDISC_DONT,
	"want": unix.IP_PMTUDISC_WANT, "probe": unix.IP_PMTUDISC_PROBE,
}

// Reply is one echo reply as ping reports it.
type Reply struct {
	// Seq is the echo sequence number.
	Seq uint16
	// From is the replying address.
	From netip.Addr
	// Bytes is the ICMP length of the reply.
	Bytes int
	// TTL is the received TTL or hop limit, -1 if unknown.
	TTL int
	// RTT is the round-trip time when Timed.
	RTT time.Duration
	// Timed reports whether the reply carried our timestamp.
	Timed bool
	// Dup reports a second reply to the same request.
	Dup bool
}

// Pinger sends echo requests and collects replies over API.
type Pinger struct {
	// API is the sockets provider.
	API sock.API
	// Config says what to do.
	Config Config
	// Out receives the header and per-packet lines (nil discards).
	Out io.Writer
	// ErrOut receives local errors such as a failed send (nil discards).
	ErrOut io.Writer
	// OnReply, if set, is called for every echo reply, duplicates too.
	OnReply func(Reply)
	// OnError, if set, is called for every ICMP error about a request.
	OnError func(seq uint16, m *probe.Message)
}

// IsIPv6 reports whether a is pinged with ICMPv6.
func IsIPv6(a netip.Addr) bool { return a.Is6() && !a.Is4In6() }

// withDefaults fills the zero fields of c.
func (c Config) withDefaults() Config {
	c.Dst = c.Dst.Unmap()
	if c.Name == "" {
		c.Name = c.Dst.String()
	}
	if c.Interval <= 0 {
		c.Interval = DefaultInterval
	}
	if c.Size == 0 {
		c.Size = DefaultSize
	} else if c.Size < 0 {
		c.Size = 0
	}
	if c.Linger <= 0 {
		c.Linger = DefaultLinger
	}
	if c.ID == 0 {
		c.ID = uint16(1 + rand.N(0xffff))
	}
	return c
}

// Header returns ping's first line, for example
// "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.".
func (c Config) Header() string {
	c = c.withDefaults()
	if IsIPv6(c.Dst) {
		return fmt.Sprintf("PING %s(%s) %d data bytes", c.Name, c.Dst, c.Size)
	}
	// RFC 791 §3.1: a 20-byte IPv4 header without options; RFC 792: an
	// 8-byte ICMP echo header.
	return fmt.Sprintf("PING %s (%s) %d(%d) bytes of data.", c.Name, c.Dst, c.Size, c.Size+probe.HeaderLen+20)
}

// open creates and configures the raw socket.
func (p *Pinger) open(c *Config) (int, error) {
	v6 := IsIPv6(c.Dst)
	keep := []uint8{probe.ICMPv4EchoReply, probe.ICMPv4DestUnreach, probe.ICMPv4SourceQuench,
		probe.ICMPv4Redirect, probe.ICMPv4TimeExceeded, probe.ICMPv4ParamProblem}
	if v6 {
		keep = []uint8{probe.ICMPv6EchoReply, probe.ICMPv6DestUnreach, probe.ICMPv6PacketTooBig,
			probe.ICMPv6TimeExceeded, probe.ICMPv6ParamProblem}
	}
	fd, err := probe.OpenICMP(p.API, v6, keep...)
	if err != nil {
		return -1, err
	}
	if c.TTL > 0 {
		if err := probe.SetHopLimit(p.API, fd, v6, c.TTL); err != nil {
			p.API.Close(fd)
			return -1, fmt.Errorf("setsockopt(TTL %d): %w", c.TTL, err)
		}
	}
	if c.PMTU != "" {
		mode, ok := pmtuModes[c.PMTU]
		if !ok {
			p.API.Close(fd)
			return -1, fmt.Errorf("%w: -M %q (want do, dont, want or probe)", ErrUsage, c.PMTU)
		}
		// ip(7) IP_MTU_DISCOVER, ipv6(7) IPV6_MTU_DISCOVER: the same
		// four modes.
		level, opt := unix.IPPROTO_IP, unix.IP_MTU_DISCOVER
		if v6 {
			level, opt = unix.IPPROTO_IPV6, unix.IPV6_MTU_DISCOVER
		}
		if err := p.API.SetsockoptInt(fd, level, opt, mode); err != nil {
			p.API.Close(fd)
			return -1, fmt.Errorf("setsockopt(MTU_DISCOVER): %w", err)
		}
	}
	return fd, nil
}

// Run pings until Count requests are answered or have timed out, the
// Deadline passes, or ctx ends (which, like SIGINT for ping(8), ends the
// run normally). It writes the header and per-packet lines to Out but not
// the summary: call Stats.WriteSummary. The error reports a failure to set
// up the socket.
func (p *Pinger) Run(ctx context.Context) (Stats, error) {
	c := p.Config.withDefaults()
	if !c.Dst.IsValid() {
		return Stats{}, errors.New("ping: no destination")
	}
	fd, err := p.open(&c)
	if err != nil {
		return Stats{}, fmt.Errorf("ping: %w", err)
	}
	defer p.API.Close(fd)
	r := &run{
		p: p, c: &c, fd: fd, v6: IsIPv6(c.Dst),
		echo: probe.NewEcho(IsIPv6(c.Dst), c.ID, c.Size),
		rx:   probe.NewReceiver(p.API, fd, IsIPv6(c.Dst), max(c.Size+probe.HeaderLen+120, 1500)),
		to:   probe.SockaddrOf(c.Dst, 0),
	}
	r.printf("%s\n", c.Header())
	err = r.loop(ctx)
	if ctx.Err() != nil {
		err = nil
	}
	return r.st, err
}
