package echo

import (
	"bytes"
	"context"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"sockstack/kernel"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// loopbacks are the addresses every test runs on.
var loopbacks = []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback()}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls until cond holds or fails the test after 5s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// running is a Server serving in a goroutine.
type running struct {
	addr   netip.AddrPort
	log    *syncBuffer
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

// stop cancels the server and returns Serve's result, failing after 5s.
// Later calls return the same result.
func (r *running) stop(t *testing.T) error {
	t.Helper()
	r.once.Do(func() {
		r.cancel()
		select {
		case r.err = <-r.done:
		case <-time.After(5 * time.Second):
			t.Fatal("Serve did not return 5s after cancel")
		}
	})
	return r.err
}

// startServer listens on ip port 0 over the kernel provider and serves
// until the test ends, when Serve must return nil.
func startServer(t *testing.T, network string, ip netip.Addr) *running {
	t.Helper()
	log := &syncBuffer{}
	s := &Server{API: kernel.New(), Network: network, Addr: netip.AddrPortFrom(ip, 0), Log: log}
	addr, err := s.Listen()
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	if addr.Addr() != ip || addr.Port() == 0 {
		t.Fatalf("Listen bound %v, want %v with a port", addr, ip)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{addr: addr, log: log, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- s.Serve(ctx) }()
	t.Cleanup(func() {
		if err := r.stop(t); err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return r
}

// dial connects a client to r over the kernel provider; the test closes it.
func dial(t *testing.T, ctx context.Context, network string, addr netip.AddrPort) *Conn {
	t.Helper()
	c := &Client{API: kernel.New(), Network: network, Addr: addr}
	conn, err := c.Dial(ctx)
	if err != nil {
		t.Fatalf("Dial %v: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// testCtx is a context that ends with the test or after 10s.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// contains reports whether the log holds a line with all of parts.
func contains(log *syncBuffer, parts ...string) bool {
	for _, line := range strings.Split(log.String(), "\n") {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(line, p)
		}
		if ok {
			return true
		}
	}
	return false
}
