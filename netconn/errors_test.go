package netconn_test

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/netconn"
)

// pair returns two connected net.Conns over network on w, closed at the
// end of the test.
func pair(t *testing.T, w world, network string) (c1, c2 net.Conn) {
	t.Helper()
	c1, c2, stop, err := pipeMaker(t, w, network)()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return c1, c2
}

// isTimeout reports whether err is a deadline error as the net package
// makes them: os.ErrDeadlineExceeded inside, a net.Error whose Timeout is
// true, and an *net.OpError with op.
func isTimeout(err error, op string) bool {
	var ne net.Error
	var oe *net.OpError
	return errors.Is(err, os.ErrDeadlineExceeded) && errors.As(err, &ne) && ne.Timeout() &&
		errors.As(err, &oe) && oe.Op == op
}

// Errors are *net.OpError around the errno, as the net package returns
// them: a refused dial satisfies errors.Is(err, syscall.ECONNREFUSED).
// RFC 9293 §3.10.7.1: a SYN to a CLOSED port is answered with a RST, and
// connect(2) reports ECONNREFUSED ("No-one listening on the remote
// address").
func TestDialRefused(t *testing.T) {
	for _, w := range worlds(t) {
		t.Run(w.name, func(t *testing.T) {
			// Find a closed port: listen, note the port, close.
			ln, err := netconn.Listen(w.server, "tcp", net.JoinHostPort(w.serverAddr, "0"))
			if err != nil {
				t.Fatal(err)
			}
			addr := ln.Addr().String()
			ln.Close()
			_, err = (&netconn.Dialer{API: w.client, Timeout: 5 * time.Second}).DialContext(context.Background(), "tcp", addr)
			var oe *net.OpError
			if !errors.Is(err, syscall.ECONNREFUSED) || !errors.Is(err, unix.ECONNREFUSED) ||
				!errors.As(err, &oe) || oe.Op != "dial" || oe.Net != "tcp" || oe.Addr.String() != addr {
				t.Fatalf("dial a closed port: %v", err)
			}
		})
	}
}

// socket(7) SO_LINGER with a zero time makes close(2) abort the
// connection (RFC 9293 §3.10.4: ABORT sends a RST); the peer's read then
// fails with ECONNRESET (RFC 9293 §3.10.7.4: in ESTABLISHED, a RST
// "signal[s] the user 'connection reset'").
func TestReadAfterReset(t *testing.T) {
	for _, w := range worlds(t) {
		t.Run(w.name, func(t *testing.T) {
			c1, c2 := pair(t, w, "tcp")
			if err := c2.(*netconn.Conn).SetLinger(0); err != nil {
				t.Fatal(err)
			}
			if err := c2.Close(); err != nil {
				t.Fatal(err)
			}
			c1.SetReadDeadline(time.Now().Add(5 * time.Second))
			_, err := c1.Read(make([]byte, 8))
			var oe *net.OpError
			if !errors.Is(err, syscall.ECONNRESET) || !errors.As(err, &oe) || oe.Op != "read" {
				t.Fatalf("read after the peer's RST: %v", err)
			}
		})
	}
}

// net.Conn deadlines: a read past its deadline fails with a timeout; a
// deadline set in the past wakes a pending Read; extending the deadline
// makes Read work again.
func TestReadDeadline(t *testing.T) {
	for _, w := range worlds(t) {
		t.Run(w.name, func(t *testing.T) {
			c1, c2 := pair(t, w, "tcp")
			buf := make([]byte, 8)
			c1.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
			if _, err := c1.Read(buf); !isTimeout(err, "read") {
				t.Fatalf("read past the deadline: %v", err)
			}
			c1.SetReadDeadline(time.Time{})
			done := make(chan error, 1)
			go func() {
				_, err := c1.Read(buf)
				done <- err
			}()
			time.Sleep(20 * time.Millisecond)
			start := time.Now()
			c1.SetReadDeadline(time.Now().Add(-time.Second))
			select {
			case err := <-done:
				if !isTimeout(err, "read") {
					t.Fatalf("pending read after a past deadline: %v", err)
				}
				if d := time.Since(start); d > time.Second {
					t.Fatalf("pending read woke after %v", d)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("a past deadline did not wake the pending read")
			}
			c1.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := c2.Write([]byte("x")); err != nil {
				t.Fatal(err)
			}
			if n, err := c1.Read(buf); err != nil || string(buf[:n]) != "x" {
				t.Fatalf("read after extending the deadline: %q, %v", buf[:n], err)
			}
		})
	}
}

// A Write that cannot finish by its deadline returns the bytes sent and a
// timeout (net.Conn: "Even if write times out, it may return n > 0").
func TestWriteDeadline(t *testing.T) {
	big := make([]byte, 32<<20) // more than any send plus receive buffer
	for _, w := range worlds(t) {
		t.Run(w.name, func(t *testing.T) {
			c1, _ := pair(t, w, "tcp")
			c1.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
			n, err := c1.Write(big)
			if !isTimeout(err, "write") || n <= 0 || n >= len(big) {
				t.Fatalf("Write to a peer that does not read: %d of %d, %v", n, len(big), err)
			}
		})
	}
}

// Close unblocks pending calls, which fail with net.ErrClosed (net.Conn:
// "Any blocked Read or Write operations will be unblocked and return
// errors"; net.Listener: "Any blocked Accept operations will be unblocked
// and return errors").
func TestCloseUnblocks(t *testing.T) {
	for _, w := range worlds(t) {
		t.Run(w.name, func(t *testing.T) {
			c1, _ := pair(t, w, "tcp")
			ln, err := netconn.Listen(w.server, "tcp", net.JoinHostPort(w.serverAddr, "0"))
			if err != nil {
				t.Fatal(err)
			}
			errs := make(chan error, 2)
			go func() {
				_, err := c1.Read(make([]byte, 8))
				errs <- err
			}()
			go func() {
				_, err := ln.Accept()
				errs <- err
			}()
			time.Sleep(20 * time.Millisecond)
			// Close waits for the calls in flight, so a Close that cannot
			// wake them would hang: close from a goroutine and time out.
			go func() { c1.Close(); ln.Close() }()
			for range 2 {
				select {
				case err := <-errs:
					if !errors.Is(err, net.ErrClosed) {
						t.Errorf("pending call after Close: %v", err)
					}
				case <-time.After(5 * time.Second):
					t.Fatal("Close did not unblock a pending call")
				}
			}
			if _, err := c1.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
				t.Errorf("Write after Close: %v", err)
			}
			if err := c1.Close(); !errors.Is(err, net.ErrClosed) {
				t.Errorf("second Close: %v", err)
			}
		})
	}
}

