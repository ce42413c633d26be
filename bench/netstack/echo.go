package netstack

import (
	"errors"
	"fmt"
	"time"
)

// icmpEcho is ICMPEcho: a raw ICMP socket on A sends a MsgSize-byte echo
// request to B and waits for B's stack to answer before the next.
type icmpEcho struct {
	c        Conn
	msg, buf []byte
	seq      uint16
}

func setupICMPEcho(n Net) (Runner, error) {
	c, err := n.ICMP()
	if err != nil {
		return nil, err
	}
	w := &icmpEcho{c: c, msg: make([]byte, MsgSize), buf: make([]byte, 2048)}
	err = c.SetRecvTimeout(warmTimeout)
	var r Result
	for i := 0; i < warmRounds && err == nil; i++ {
		err = w.roundTrip(&r)
	}
	if err == nil && r.Lost > 0 {
		err = fmt.Errorf("icmp echo: %d of %d warm-up requests unanswered", r.Lost, warmRounds)
	}
	if err == nil {
		err = c.SetRecvTimeout(replyTimeout)
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	return w, nil
}

func (w *icmpEcho) Run(lim Limit) (Result, error) {
	var r Result
	var err error
	m0 := mallocs()
	start := time.Now()
	for i := int64(0); lim.more(i, start) && err == nil; i++ {
		err = w.roundTrip(&r)
	}
	r.Elapsed = time.Since(start)
	r.Mallocs = mallocs() - m0
	r.Packets = 2 * r.Ops
	if err != nil {
		return Result{}, fmt.Errorf("icmp echo: %w", err)
	}
	return r, nil
}

// roundTrip sends the next echo request and waits for its reply, skipping
// anything else the raw socket receives.
func (w *icmpEcho) roundTrip(r *Result) error {
	w.seq++
	buildEcho(w.msg, w.seq)
	if err := w.c.Send(w.msg); err != nil {
		return err
	}
	for {
		n, err := w.c.Recv(w.buf)
		if errors.Is(err, ErrTimeout) {
			r.Lost++
			return nil
		}
		if err != nil {
			return err
		}
		if isEchoReply(w.buf[:n], w.seq) {
			r.Ops++
			return nil
		}
	}
}

func (w *icmpEcho) Close() error { return w.c.Close() }
