package echo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/kernel"
)

func TestEchoRoundTrip(t *testing.T) {
	for _, ip := range loopbacks {
		t.Run(ip.String(), func(t *testing.T) {
			ctx := testCtx(t)
			srv := startServer(t, "tcp", ip)
			conn := dial(t, ctx, "tcp", srv.addr)
			if conn.LocalAddr().Addr() != ip || conn.RemoteAddr() != srv.addr {
				t.Errorf("addresses %v -> %v, want %v -> %v", conn.LocalAddr(), conn.RemoteAddr(), ip, srv.addr)
			}
			var transcript bytes.Buffer
			msgs := []string{"abcde\n", "12345\n", "hello\n", "x"}
			if err := conn.Check(ctx, msgs, &transcript, "c"); err != nil {
				t.Fatalf("Check: %v", err)
			}
			for _, m := range msgs {
				for _, verb := range []string{"sent", "received"} {
					if want := fmt.Sprintf("c: %s %q\n", verb, m); !bytes.Contains(transcript.Bytes(), []byte(want)) {
						t.Errorf("transcript lacks %q:\n%s", want, transcript.String())
					}
				}
			}
			local := conn.LocalAddr().String()
			waitFor(t, "connected log line", func() bool { return contains(srv.log, "connected from "+local) })
			conn.Close()
			// seed 003: the server prints "disconnected from" at the
			// client's EOF.
			waitFor(t, "disconnected log line", func() bool { return contains(srv.log, "disconnected from "+local) })
		})
	}
}

func TestConcurrentClients(t *testing.T) {
	const clients = 50
	for _, ip := range loopbacks {
		t.Run(ip.String(), func(t *testing.T) {
			ctx := testCtx(t)
			srv := startServer(t, "tcp", ip)
			seed := [32]byte{byte(ip.BitLen())}
			src := rand.NewChaCha8(seed)
			rng := rand.New(src)
			payloads := make([][]byte, clients)
			for i := range payloads {
				// Large payloads may exceed the socket buffers, so the
				// echo only completes if Pipe reads while it writes.
				payloads[i] = make([]byte, 1+rng.IntN(256<<10))
				src.Read(payloads[i])
			}
			outs := make([]bytes.Buffer, clients)
			errs := make([]error, clients)
			var wg sync.WaitGroup
			for i := range clients {
				wg.Go(func() {
					c := &Client{API: kernel.New(), Addr: srv.addr}
					conn, err := c.Dial(ctx)
					if err != nil {
						errs[i] = err
						return
					}
					defer conn.Close()
					errs[i] = conn.Pipe(ctx, bytes.NewReader(payloads[i]), &outs[i], -1)
				})
			}
			wg.Wait()
			for i := range clients {
				if errs[i] != nil {
					t.Errorf("client %d: %v", i, errs[i])
				} else if !bytes.Equal(outs[i].Bytes(), payloads[i]) {
					t.Errorf("client %d: got %d bytes back, sent %d (or different bytes)", i, outs[i].Len(), len(payloads[i]))
				}
			}
		})
	}
}

func TestHalfClose(t *testing.T) {
	for _, ip := range loopbacks {
		t.Run(ip.String(), func(t *testing.T) {
			ctx := testCtx(t)
			srv := startServer(t, "tcp", ip)
			conn := dial(t, ctx, "tcp", srv.addr)
			msg := []byte("before the half-close\n")
			if err := conn.Write(ctx, msg); err != nil {
				t.Fatal(err)
			}
			// The server keeps the connection open while the client may
			// still send: a read gets the echo and then nothing.
			buf := make([]byte, 1024)
			got, err := conn.readEcho(ctx, buf, len(msg))
			if err != nil || !bytes.Equal(got, msg) {
				t.Fatalf("echo before half-close: %q, %v", got, err)
			}
			short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
			defer cancel()
			if n, err := conn.Read(short, buf); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("server ended the connection early: n=%d err=%v", n, err)
			}
			// Bytes in flight at SHUT_WR are still echoed, then EOF.
			if err := conn.Write(ctx, []byte("last")); err != nil {
				t.Fatal(err)
			}
			if err := conn.CloseWrite(); err != nil {
				t.Fatalf("CloseWrite: %v", err)
			}
			// shutdown(2): SHUT_WR: further transmissions are disallowed.
			if err := conn.Write(ctx, []byte("more")); !errors.Is(err, unix.EPIPE) {
				t.Errorf("Write after SHUT_WR: %v, want EPIPE", err)
			}
			rest, err := io.ReadAll(readerOf(ctx, conn))
			if err != nil || string(rest) != "last" {
				t.Fatalf("after half-close read %q, %v; want \"last\" then EOF", rest, err)
			}
		})
	}
}

