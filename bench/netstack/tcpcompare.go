package netstack

import (
	"fmt"
	"io"
	"slices"
	"syscall"
	"text/tabwriter"
	"time"
)

// IdleConns is the number of idle connections of the heap measurement.
const IdleConns = 10000

// TCPMeasurement is one run of every TCP workload on one stack.
type TCPMeasurement struct {
	// Bulk1500 and Bulk65535 are the bulk transfers at those MTUs.
	Bulk1500, Bulk65535 BulkResult
	// RR is the 1-byte request/response run.
	RR RRResult
	// ConnsPerSec is the connection rate.
	ConnsPerSec float64
	// IdleBytes is memory per idle established endpoint, measured with
	// IdleConns connections.
	IdleBytes float64
	IdleConns int
}

// IdleFunc measures memory per idle endpoint of the named stack with up
// to conns connections, returning the figure and the connections held.
type IdleFunc func(stack string, conns int) (float64, int, error)

// MeasureIdle is the in-process IdleFunc: IdleHeap on a fresh TCPNet of the
// named stack. Garbage other workloads left in the process (a stack's
// TIME-WAIT connections live a minute) distorts it when freed during the
// measurement, so netbench runs it in a fresh process for each figure.
func MeasureIdle(stack string, conns int) (float64, int, error) {
	for _, s := range TCPStacks() {
		if s.Name != stack {
			continue
		}
		held := conns
		v, err := onNet(s, 1500, func(n TCPNet) (float64, error) {
			if _, ok := n.(kernelMemory); ok {
				// Each kernel connection holds two descriptors here.
				held = min(conns, fileLimit()/2-256)
			}
			return IdleHeap(n, held)
		})
		return v, held, err
	}
	return 0, 0, fmt.Errorf("no stack %q", stack)
}

// MeasureTCP runs every TCP workload once on s, each on a fresh TCPNet,
// the timed ones for d each, and the idle-memory one through idleFn
// (MeasureIdle if nil).
func MeasureTCP(s TCPStack, d time.Duration, idle int, idleFn IdleFunc) (TCPMeasurement, error) {
	var m TCPMeasurement
	var err error
	if idleFn == nil {
		idleFn = MeasureIdle
	}
	if m.IdleBytes, m.IdleConns, err = idleFn(s.Name, idle); err != nil {
		return m, fmt.Errorf("idle connections: %w", err)
	}
	if m.Bulk1500, err = onNet(s, 1500, func(n TCPNet) (BulkResult, error) { return Bulk(n, Limit{D: d}) }); err != nil {
		return m, fmt.Errorf("bulk 1500: %w", err)
	}
	if m.Bulk65535, err = onNet(s, 65535, func(n TCPNet) (BulkResult, error) { return Bulk(n, Limit{D: d}) }); err != nil {
		return m, fmt.Errorf("bulk 65535: %w", err)
	}
	if m.RR, err = onNet(s, 1500, func(n TCPNet) (RRResult, error) { return RR(n, Limit{D: d}) }); err != nil {
		return m, fmt.Errorf("rr: %w", err)
	}
	m.ConnsPerSec, err = onNet(s, 1500, func(n TCPNet) (float64, error) {
		c, el, err := ConnRate(n, Limit{D: d})
		return float64(c) / el.Seconds(), err
	})
	if err != nil {
		return m, fmt.Errorf("connections: %w", err)
	}
	return m, nil
}

// fileLimit is RLIMIT_NOFILE's soft limit.
func fileLimit() int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 1024
	}
	return int(min(lim.Cur, 1<<30))
}

// onNet runs f on a fresh TCPNet of s at mtu and closes it.
func onNet[T any](s TCPStack, mtu int, f func(TCPNet) (T, error)) (T, error) {
	n, err := s.New(mtu)
	if err != nil {
		var zero T
		return zero, err
	}
	defer n.Close()
	return f(n)
}

