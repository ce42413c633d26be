package netstack

import (
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"time"
)

// BulkChunk is the size of each Write of the bulk workload.
const BulkChunk = 64 << 10

// BulkResult is one single-stream bulk transfer.
type BulkResult struct {
	// Bytes is what the receiver read.
	Bytes int64
	// Elapsed runs from the first Write to the receiver's EOF.
	Elapsed time.Duration
	// CPU is the process's user and system CPU time over Elapsed: both
	// ends, the link and, for Linux, the kernel's work on the sockets.
	CPU time.Duration
}

// Gbps is the throughput in Gbit/s.
func (r BulkResult) Gbps() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Bytes) * 8 / r.Elapsed.Seconds() / 1e9
}

// CPUPerGiB is CPU seconds spent per GiB moved.
func (r BulkResult) CPUPerGiB() float64 {
	if r.Bytes == 0 {
		return 0
	}
	return r.CPU.Seconds() / (float64(r.Bytes) / (1 << 30))
}

// cpuTime is the process's user plus system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pair is one connection of a TCPNet: the dialed end and the accepted end.
type pair struct {
	ln     net.Listener
	client net.Conn
	server net.Conn
}

// dialPair listens on n, dials the listener and accepts.
func dialPair(n TCPNet) (*pair, error) {
	ln, err := n.Listen()
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			c = nil
		}
		accepted <- c
	}()
	c, err := n.Dial(ln.Addr())
	if err != nil {
		ln.Close()
		<-accepted
		return nil, fmt.Errorf("dial: %w", err)
	}
	s := <-accepted
	if s == nil {
		c.Close()
		ln.Close()
		return nil, errors.New("accept failed")
	}
	return &pair{ln: ln, client: c, server: s}, nil
}

func (p *pair) Close() error {
	return errors.Join(p.client.Close(), p.server.Close(), p.ln.Close())
}

// Bulk sends BulkChunk writes from the dialer to the acceptor until lim
// (N counts writes), then closes the write side and waits for the
// receiver's EOF.
func Bulk(n TCPNet, lim Limit) (BulkResult, error) {
	p, err := dialPair(n)
	if err != nil {
		return BulkResult{}, err
	}
	defer p.Close()
	type done struct {
		n   int64
		err error
	}
	got := make(chan done, 1)
	go func() {
		buf := make([]byte, BulkChunk)
		var total int64
		for {
			k, err := p.server.Read(buf)
			total += int64(k)
			if err == io.EOF {
				got <- done{total, nil}
				return
			}
			if err != nil {
				got <- done{total, err}
				return
			}
		}
	}()
	buf := make([]byte, BulkChunk)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	runtime.GC()
	cpu0, start := cpuTime(), time.Now()
	var sent int64
	for i := int64(0); lim.more(i, start); i++ {
		k, err := p.client.Write(buf)
		sent += int64(k)
		if err != nil {
			return BulkResult{}, fmt.Errorf("write: %w", err)
		}
	}
	if cw, ok := p.client.(interface{ CloseWrite() error }); ok {
		err = cw.CloseWrite()
	} else {
		err = p.client.Close()
	}
	if err != nil {
		return BulkResult{}, fmt.Errorf("close write: %w", err)
	}
	d := <-got
	r := BulkResult{Bytes: d.n, Elapsed: time.Since(start), CPU: cpuTime() - cpu0}
	if d.err != nil {
		return r, fmt.Errorf("read: %w", d.err)
	}
	if d.n != sent {
		return r, fmt.Errorf("received %d bytes of %d", d.n, sent)
	}
	return r, nil
}

// RRResult is a 1-byte request/response run.
type RRResult struct {
	// Ops counts completed round trips.
	Ops int64
	// Elapsed is the measured window.
	Elapsed time.Duration
	// P50 and P99 are round-trip latency percentiles.
	P50, P99 time.Duration
}

// Rate is round trips per second.
func (r RRResult) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Ops) / r.Elapsed.Seconds()
}

