package netstack

import (
	"fmt"
	"io"
	"runtime"
	"text/tabwriter"
	"time"
)

// Options configures Compare.
type Options struct {
	// Runs is how many times each workload runs on each stack; the table
	// shows medians. Zero means 1.
	Runs int
	// Duration is the length of each measurement; zero means 2 s.
	Duration time.Duration
	// Progress, if non-nil, gets one line per measurement.
	Progress io.Writer
}

// Row holds every measurement of one workload: Results[i][run] for stack
// Stacks()[i].
type Row struct {
	Workload Workload
	Results  [][]Result
}

// Compare runs every workload on every stack opts.Runs times, each on a
// fresh Net, alternating which stack goes first from run to run.
func Compare(opts Options) ([]Row, error) {
	opts.Runs = max(opts.Runs, 1)
	if opts.Duration <= 0 {
		opts.Duration = 2 * time.Second
	}
	stacks := Stacks()
	var rows []Row
	for _, w := range Workloads() {
		row := Row{Workload: w, Results: make([][]Result, len(stacks))}
		for run := range opts.Runs {
			for k := range stacks {
				i := (k + run) % len(stacks)
				r, err := Measure(stacks[i], w, Limit{D: opts.Duration})
				if err != nil {
					return nil, fmt.Errorf("%s on %s: %w", w.Name, stacks[i].Name, err)
				}
				if opts.Progress != nil {
					fmt.Fprintf(opts.Progress, "run %d %-14s %-9s %12.0f %s  %.3f allocs/pkt  sent %d lost %d\n",
						run+1, w.Name, stacks[i].Name, r.Rate(), w.Unit, r.AllocsPerPkt(), r.Packets, r.Lost)
				}
				row.Results[i] = append(row.Results[i], r)
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// Measure runs workload w once on a fresh Net of stack s.
func Measure(s Stack, w Workload, lim Limit) (Result, error) {
	n, err := s.New()
	if err != nil {
		return Result{}, err
	}
	defer n.Close()
	r, err := w.Setup(n)
	if err != nil {
		return Result{}, err
	}
	defer r.Close()
	runtime.GC()
	return r.Run(lim)
}

// median returns the median of f over rs (the mean of the middle two for
// an even count).
func median(rs []Result, f func(Result) float64) float64 { return medianOf(rs, f) }

// WriteTable prints rows as one table: the median rate per stack, the
// ratio sockstack/gVisor and the median allocations per packet. It
// assumes Stacks() order: sockstack, then gVisor.
func WriteTable(out io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\tunit\tsockstack\tgVisor\tratio\tsockstack allocs/pkt\tgVisor allocs/pkt\t")
	for _, row := range rows {
		rate := func(i int) float64 { return median(row.Results[i], Result.Rate) }
		allocs := func(i int) float64 { return median(row.Results[i], Result.AllocsPerPkt) }
		ratio := 0.0
		if g := rate(1); g > 0 {
			ratio = rate(0) / g
		}
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%.0f\t%.2f\t%.3f\t%.3f\t\n",
			row.Workload.Name, row.Workload.Unit, rate(0), rate(1), ratio, allocs(0), allocs(1))
	}
	return tw.Flush()
}
