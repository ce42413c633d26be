package traceroute

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"sockstack/apps/ping"
	"sockstack/sock"
)

// ErrUsage reports bad command-line arguments (exit status 2).
var ErrUsage = errors.New("usage error")

// usage is the help text Main prints for -h and usage errors.
const usage = `Usage: traceroute [options] host [packetlen]

Print the route packets take to a network host (traceroute(8) compatible,
numeric output).

  host       numeric IPv4 or IPv6 address, or "localhost"
  packetlen  probe length including IP header (default 60 IPv4, 80 IPv6)

Options:
  -4            use IPv4
  -6            use IPv6
  -f <first>    start from this TTL (default 1)
  -I            use ICMP ECHO probes instead of UDP datagrams
  -m <max>      maximum number of hops (default 30)
  -n            numeric addresses (always numeric here; accepted)
  -p <port>     UDP: first destination port (default 33434, +1 per probe);
                ICMP: first sequence number (default 1)
  -q <nqueries> probes per hop (default 3)
  -w <wait>     seconds to wait for each answer (fractional; default 5)
`

// options are the parsed flags.
type options struct {
	first, max, queries, port, packetLen int
	wait                                 float64
	icmp, numeric, only4, only6          bool
	host                                 string
}

// parse parses args; options may come before or after the operands.
func parse(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("traceroute", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), usage) }
	fs.IntVar(&o.first, "f", 1, "first TTL")
	fs.IntVar(&o.max, "m", DefaultMaxTTL, "max TTL")
	fs.IntVar(&o.queries, "q", DefaultQueries, "probes per hop")
	fs.Float64Var(&o.wait, "w", DefaultWait.Seconds(), "seconds to wait")
	fs.IntVar(&o.port, "p", 0, "first port or sequence number")
	fs.BoolVar(&o.icmp, "I", false, "ICMP echo probes")
	fs.BoolVar(&o.numeric, "n", false, "numeric output")
	fs.BoolVar(&o.only4, "4", false, "IPv4")
	fs.BoolVar(&o.only6, "6", false, "IPv6")
	var operands []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUsage, err)
		}
		if fs.NArg() == 0 {
			break
		}
		operands = append(operands, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(operands) < 1 || len(operands) > 2 {
		return nil, fmt.Errorf("%w: want host [packetlen]", ErrUsage)
	}
	o.host = operands[0]
	if len(operands) == 2 {
		n, err := strconv.Atoi(operands[1])
		if err != nil || n < 28 || n > 65000 {
			return nil, fmt.Errorf("%w: bad packet length %q", ErrUsage, operands[1])
		}
		o.packetLen = n
	}
	return o, o.check()
}

// check validates ranges as traceroute(8) does.
func (o *options) check() error {
	bad := func(what string) error { return fmt.Errorf("%w: %s", ErrUsage, what) }
	switch {
	case o.max < 1 || o.max > 255:
		return bad("max hops cannot be more than 255")
	case o.first < 1 || o.first > o.max:
		return bad("first hop out of range")
	case o.queries < 1 || o.queries > 10:
		return bad("no more than 10 probes per hop")
	case o.wait <= 0 || math.IsNaN(o.wait) || o.wait > 1e6:
		return bad("bad wait specifications")
	case o.port < 0 || o.port > 65535:
		return bad("bad port")
	case o.only4 && o.only6:
		return bad("only one of -4 and -6")
	}
	return nil
}

// Main is traceroute(8) for the sockstack CLI: it parses args (without
// the program name), traces over api and writes traceroute -n's output to
// stdout. It returns the exit status (0 when the trace ran, 1 when it
// failed, 2 on a usage error) and the error behind a non-zero status,
// already written to stderr. Cancelling ctx stops the trace.
func Main(ctx context.Context, api sock.API, args []string, stdout, stderr io.Writer) (int, error) {
	o, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 2, err
	}
	if err != nil {
		fmt.Fprintf(stderr, "traceroute: %v\n", err)
		return 2, err
	}
	dst, err := ping.Resolve(o.host, o.only4, o.only6)
	if err != nil {
		fmt.Fprintf(stderr, "traceroute: %v\n", err)
		return 2, err
	}
	t := &Tracer{API: api, Out: stdout, Config: Config{
		Dst: dst, Name: o.host, FirstTTL: o.first, MaxTTL: o.max, Queries: o.queries,
		Wait: time.Duration(o.wait * float64(time.Second)), ICMP: o.icmp, Port: o.port, PacketLen: o.packetLen,
	}}
	if o.icmp && o.port == 0 {
		t.Config.Port = 1
	}
	if _, err := t.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 1, err
	}
	return 0, nil
}