// readerOf adapts conn to io.Reader for io.ReadAll.
func readerOf(ctx context.Context, conn *Conn) io.Reader {
	return readerFunc(func(p []byte) (int, error) { return conn.Read(ctx, p) })
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

func TestPipeHalfClose(t *testing.T) {
	ctx := testCtx(t)
	srv := startServer(t, "tcp", loopbacks[0])
	conn := dial(t, ctx, "tcp", srv.addr)
	in := "line one\nline two\n"
	var out bytes.Buffer
	// Pipe returns only after the server's EOF, which follows the
	// half-close at the end of in: so everything echoed has arrived.
	if err := conn.Pipe(ctx, bytes.NewBufferString(in), &out, -1); err != nil {
		t.Fatalf("Pipe: %v", err)
	}
	if out.String() != in {
		t.Fatalf("Pipe output %q, want %q", out.String(), in)
	}
}

// silentPeer accepts one TCP connection on 127.0.0.1, sends greeting and
// then either closes (closeAfter) or holds the connection until the test
// ends without ever closing.
func silentPeer(t *testing.T, greeting string, closeAfter bool) netip.AddrPort {
	t.Helper()
	k := kernel.New()
	lfd, err := k.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close(lfd) })
	if err := k.Bind(lfd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := k.Listen(lfd, 1); err != nil {
		t.Fatal(err)
	}
	sa, err := k.Getsockname(lfd)
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan int, 1)
	go func() {
		nfd, _, err := k.Accept4(lfd, unix.SOCK_CLOEXEC)
		if err != nil {
			accepted <- -1
			return
		}
		k.Write(nfd, []byte(greeting))
		if closeAfter {
			k.Close(nfd)
			nfd = -1
		}
		accepted <- nfd
	}()
	t.Cleanup(func() {
		if nfd := <-accepted; nfd >= 0 {
			k.Close(nfd)
		}
	})
	return addrPort(sa)
}

func TestPipeQuit(t *testing.T) {
	ctx := testCtx(t)
	t.Run("quit after EOF", func(t *testing.T) {
		conn := dial(t, ctx, "tcp", silentPeer(t, "hi", false))
		var out bytes.Buffer
		start := time.Now()
		// nc -q 0.2: the peer never closes, so Pipe returns when the
		// timer fires after EOF on the input.
		if err := conn.Pipe(ctx, bytes.NewBufferString("x"), &out, 200*time.Millisecond); err != nil {
			t.Fatalf("Pipe: %v", err)
		}
		if d := time.Since(start); d < 200*time.Millisecond || d > 3*time.Second {
			t.Errorf("Pipe returned after %v, want about 200ms", d)
		}
		if out.String() != "hi" {
			t.Errorf("output %q, want \"hi\"", out.String())
		}
	})
	t.Run("no quit waits for the server", func(t *testing.T) {
		conn := dial(t, ctx, "tcp", silentPeer(t, "", false))
		short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		err := conn.Pipe(short, bytes.NewBufferString("x"), io.Discard, -1)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Pipe: %v, want the context's deadline", err)
		}
	})
}

func TestPipeServerClosesFirst(t *testing.T) {
	ctx := testCtx(t)
	conn := dial(t, ctx, "tcp", silentPeer(t, "bye\n", true))
	pr, pw := io.Pipe()
	defer pw.Close() // ends Pipe's input goroutine blocked in pr.Read
	var out bytes.Buffer
	if err := conn.Pipe(ctx, pr, &out, -1); err != nil {
		t.Fatalf("Pipe: %v", err)
	}
	if out.String() != "bye\n" {
		t.Errorf("output %q, want \"bye\\n\"", out.String())
	}
}