// Listener.SetDeadline bounds Accept, like (*net.TCPListener).SetDeadline.
func TestAcceptDeadline(t *testing.T) {
	for _, w := range worlds(t) {
		t.Run(w.name, func(t *testing.T) {
			ln, err := netconn.Listen(w.server, "tcp", net.JoinHostPort(w.serverAddr, "0"))
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			l := ln.(*netconn.Listener)
			l.SetDeadline(time.Now().Add(30 * time.Millisecond))
			if _, err := l.Accept(); !isTimeout(err, "accept") {
				t.Fatalf("Accept past the deadline: %v", err)
			}
			l.SetDeadline(time.Time{})
			c, err := netconn.Dial(w.client, "tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			s, err := l.Accept()
			if err != nil {
				t.Fatalf("Accept after clearing the deadline: %v", err)
			}
			s.Close()
		})
	}
}

// Host names are refused with ErrNotNumeric (resolution is package
// resolv's), and unknown networks with net.UnknownNetworkError, both
// inside a dial *net.OpError and before any socket is made.
func TestDialBadAddress(t *testing.T) {
	for _, w := range worlds(t) {
		t.Run(w.name, func(t *testing.T) {
			_, err := netconn.Dial(w.client, "tcp", "example.invalid:80")
			var oe *net.OpError
			if !errors.Is(err, netconn.ErrNotNumeric) || !errors.As(err, &oe) || oe.Op != "dial" {
				t.Errorf("dial a host name: %v", err)
			}
			_, err = netconn.Dial(w.client, "sctp", "127.0.0.1:80")
			var un net.UnknownNetworkError
			if !errors.As(err, &un) {
				t.Errorf("dial an unknown network: %v", err)
			}
			_, err = netconn.Dial(w.client, "tcp4", "[::1]:80")
			if err == nil || !errors.As(err, &oe) {
				t.Errorf("dial tcp4 to an IPv6 address: %v", err)
			}
		})
	}
}

// A dial that cannot complete ends with the Dialer's Timeout (a timeout
// error) or with its context (context.Canceled). The stack's host a has no
// neighbour 10.0.0.3, so the SYN waits on ARP; the kernel has no such
// black hole on loopback alone, so this runs on the stack only.
func TestDialTimeoutAndCancel(t *testing.T) {
	w := worlds(t)[1]
	d := &netconn.Dialer{API: w.client, Timeout: 100 * time.Millisecond}
	start := time.Now()
	_, err := d.Dial("tcp", "10.0.0.3:80")
	if !isTimeout(err, "dial") || time.Since(start) > 2*time.Second {
		t.Fatalf("dial with Timeout: %v after %v", err, time.Since(start))
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = (&netconn.Dialer{API: w.client}).DialContext(ctx, "tcp", "10.0.0.3:80")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("dial with a cancelled context: %v", err)
	}
}

// An orderly close reads as io.EOF, unwrapped, as io.Reader requires.
func TestEOF(t *testing.T) {
	for _, w := range worlds(t) {
		for _, network := range []string{"tcp", "unix"} {
			t.Run(w.name+"/"+network, func(t *testing.T) {
				c1, c2 := pair(t, w, network)
				c2.Close()
				c1.SetReadDeadline(time.Now().Add(5 * time.Second))
				if n, err := c1.Read(make([]byte, 8)); n != 0 || err != io.EOF {
					t.Fatalf("read after the peer's close: %d, %v", n, err)
				}
			})
		}
	}
}
