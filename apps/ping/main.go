package ping

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/netip"
	"strings"
	"time"

	"sockstack/sock"
)

// ErrUsage reports bad command-line arguments (exit status 2).
var ErrUsage = errors.New("usage error")

// ErrHost reports a destination that is not a numeric address or
// "localhost" (name resolution lives in another package).
var ErrHost = errors.New("Name or service not known")

// usage is the help text Main prints for -h and usage errors.
const usage = `Usage: ping [options] <destination>

Send ICMP ECHO_REQUEST packets to network hosts (iputils ping compatible).

  <destination>  numeric IPv4 or IPv6 address, or "localhost"

Options:
  -4             use IPv4 only
  -6             use IPv6 only
  -c <count>     stop after <count> replies (or timeouts, or errors)
  -i <interval>  seconds between sending each packet (fractional; default 1)
  -M <pmtud>     path MTU discovery: do, dont, want or probe
  -n             numeric output only (always numeric here; accepted)
  -q             quiet: print only the first line and the summary
  -s <size>      number of data bytes to send (default 56)
  -t <ttl>       IP time to live / IPv6 hop limit
  -W <timeout>   seconds to wait for a reply when none has arrived (default 10)
  -w <deadline>  seconds before ping exits, whatever was sent or received

Exit status: 0 if a reply was received, 1 if none was (or, with -c and -w,
fewer than count), 2 on any other error.
`

// options are the parsed flags.
type options struct {
	count                        int
	interval, linger, deadline   float64
	size, ttl                    int
	pmtu                         string
	quiet, numeric, only4, only6 bool
	host                         string
}

// parse parses args as iputils ping does: options may come before or after
// the destination.
func parse(args []string, stderr io.Writer) (*options, error) {
	o := &options{size: DefaultSize, interval: 1, linger: 10}
	fs := flag.NewFlagSet("ping", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), usage) }
	fs.IntVar(&o.count, "c", 0, "stop after `count` replies")
	fs.Float64Var(&o.interval, "i", 1, "seconds between packets")
	fs.IntVar(&o.size, "s", DefaultSize, "data bytes")
	fs.IntVar(&o.ttl, "t", 0, "IP TTL / hop limit")
	fs.Float64Var(&o.linger, "W", 10, "seconds to wait for a reply")
	fs.Float64Var(&o.deadline, "w", 0, "seconds before exit")
	fs.StringVar(&o.pmtu, "M", "", "path MTU discovery: do|dont|want|probe")
	fs.BoolVar(&o.quiet, "q", false, "quiet output")
	fs.BoolVar(&o.numeric, "n", false, "numeric output")
	fs.BoolVar(&o.only4, "4", false, "IPv4 only")
	fs.BoolVar(&o.only6, "6", false, "IPv6 only")
	var hosts []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUsage, err)
		}
		if fs.NArg() == 0 {
			break
		}
		hosts = append(hosts, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(hosts) != 1 {
		return nil, fmt.Errorf("%w: need exactly one destination, got %d", ErrUsage, len(hosts))
	}
	o.host = hosts[0]
	return o, o.check()
}

// check validates the ranges iputils enforces.
func (o *options) check() error {
	bad := func(what string) error { return fmt.Errorf("%w: invalid %s", ErrUsage, what) }
	switch {
	case o.count < 0:
		return bad("count")
	case o.interval < 0 || math.IsNaN(o.interval) || o.interval > 1e6:
		return bad("interval")
	case o.size < 0 || o.size > 65507:
		return bad("packet size")
	case o.ttl < 0 || o.ttl > 255:
		return bad("ttl")
	case o.linger < 0 || math.IsNaN(o.linger) || o.linger > 1e6:
		return bad("timeout")
	case o.deadline < 0 || math.IsNaN(o.deadline) || o.deadline > 1e6:
		return bad("deadline")
	case o.only4 && o.only6:
		return fmt.Errorf("%w: only one of -4 and -6", ErrUsage)
	}
	if _, ok := pmtuModes[o.pmtu]; o.pmtu != "" && !ok {
		return bad("-M argument " + o.pmtu)
	}
	return nil
}

// Resolve turns the destination argument into an address: a numeric IPv4
// or IPv6 address, or "localhost" (127.0.0.1, or ::1 with want6). Any
// other name gives an error wrapping ErrHost.
func Resolve(host string, want4, want6 bool) (netip.Addr, error) {
	var a netip.Addr
	if strings.EqualFold(host, "localhost") {
		a = netip.MustParseAddr("127.0.0.1")
		if want6 {
			a = netip.IPv6Loopback()
		}
	} else {
		var err error
		if a, err = netip.ParseAddr(host); err != nil {
			return netip.Addr{}, fmt.Errorf("%s: %w (only numeric addresses and localhost are supported)", host, ErrHost)
		}
		a = a.Unmap()
	}
	if (want4 && IsIPv6(a)) || (want6 && !IsIPv6(a)) {
		return netip.Addr{}, fmt.Errorf("%s: Address family for hostname not supported", host)
	}
	return a, nil
}

// seconds converts fractional seconds to a Duration.
func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// Main is ping(8) for the sockstack CLI: it parses args (without the
// program name), pings over api and writes what iputils ping writes to
// stdout and stderr. It returns the exit status (0: a reply came back; 1:
// none did, or fewer than -c with -w; 2: any other error) and the error
// behind status 2, which has already been written to stderr. Cancelling ctx
// ends the run as SIGINT ends ping(8): with the summary.
func Main(ctx context.Context, api sock.API, args []string, stdout, stderr io.Writer) (int, error) {
	o, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 2, err
	}
	if err != nil {
		fmt.Fprintf(stderr, "ping: %v\n", err)
		return 2, err
	}
	dst, err := Resolve(o.host, o.only4, o.only6)
	if err != nil {
		fmt.Fprintf(stderr, "ping: %v\n", err)
		return 2, err
	}
	p := &Pinger{API: api, Out: stdout, ErrOut: stderr, Config: Config{
		Dst: dst, Name: o.host, Count: o.count, Interval: seconds(o.interval), Size: o.size,
		TTL: o.ttl, Linger: seconds(o.linger), Deadline: seconds(o.deadline), PMTU: o.pmtu,
		Quiet: o.quiet,
	}}
	if o.size == 0 {
		p.Config.Size = EmptyData
	}
	if o.interval == 0 {
		p.Config.Interval = time.Nanosecond // -i 0: as fast as possible
	}
	st, err := p.Run(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 2, err
	}
	if err := st.WriteSummary(stdout, p.Config.Name); err != nil {
		return 2, err
	}
	return ExitStatus(&st, o.count, o.deadline > 0), nil
}

// ExitStatus is ping(8)'s exit status for a finished run: 1 if no reply
// came back, or if with a deadline fewer than count did; 0 otherwise.
func ExitStatus(st *Stats, count int, deadline bool) int {
	if st.Received == 0 || (deadline && count > 0 && st.Received < count) {
		return 1
	}
	return 0
}