// CompareTCP measures every stack of TCPStacks opts.Runs times, alternating
// which stack goes first, and returns the measurements per stack.
func CompareTCP(opts Options, idle int, idleFn IdleFunc) ([][]TCPMeasurement, error) {
	opts.Runs = max(opts.Runs, 1)
	if opts.Duration <= 0 {
		opts.Duration = 2 * time.Second
	}
	stacks := TCPStacks()
	out := make([][]TCPMeasurement, len(stacks))
	for run := range opts.Runs {
		for k := range stacks {
			i := (k + run) % len(stacks)
			m, err := MeasureTCP(stacks[i], opts.Duration, idle, idleFn)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", stacks[i].Name, err)
			}
			if opts.Progress != nil {
				fmt.Fprintf(opts.Progress, "run %d %-9s bulk %.2f/%.2f Gbit/s, rr %.0f/s p50 %v p99 %v, %.0f conn/s, %.0f B/idle endpoint\n",
					run+1, stacks[i].Name, m.Bulk1500.Gbps(), m.Bulk65535.Gbps(), m.RR.Rate(),
					m.RR.P50, m.RR.P99, m.ConnsPerSec, m.IdleBytes)
			}
			out[i] = append(out[i], m)
		}
	}
	return out, nil
}

// tcpRow is one line of the TCP table: how to read the figure out of a
// measurement, and whether more is better.
type tcpRow struct {
	name, unit string
	f          func(TCPMeasurement) float64
	format     string
}

func tcpRows() []tcpRow {
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	return []tcpRow{
		{"bulk MTU 1500", "Gbit/s", func(m TCPMeasurement) float64 { return m.Bulk1500.Gbps() }, "%.2f"},
		{"bulk MTU 1500 CPU", "s/GiB", func(m TCPMeasurement) float64 { return m.Bulk1500.CPUPerGiB() }, "%.2f"},
		{"bulk MTU 65535", "Gbit/s", func(m TCPMeasurement) float64 { return m.Bulk65535.Gbps() }, "%.2f"},
		{"bulk MTU 65535 CPU", "s/GiB", func(m TCPMeasurement) float64 { return m.Bulk65535.CPUPerGiB() }, "%.2f"},
		{"1-byte RR", "round trips/s", func(m TCPMeasurement) float64 { return m.RR.Rate() }, "%.0f"},
		{"1-byte RR p50", "µs", func(m TCPMeasurement) float64 { return us(m.RR.P50) }, "%.1f"},
		{"1-byte RR p99", "µs", func(m TCPMeasurement) float64 { return us(m.RR.P99) }, "%.1f"},
		{"connections", "conn/s", func(m TCPMeasurement) float64 { return m.ConnsPerSec }, "%.0f"},
		{"idle connection", "bytes/endpoint", func(m TCPMeasurement) float64 { return m.IdleBytes }, "%.0f"},
	}
}

// WriteTCPTable prints the medians of ms (TCPStacks order: sockstack,
// gVisor, Linux) and the ratios of sockstack's figure to the others'.
func WriteTCPTable(out io.Writer, ms [][]TCPMeasurement) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "TCP workload\tunit\tsockstack\tgVisor\tLinux\tsockstack/gVisor\tsockstack/Linux\t")
	for _, row := range tcpRows() {
		v := make([]float64, len(ms))
		for i := range ms {
			v[i] = medianOf(ms[i], row.f)
		}
		ratio := func(a, b float64) string {
			if b == 0 {
				return "-"
			}
			return fmt.Sprintf("%.2f", a/b)
		}
		fmt.Fprintf(tw, "%s\t%s\t"+row.format+"\t"+row.format+"\t"+row.format+"\t%s\t%s\t\n",
			row.name, row.unit, v[0], v[1], v[2], ratio(v[0], v[1]), ratio(v[0], v[2]))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	names := []string{"sockstack", "gVisor", "Linux"}
	fmt.Fprint(out, "idle connections held:")
	for i := range ms {
		if len(ms[i]) > 0 {
			fmt.Fprintf(out, " %s %d", names[i], ms[i][0].IdleConns)
		}
	}
	fmt.Fprintln(out)
	return nil
}

// medianOf is the median of f over ms.
func medianOf[T any](ms []T, f func(T) float64) float64 {
	if len(ms) == 0 {
		return 0
	}
	v := make([]float64, len(ms))
	for i, m := range ms {
		v[i] = f(m)
	}
	slices.Sort(v)
	k := len(v) / 2
	if len(v)%2 == 0 {
		return (v[k-1] + v[k]) / 2
	}
	return v[k]
}
