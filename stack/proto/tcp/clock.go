package tcp

import "time"

// tick is a compact clock reading: nanoseconds after a connection's clock
// base, plus one, so that zero can mean "unset". Eight bytes instead of a
// time.Time's twenty-four keep an idle connection small.
type tick int64

// clock converts between time.Time and tick for one connection.
type clock struct{ base time.Time }

// tick returns t as a reading; times before the base read as the base.
// time.Time.Sub keeps the monotonic clock, so wall-clock steps do not
// move timers.
func (c clock) tick(t time.Time) tick {
	return tick(max(t.Sub(c.base), 0)) + 1
}

// time returns the time of reading r, or the zero time for zero.
func (c clock) time(r tick) time.Time {
	if r == 0 {
		return time.Time{}
	}
	return c.base.Add(time.Duration(r - 1))
}
