package netstack

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

// MsgSize is the UDP payload size of the UDP workloads and the ICMP
// message size (8-byte header and 56 data bytes, ping's default) of the
// echo workload.
const MsgSize = 64

// Timeouts of the workloads.
const (
	// warmTimeout bounds each warm-up exchange (it includes ARP).
	warmTimeout = 2 * time.Second
	// replyTimeout is how long a request waits for its reply before it
	// counts as lost.
	replyTimeout = time.Second
	// idleTimeout ends a receiver once the sender has stopped and nothing
	// arrived for this long.
	idleTimeout = 50 * time.Millisecond
	// warmRounds is the number of exchanges before measuring, to resolve
	// ARP and fill pools.
	warmRounds = 64
)

// Limit says when a workload stops: after N operations, after D of wall
// time, or at whichever comes first when both are set.
type Limit struct {
	N int64
	D time.Duration
}

// more reports whether operation i (0-based), started at start, should run.
// It reads the clock only every 64 operations.
func (l Limit) more(i int64, start time.Time) bool {
	if l.N > 0 && i >= l.N {
		return false
	}
	if l.D > 0 && i&63 == 0 && i > 0 && time.Since(start) >= l.D {
		return false
	}
	return l.N > 0 || l.D > 0
}

// Result is one measurement of one workload on one stack.
type Result struct {
	// Ops counts what the workload's rate is of: datagrams received
	// (UDP64) or completed round trips (UDPPingPong64, ICMPEcho).
	Ops int64
	// Packets counts the packets the sockets sent in the window (for
	// UDP64, datagrams sent; for round trips, two per round trip): the
	// denominator of AllocsPerPkt.
	Packets int64
	// Lost counts datagrams sent but not received (UDP64) or requests
	// whose reply did not come within a second.
	Lost int64
	// Elapsed is the measured window.
	Elapsed time.Duration
	// Mallocs is the process's heap allocations in the window
	// (runtime.MemStats.Mallocs delta), from every goroutine.
	Mallocs uint64
}

// Rate is Ops per second.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Ops) / r.Elapsed.Seconds()
}

// AllocsPerPkt is Mallocs divided by Packets.
func (r Result) AllocsPerPkt() float64 {
	if r.Packets == 0 {
		return 0
	}
	return float64(r.Mallocs) / float64(r.Packets)
}

// Runner is a workload set up on a Net, ready to measure.
type Runner interface {
	// Run measures until lim is reached.
	Run(lim Limit) (Result, error)
	// Close releases the workload's sockets (not the Net).
	Close() error
}

// Workload is one row of the comparison.
type Workload struct {
	// Name is the benchmark and table name.
	Name string
	// Unit is what Rate counts, per second.
	Unit string
	// Setup opens the workload's sockets on n and warms the path up.
	Setup func(n Net) (Runner, error)
}

// Workloads lists the workloads in table order.
func Workloads() []Workload {
	return []Workload{
		{Name: "UDP64", Unit: "pkts/s", Setup: setupUDPStream},
		{Name: "UDPPingPong64", Unit: "round trips/s", Setup: setupUDPPingPong},
		{Name: "ICMPEcho", Unit: "round trips/s", Setup: setupICMPEcho},
	}
}

// mallocs returns the process's cumulative heap allocation count.
func mallocs() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Mallocs
}

// warmUp exchanges warmRounds datagrams from a to b, each waited for.
func warmUp(a, b Conn, msg, buf []byte) error {
	if err := b.SetRecvTimeout(warmTimeout); err != nil {
		return err
	}
	for range warmRounds {
		if err := a.Send(msg); err != nil {
			return fmt.Errorf("warm-up send: %w", err)
		}
		if _, err := b.Recv(buf); err != nil {
			return fmt.Errorf("warm-up receive: %w", err)
		}
	}
	return nil
}

// closeAll closes every conn and returns the first error.
func closeAll(cs ...Conn) error {
	var errs []error
	for _, c := range cs {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}
