package link

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"
	"testing"
	"time"
)

// recorder is a Dispatcher that keeps a copy of every frame.
type recorder struct {
	mu     sync.Mutex
	frames [][]byte
	times  []time.Time
}

func (r *recorder) DeliverFrame(f []byte) {
	r.mu.Lock()
	r.frames = append(r.frames, bytes.Clone(f))
	r.times = append(r.times, time.Now())
	r.mu.Unlock()
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.frames)
}

func (r *recorder) snapshot() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.frames...)
}

// waitFrames polls until r holds at least n frames or the timeout passes.
func (r *recorder) waitFrames(t *testing.T, n int, timeout time.Duration) [][]byte {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for r.count() < n {
		if time.Now().After(deadline) {
			t.Fatalf("got %d frames, want %d within %v", r.count(), n, timeout)
		}
		time.Sleep(time.Millisecond)
	}
	return r.snapshot()
}

// counter is a Dispatcher that only counts, without allocating.
type counter struct {
	mu    sync.Mutex
	n     int
	bytes int
}

func (c *counter) DeliverFrame(f []byte) {
	c.mu.Lock()
	c.n++
	c.bytes += len(f)
	c.mu.Unlock()
}

func (c *counter) get() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// seqFrame builds a frame of size n whose bytes 14..22 (or 0..8 for short
// frames) hold seq, tagged so tests can tell frames apart.
func seqFrame(k Kind, seq uint64, n int) []byte {
	f := make([]byte, n)
	off := 0
	if k == KindEthernet {
		copy(f[0:6], []byte{0x02, 0, 0, 0, 0, 2})
		copy(f[6:12], []byte{0x02, 0, 0, 0, 0, 1})
		binary.BigEndian.PutUint16(f[12:14], 0x88b5) // IEEE local experimental
		off = EthernetHeaderLen
	}
	binary.BigEndian.PutUint64(f[off:], seq)
	for i := off + 8; i < n; i++ {
		f[i] = byte(seq) + byte(i)
	}
	return f
}

func frameSeq(k Kind, f []byte) uint64 {
	off := 0
	if k == KindEthernet {
		off = EthernetHeaderLen
	}
	return binary.BigEndian.Uint64(f[off:])
}

// checkInOrder verifies frames are exactly want, in order.
func checkInOrder(got, want [][]byte) error {
	if len(got) != len(want) {
		return fmt.Errorf("got %d frames, want %d", len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			return fmt.Errorf("frame %d differs: got % x..., want % x...", i, got[i][:min(24, len(got[i]))], want[i][:min(24, len(want[i]))])
		}
	}
	return nil
}