// openFDs counts this process's open descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

func TestShutdownWithClientsConnected(t *testing.T) {
	for _, ip := range loopbacks {
		t.Run(ip.String(), func(t *testing.T) {
			ctx := testCtx(t)
			before := openFDs(t)
			srv := startServer(t, "tcp", ip)
			var conns []*Conn
			for i := range 5 {
				conn := dial(t, ctx, "tcp", srv.addr)
				if err := conn.Check(ctx, []string{fmt.Sprint("client ", i)}, nil, ""); err != nil {
					t.Fatal(err)
				}
				conns = append(conns, conn)
			}
			start := time.Now()
			if err := srv.stop(t); err != nil {
				t.Fatalf("Serve after cancel: %v", err)
			}
			t.Logf("Serve returned %v after cancel", time.Since(start))
			// The server closed every connection: each client reads EOF.
			for i, conn := range conns {
				if _, err := conn.Read(ctx, make([]byte, 16)); !errors.Is(err, io.EOF) && !errors.Is(err, unix.ECONNRESET) {
					t.Errorf("client %d after shutdown: %v, want EOF", i, err)
				}
				conn.Close()
			}
			// The listener is closed: a new connection is refused.
			c := &Client{API: kernel.New(), Addr: srv.addr}
			if conn, err := c.Dial(ctx); !errors.Is(err, unix.ECONNREFUSED) {
				if conn != nil {
					conn.Close()
				}
				t.Errorf("Dial after shutdown: %v, want ECONNREFUSED", err)
			}
			if after := openFDs(t); after != before {
				t.Errorf("%d descriptors open before the server, %d after", before, after)
			}
		})
	}
}

func TestUDPEcho(t *testing.T) {
	for _, ip := range loopbacks {
		t.Run(ip.String(), func(t *testing.T) {
			ctx := testCtx(t)
			srv := startServer(t, "udp", ip)
			a := dial(t, ctx, "udp", srv.addr)
			b := dial(t, ctx, "udp", srv.addr)
			if err := a.Check(ctx, []string{"one", "", "three"}, nil, "a"); err != nil {
				t.Fatalf("a: %v", err)
			}
			// Each datagram goes back to its own source only.
			if err := b.Write(ctx, []byte("to b")); err != nil {
				t.Fatal(err)
			}
			if err := a.Write(ctx, []byte("to a")); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 100)
			for _, c := range []struct {
				conn *Conn
				want string
			}{{a, "to a"}, {b, "to b"}} {
				n, err := c.conn.Read(ctx, buf)
				if err != nil || string(buf[:n]) != c.want {
					t.Errorf("read %q, %v; want %q", buf[:n], err, c.want)
				}
			}
			local := a.LocalAddr().String()
			waitFor(t, "datagram log line", func() bool { return contains(srv.log, "datagram from "+local, "5 bytes") })
		})
	}
}

// zeros is an endless input.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestShutdownWhileStreaming(t *testing.T) {
	ctx := testCtx(t)
	srv := startServer(t, "tcp", loopbacks[0])
	conn := dial(t, ctx, "tcp", srv.addr)
	counted := &countWriter{}
	piped := make(chan error, 1)
	go func() { piped <- conn.Pipe(ctx, zeros{}, counted, -1) }()
	waitFor(t, "echoed bytes", func() bool { return counted.total() > 1<<20 })
	// The server's socket stays readable and writable, so only the
	// per-iteration check of the context can stop it.
	if err := srv.stop(t); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	select {
	case err := <-piped:
		// The server closed with data unread: RST (ECONNRESET, EPIPE) or EOF.
		if err != nil && !errors.Is(err, unix.ECONNRESET) && !errors.Is(err, unix.EPIPE) {
			t.Errorf("Pipe after server shutdown: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Pipe did not end after the server shut down")
	}
}

// countWriter counts bytes written to it.
type countWriter struct {
	mu sync.Mutex
	n  int
}

func (c *countWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n += len(p)
	return len(p), nil
}

func (c *countWriter) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
