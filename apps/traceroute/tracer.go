package traceroute

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

// Defaults of traceroute(8).
const (
	DefaultMaxTTL  = 30
	DefaultQueries = 3
	DefaultWait    = 5 * time.Second
	// DefaultPort is the first UDP destination port; each probe uses the
	// next one.
	DefaultPort = 33434
	// DefaultPacketLen4 and DefaultPacketLen6 are the probe sizes with
	// IP headers: 32 bytes of data after the 8-byte UDP or ICMP header.
	DefaultPacketLen4 = 60
	DefaultPacketLen6 = 80
)

// Config is what one trace does. Zero fields mean traceroute's defaults.
type Config struct {
	// Dst is the destination; Name is how the user wrote it.
	Dst  netip.Addr
	Name string
	// FirstTTL (-f) and MaxTTL (-m) bound the TTLs probed.
	FirstTTL, MaxTTL int
	// Queries is the number of probes per hop (-q).
	Queries int
	// Wait is how long to wait for each probe's answer (-w).
	Wait time.Duration
	// ICMP sends ICMP echo requests instead of UDP datagrams (-I).
	ICMP bool
	// Port is the first UDP destination port, or with ICMP the first
	// sequence number (-p).
	Port int
	// PacketLen is the probe's length with its IP header.
	PacketLen int
	// ID is the echo identifier of ICMP probes; 0 picks one at random.
	ID uint16
}

func (c Config) withDefaults() Config {
	c.Dst = c.Dst.Unmap()
	if c.Name == "" {
		c.Name = c.Dst.String()
	}
	if c.FirstTTL <= 0 {
		c.FirstTTL = 1
	}
	if c.MaxTTL <= 0 {
		c.MaxTTL = DefaultMaxTTL
	}
	if c.Queries <= 0 {
		c.Queries = DefaultQueries
	}
	if c.Wait <= 0 {
		c.Wait = DefaultWait
	}
	if c.Port <= 0 {
		c.Port = DefaultPort
		if c.ICMP {
			c.Port = 1
		}
	}
	if c.PacketLen <= 0 {
		c.PacketLen = DefaultPacketLen4
		if v6(c.Dst) {
			c.PacketLen = DefaultPacketLen6
		}
	}
	if c.ID == 0 {
		c.ID = uint16(1 + rand.N(0xffff))
	}
	return c
}

// v6 reports whether a is traced over IPv6.
func v6(a netip.Addr) bool { return a.Is6() && !a.Is4In6() }

// ipHeaderLen is the IPv4 (RFC 791) or IPv6 (RFC 8200) header length.
func ipHeaderLen(a netip.Addr) int {
	if v6(a) {
		return 40
	}
	return 20
}

// Result is a finished trace.
type Result struct {
	Hops []Hop
	// Reached reports that the destination answered.
	Reached bool
}

// Tracer traces the route to Config.Dst over API.
type Tracer struct {
	API    sock.API
	Config Config
	// Out receives the header and one line per hop (nil discards).
	Out io.Writer
}

// tracing is the state of one Run.
type tracing struct {
	t       *Tracer
	c       Config
	v6      bool
	raw     int // raw ICMP socket: receives answers, sends ICMP probes
	udp     int // UDP socket for UDP probes, else -1
	lport   uint16
	to      unix.Sockaddr
	rx      *probe.Receiver
	echo    *probe.Echo
	payload []byte
	msg     probe.Message
	sent    int // probes sent so far
}

// Run traces until the destination answers, an unreachable ends the trace,
// MaxTTL is probed, or ctx ends (ctx's error is then returned with the
// hops so far).
func (t *Tracer) Run(ctx context.Context) (Result, error) {
	c := t.Config.withDefaults()
	if !c.Dst.IsValid() {
		return Result{}, errors.New("traceroute: no destination")
	}
	dataLen := c.PacketLen - ipHeaderLen(c.Dst) - 8
	if dataLen < 0 || c.PacketLen > 65000 {
		return Result{}, fmt.Errorf("traceroute: bad packet length %d", c.PacketLen)
	}
	tr := &tracing{t: t, c: c, v6: v6(c.Dst), raw: -1, udp: -1}
	if err := tr.open(dataLen); err != nil {
		return Result{}, fmt.Errorf("traceroute: %w", err)
	}
	defer tr.close()
	tr.printf("%s\n", Header(c.Name, c.Dst, c.MaxTTL, c.PacketLen))
	var res Result
	for ttl := c.FirstTTL; ttl <= c.MaxTTL; ttl++ {
		hop := Hop{TTL: ttl, Probes: make([]Probe, 0, c.Queries)}
		for range c.Queries {
			p, err := tr.probe(ctx, ttl)
			if err != nil {
				return res, err
			}
			hop.Probes = append(hop.Probes, p)
			res.Reached = res.Reached || p.Reached
		}
		res.Hops = append(res.Hops, hop)
		tr.printf("%s\n", hop.String())
		if hop.Final() {
			break
		}
	}
	return res, nil
}

func (tr *tracing) printf(format string, args ...any) {
	if tr.t.Out != nil {
		fmt.Fprintf(tr.t.Out, format, args...)
	}
}
