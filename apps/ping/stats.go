package ping

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
)

// Stats are the counters ping prints when it ends.
type Stats struct {
	// Transmitted counts echo requests sent.
	Transmitted int
	// Received counts distinct echo replies.
	Received int
	// Duplicates counts replies to a sequence number already answered.
	Duplicates int
	// Errors counts ICMP error messages about our requests and local send
	// errors.
	Errors int
	// Timed counts replies whose round-trip time is known (the data has
	// room for a timestamp).
	Timed int
	// Min and Max are the extreme round-trip times, in microseconds as
	// iputils keeps them.
	Min, Max int64
	// Sum and Sum2 are the sum of round-trip times and of their squares,
	// in microseconds.
	Sum, Sum2 int64
	// Elapsed is the time from the first to the last transmission.
	Elapsed time.Duration
	// Pipe is the largest number of requests outstanding at once.
	Pipe int
}

// AddRTT records one round-trip time.
func (s *Stats) AddRTT(rtt time.Duration) {
	us := rtt.Microseconds()
	if us < 0 {
		us = 0
	}
	if s.Timed == 0 || us < s.Min {
		s.Min = us
	}
	if us > s.Max {
		s.Max = us
	}
	s.Timed++
	s.Sum += us
	s.Sum2 += us * us
}

// Avg returns the mean round-trip time in microseconds, truncated as
// iputils truncates it.
func (s *Stats) Avg() int64 {
	if s.Timed == 0 {
		return 0
	}
	return s.Sum / int64(s.Timed)
}

// Mdev returns the mean deviation iputils prints, in microseconds: the
// integer square root of the variance computed in integers as
// (Σt² − (Σt)²/n) / n.
func (s *Stats) Mdev() int64 {
	n := int64(s.Timed)
	if n == 0 {
		return 0
	}
	v := (s.Sum2 - s.Sum*s.Sum/n) / n
	return isqrt(v)
}

// isqrt returns the largest r with r*r <= v (0 for v <= 0).
func isqrt(v int64) int64 {
	if v <= 0 {
		return 0
	}
	r := int64(math.Sqrt(float64(v)))
	for r > 0 && (r > 3037000499 || r*r > v) { // 3037000499² < 2⁶³
		r--
	}
	for r < 3037000499 && (r+1)*(r+1) <= v {
		r++
	}
	return r
}

// Loss returns the packet loss in percent.
func (s *Stats) Loss() float64 {
	if s.Transmitted == 0 {
		return 0
	}
	return float64(s.Transmitted-s.Received) * 100 / float64(s.Transmitted)
}

// usec formats microseconds as milliseconds with three decimals.
func usec(us int64) string {
	return fmt.Sprintf("%d.%03d", us/1000, us%1000)
}

// WriteSummary writes iputils' closing block for destination name:
//
//	--- 10.0.0.2 ping statistics ---
//	3 packets transmitted, 3 received, 0% packet loss, time 2003ms
//	rtt min/avg/max/mdev = 0.040/0.045/0.050/0.004 ms
func (s *Stats) WriteSummary(w io.Writer, name string) error {
	line := fmt.Sprintf("\n--- %s ping statistics ---\n%d packets transmitted, %d received",
		name, s.Transmitted, s.Received)
	if s.Duplicates > 0 {
		line += fmt.Sprintf(", +%d duplicates", s.Duplicates)
	}
	if s.Errors > 0 {
		line += fmt.Sprintf(", +%d errors", s.Errors)
	}
	if s.Transmitted > 0 {
		// iputils prints the loss with C's %g: six significant digits.
		line += ", " + strconv.FormatFloat(s.Loss(), 'g', 6, 64) + "% packet loss"
	}
	line += fmt.Sprintf(", time %dms\n", s.Elapsed.Milliseconds())
	sep := ""
	if s.Received > 0 && s.Timed > 0 {
		line += fmt.Sprintf("rtt min/avg/max/mdev = %s/%s/%s/%s ms",
			usec(s.Min), usec(s.Avg()), usec(s.Max), usec(s.Mdev()))
		sep = ", "
	}
	if s.Pipe > 1 {
		line += fmt.Sprintf("%spipe %d", sep, s.Pipe)
	}
	_, err := io.WriteString(w, line+"\n")
	return err
}

// FormatRTT formats a round-trip time as iputils does in a reply line:
// three decimals below 1 ms, two below 10 ms, one below 100 ms, none above.
func FormatRTT(rtt time.Duration) string {
	us := max(rtt.Microseconds(), 0)
	switch {
	case us >= 100000-50:
		return fmt.Sprintf("%d", (us+500)/1000)
	case us >= 10000-5:
		return fmt.Sprintf("%d.%01d", (us+50)/1000, ((us+50)%1000)/100)
	case us >= 1000:
		return fmt.Sprintf("%d.%02d", (us+5)/1000, ((us+5)%1000)/10)
	}
	return usec(us)
}
