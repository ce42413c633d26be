package netstack

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// Ports of the UDP workloads.
const (
	portA = 5001
	portB = 5002
)

// udpStream is UDP64: A sends MsgSize-byte datagrams to B as fast as it
// can on one goroutine while B reads them on another.
type udpStream struct {
	a, b          Conn
	msg, end, buf []byte
}

// endMark, as the first byte of a datagram, tells a receiver that the
// sender has stopped; measured datagrams begin with zero. A lost end
// datagram costs idleTimeout.
const endMark = 0xff

func setupUDPStream(n Net) (Runner, error) {
	a, b, err := n.UDPPair(portA, portB)
	if err != nil {
		return nil, err
	}
	w := &udpStream{a: a, b: b, msg: make([]byte, MsgSize), end: make([]byte, MsgSize), buf: make([]byte, 2048)}
	if err := warmUp(a, b, w.msg, w.buf); err == nil {
		err = b.SetRecvTimeout(idleTimeout)
	}
	if err != nil {
		closeAll(a, b)
		return nil, err
	}
	return w, nil
}

// rxTally is what the receiving goroutine of udpStream saw.
type rxTally struct {
	n    int64
	last time.Time
	err  error
}

// receive reads until the sender has stopped and the link is idle.
func (w *udpStream) receive(stop *atomic.Bool, out chan<- rxTally) {
	var t rxTally
	for {
		n, err := w.b.Recv(w.buf)
		if err == nil && n > 0 && w.buf[0] == endMark {
			break
		}
		if err == nil {
			t.n++
			t.last = time.Now()
			continue
		}
		if errors.Is(err, ErrTimeout) {
			if stop.Load() {
				break
			}
			continue
		}
		t.err = err
		break
	}
	out <- t
}

func (w *udpStream) Run(lim Limit) (Result, error) {
	var stop atomic.Bool
	out := make(chan rxTally, 1)
	m0 := mallocs()
	start := time.Now()
	go w.receive(&stop, out)
	var sent int64
	var err error
	for ; lim.more(sent, start); sent++ {
		if err = w.a.Send(w.msg); err != nil {
			break
		}
	}
	stop.Store(true)
	w.end[0] = endMark
	if err == nil {
		err = w.a.Send(w.end)
	}
	t := <-out
	m1 := mallocs()
	if err = errors.Join(err, t.err); err != nil {
		return Result{}, fmt.Errorf("udp stream: %w", err)
	}
	r := Result{Ops: t.n, Packets: sent, Lost: sent - t.n, Mallocs: m1 - m0}
	if t.n > 0 {
		r.Elapsed = t.last.Sub(start)
	} else {
		r.Elapsed = time.Since(start)
	}
	return r, nil
}

func (w *udpStream) Close() error { return closeAll(w.a, w.b) }

// udpPingPong is UDPPingPong64: A sends a MsgSize-byte request and waits
// for B's echo of it before sending the next; B echoes on its own
// goroutine.
type udpPingPong struct {
	a, b     Conn
	msg, buf []byte
}

func setupUDPPingPong(n Net) (Runner, error) {
	a, b, err := n.UDPPair(portA, portB)
	if err != nil {
		return nil, err
	}
	w := &udpPingPong{a: a, b: b, msg: make([]byte, MsgSize), buf: make([]byte, 2048)}
	err = warmUp(a, b, w.msg, w.buf)
	if err == nil {
		err = warmUp(b, a, w.msg, w.buf)
	}
	if err == nil {
		err = errors.Join(a.SetRecvTimeout(replyTimeout), b.SetRecvTimeout(idleTimeout))
	}
	if err != nil {
		closeAll(a, b)
		return nil, err
	}
	return w, nil
}

// echo returns every datagram B receives to A until stop is set.
func (w *udpPingPong) echo(stop *atomic.Bool, out chan<- error) {
	buf := make([]byte, 2048)
	for {
		n, err := w.b.Recv(buf)
		if err == nil && n > 0 && buf[0] == endMark {
			out <- nil
			return
		}
		if err == nil {
			err = w.b.Send(buf[:n])
		}
		if errors.Is(err, ErrTimeout) {
			if stop.Load() {
				out <- nil
				return
			}
			continue
		}
		if err != nil {
			out <- err
			return
		}
	}
}

func (w *udpPingPong) Run(lim Limit) (Result, error) {
	var stop atomic.Bool
	out := make(chan error, 1)
	go w.echo(&stop, out)
	var r Result
	var err error
	m0 := mallocs()
	start := time.Now()
	for i := int64(0); lim.more(i, start) && err == nil; i++ {
		err = w.roundTrip(uint32(i), &r)
	}
	r.Elapsed = time.Since(start)
	r.Mallocs = mallocs() - m0
	r.Packets = 2 * r.Ops
	stop.Store(true)
	if err == nil {
		w.msg[0] = endMark
		err = w.a.Send(w.msg)
		w.msg[0] = 0
	}
	if err = errors.Join(err, <-out); err != nil {
		return Result{}, fmt.Errorf("udp ping-pong: %w", err)
	}
	return r, nil
}

// roundTrip sends request seq (in bytes 1 to 4; byte 0 is zero, not
// endMark) and waits for its echo; a late echo of an earlier request is
// skipped.
func (w *udpPingPong) roundTrip(seq uint32, r *Result) error {
	binary.BigEndian.PutUint32(w.msg[1:], seq)
	if err := w.a.Send(w.msg); err != nil {
		return err
	}
	for {
		n, err := w.a.Recv(w.buf)
		if errors.Is(err, ErrTimeout) {
			r.Lost++
			return nil
		}
		if err != nil {
			return err
		}
		if n >= 5 && binary.BigEndian.Uint32(w.buf[1:]) == seq {
			r.Ops++
			return nil
		}
	}
}

func (w *udpPingPong) Close() error { return closeAll(w.a, w.b) }
