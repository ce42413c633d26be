package ping

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/apps/ping/probe"
)

// run is the state of one Pinger.Run.
type run struct {
	p    *Pinger
	c    *Config
	fd   int
	v6   bool
	echo *probe.Echo
	rx   *probe.Receiver
	to   unix.Sockaddr
	st   Stats
	msg  probe.Message
	// start and last are the times of the first and latest request.
	start, last time.Time
	// answered holds one bit per sequence number, set by the first
	// reply, to tell duplicates (iputils keeps the same table).
	answered [1 << 16 / 8]byte
}

func (r *run) printf(format string, args ...any) {
	if r.p.Out != nil {
		fmt.Fprintf(r.p.Out, format, args...)
	}
}

// done reports whether every one of Count requests is accounted for.
func (r *run) done() bool {
	return r.c.Count > 0 && r.st.Received+r.st.Errors >= r.c.Count
}

// loop is the main loop: send on schedule, wait for and handle replies.
func (r *run) loop(ctx context.Context) error {
	r.start = time.Now()
	next := r.start
	var end time.Time
	if r.c.Deadline > 0 {
		end = r.start.Add(r.c.Deadline)
	}
	for !r.done() {
		now := time.Now()
		if !end.IsZero() && !now.Before(end) {
			break
		}
		more := r.c.Count == 0 || r.st.Transmitted < r.c.Count
		if more && !now.Before(next) {
			r.send(now)
			next = next.Add(r.c.Interval)
			continue
		}
		wake := next
		if !more {
			if !end.IsZero() {
				wake = end
			} else if wake = r.last.Add(r.linger()); !now.Before(wake) {
				break
			}
		}
		if !end.IsZero() && end.Before(wake) {
			wake = end
		}
		readable, err := probe.Wait(ctx, r.p.API, r.fd, wake)
		if err != nil {
			return err
		}
		if readable {
			if err := r.drain(); err != nil {
				return err
			}
		}
	}
	return nil
}

// linger is how long to wait after the last request: -W while nothing has
// been received, otherwise two round-trip times as iputils does (at least
// minLinger).
func (r *run) linger() time.Duration {
	if r.st.Received == 0 {
		return r.c.Linger
	}
	return max(2*time.Duration(r.st.Max)*time.Microsecond, minLinger)
}

// send transmits the next request; a send error is reported and counted
// as an error, as iputils counts it.
func (r *run) send(now time.Time) {
	r.st.Transmitted++
	seq := uint16(r.st.Transmitted)
	r.answered[seq/8] &^= 1 << (seq % 8)
	if r.st.Transmitted == 1 {
		r.start = now
	}
	r.last = now
	r.st.Elapsed = now.Sub(r.start)
	if err := r.p.API.Sendto(r.fd, r.echo.Packet(seq, now), 0, r.to); err != nil {
		r.st.Errors++
		if r.p.ErrOut != nil {
			fmt.Fprintf(r.p.ErrOut, "ping: sendmsg: %v\n", err)
		}
		return
	}
}

// outstanding records how many requests were in flight when the answer to
// seq arrived: the "pipe" iputils reports.
func (r *run) outstanding(seq uint16) {
	r.st.Pipe = max(r.st.Pipe, int(uint16(r.st.Transmitted)-seq)+1)
}

// drain handles every queued message.
func (r *run) drain() error {
	for {
		err := r.rx.Recv(&r.msg)
		switch {
		case errors.Is(err, unix.EAGAIN):
			return nil
		case errors.Is(err, unix.EINTR), errors.Is(err, probe.ErrMalformed):
			continue
		case err != nil:
			return fmt.Errorf("recvmsg: %w", err)
		}
		r.handle(&r.msg, time.Now())
	}
}

// handle processes one ICMP message: an echo reply to us, an error about
// one of our requests, or something to ignore (another process's traffic,
// our own requests looped back on a raw socket).
func (r *run) handle(m *probe.Message, now time.Time) {
	switch {
	case m.IsEchoReply():
		// RFC 792: the identifier and sequence number match replies to
		// requests; the source must be the host we ping.
		if m.ID() != r.c.ID || m.From != r.c.Dst || !m.ChecksumOK || !r.sent(m.Seq()) {
			return
		}
		r.reply(m, now)
	case m.IsError():
		// RFC 792: the error quotes our IP header and the first 64 bits
		// of our echo request, so its identifier and sequence number.
		id, seq, ok := m.QuotedEcho()
		if !ok || id != r.c.ID || m.Quote.Dst != r.c.Dst || !r.sent(seq) {
			return
		}
		r.st.Errors++
		r.outstanding(seq)
		if !r.c.Quiet {
			r.printf("From %s icmp_seq=%d %s\n", m.From, seq, ErrorText(m))
		}
		if r.p.OnError != nil {
			r.p.OnError(seq, m)
		}
	}
}

// sent reports whether seq is a sequence number already transmitted (in
// 16-bit serial arithmetic).
func (r *run) sent(seq uint16) bool {
	return r.st.Transmitted > 0 && uint16(r.st.Transmitted)-seq < uint16(min(r.st.Transmitted, 1<<15))
}

// reply records and prints one echo reply.
func (r *run) reply(m *probe.Message, now time.Time) {
	rep := Reply{Seq: m.Seq(), From: m.From, Bytes: m.Len, TTL: m.HopLimit}
	if r.echo.HasTimestamp() {
		if t, ok := probe.Timestamp(m.Body); ok {
			rep.RTT, rep.Timed = max(now.Sub(t), 0), true
		}
	}
	bit := byte(1) << (rep.Seq % 8)
	rep.Dup = r.answered[rep.Seq/8]&bit != 0
	r.answered[rep.Seq/8] |= bit
	r.outstanding(rep.Seq)
	if rep.Dup {
		r.st.Duplicates++
	} else {
		r.st.Received++
		if rep.Timed {
			r.st.AddRTT(rep.RTT)
		}
	}
	if !r.c.Quiet {
		line := fmt.Sprintf("%d bytes from %s: icmp_seq=%d", rep.Bytes, rep.From, rep.Seq)
		if rep.TTL >= 0 {
			line += fmt.Sprintf(" ttl=%d", rep.TTL)
		}
		if rep.Timed {
			line += " time=" + FormatRTT(rep.RTT) + " ms"
		}
		if rep.Dup {
			line += " (DUP!)"
		}
		r.printf("%s\n", line)
	}
	if r.p.OnReply != nil {
		r.p.OnReply(rep)
	}
}