// RR writes one byte from the dialer, waits for the acceptor's one-byte
// echo and repeats until lim, timing each round trip.
func RR(n TCPNet, lim Limit) (RRResult, error) {
	p, err := dialPair(n)
	if err != nil {
		return RRResult{}, err
	}
	defer p.Close()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		b := make([]byte, 1)
		for {
			if _, err := io.ReadFull(p.server, b); err != nil {
				return
			}
			if _, err := p.server.Write(b); err != nil {
				return
			}
		}
	}()
	defer wg.Wait()
	defer p.client.Close()
	req, resp := []byte{'x'}, make([]byte, 1)
	rtt := func() (time.Duration, error) {
		t0 := time.Now()
		if _, err := p.client.Write(req); err != nil {
			return 0, err
		}
		if _, err := io.ReadFull(p.client, resp); err != nil {
			return 0, err
		}
		return time.Since(t0), nil
	}
	for range warmRounds {
		if _, err := rtt(); err != nil {
			return RRResult{}, fmt.Errorf("warm-up: %w", err)
		}
	}
	lat := make([]time.Duration, 0, 1<<16)
	runtime.GC()
	start := time.Now()
	for i := int64(0); lim.more(i, start); i++ {
		d, err := rtt()
		if err != nil {
			return RRResult{}, err
		}
		lat = append(lat, d)
	}
	r := RRResult{Ops: int64(len(lat)), Elapsed: time.Since(start)}
	slices.Sort(lat)
	if len(lat) > 0 {
		r.P50 = lat[len(lat)*50/100]
		r.P99 = lat[len(lat)*99/100]
	}
	return r, nil
}

// ConnRate opens connections one after another until lim: connect, one
// byte each way, and close; the acceptor closes first (so TIME-WAIT is on
// its side, as for an HTTP/1.0 server) and the dialer closes on EOF.
// It returns completed connections and the elapsed time.
func ConnRate(n TCPNet, lim Limit) (int64, time.Duration, error) {
	ln, err := n.Listen()
	if err != nil {
		return 0, 0, err
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				b := make([]byte, 1)
				if _, err := io.ReadFull(c, b); err == nil {
					c.Write(b)
				}
			}()
		}
	}()
	defer wg.Wait()
	defer ln.Close()
	one := func() error {
		c, err := n.Dial(ln.Addr())
		if err != nil {
			return fmt.Errorf("dial: %w", err)
		}
		defer c.Close()
		b := []byte{'x'}
		if _, err := c.Write(b); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		if _, err := io.ReadFull(c, b); err != nil {
			return fmt.Errorf("read: %w", err)
		}
		if k, err := c.Read(b); k != 0 || err != io.EOF {
			return fmt.Errorf("after the reply: %d bytes, %v; want EOF", k, err)
		}
		return nil
	}
	for range 16 {
		if err := one(); err != nil {
			return 0, 0, fmt.Errorf("warm-up: %w", err)
		}
	}
	start := time.Now()
	var i int64
	for ; lim.more(i, start); i++ {
		if err := one(); err != nil {
			return i, time.Since(start), err
		}
	}
	return i, time.Since(start), nil
}

// kernelMemory is implemented by a TCPNet whose sockets live outside the
// Go heap (Linux's): the bytes the kernel holds for them, process-wide.
type kernelMemory interface {
	KernelMemory() (uint64, error)
}

// IdleHeap opens conns idle connections on n and returns the growth of
// memory per endpoint (each connection has two: the dialed and the
// accepted end), with every connection open: the Go heap after garbage
// collection, plus the kernel's slab memory where n implements
// kernelMemory.
func IdleHeap(n TCPNet, conns int) (float64, error) {
	km, _ := n.(kernelMemory)
	kmem := func() uint64 {
		if km == nil {
			return 0
		}
		v, _ := km.KernelMemory()
		return v
	}
	ln, err := n.Listen()
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	var all []net.Conn
	defer func() {
		for _, c := range all {
			c.Close()
		}
	}()
	all = make([]net.Conn, 0, 2*conns)
	accepted := make(chan net.Conn, conns)
	go func() {
		for range conns {
			c, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
		close(accepted)
	}()
	before := heapAfterGC() + kmem()
	for range conns {
		c, err := n.Dial(ln.Addr())
		if err != nil {
			return 0, fmt.Errorf("dial %d: %w", len(all)/2, err)
		}
		all = append(all, c)
		s, ok := <-accepted
		if !ok {
			return 0, fmt.Errorf("accept %d failed", len(all)/2)
		}
		all = append(all, s)
	}
	// Let the last ACKs settle before measuring.
	time.Sleep(100 * time.Millisecond)
	after := heapAfterGC() + kmem()
	runtime.KeepAlive(all)
	return (float64(after) - float64(before)) / float64(2*conns), nil
}

// heapAfterGC collects garbage and returns the live heap in bytes.
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
