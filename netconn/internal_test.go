package netconn

import (
	"context"
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/kernel"
	"sockstack/sock"
	"sockstack/vnet"
)

// providers are the kernel on loopback and sockstack host "b" (with a
// peer "a") of an in-memory network, each with its TCP listen address.
func providers(t testing.TB) []struct {
	name string
	api  sock.API
	host string
} {
	n := vnet.New()
	n.AddHost("a", false)
	b := n.AddHost("b", false)
	if _, _, err := n.Connect("a", netip.MustParsePrefix("10.0.0.1/24"), "b", netip.MustParsePrefix("10.0.0.2/24"), vnet.LinkConfig{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return []struct {
		name string
		api  sock.API
		host string
	}{{"kernel", kernel.New(), "127.0.0.1"}, {"stack", b, "10.0.0.2"}}
}

// tcpPair connects two *Conns on api through a listener at host.
func tcpPair(t testing.TB, api sock.API, host string) (*Conn, *Conn) {
	t.Helper()
	ln, err := Listen(api, "tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	d := &Dialer{API: api, Timeout: 5 * time.Second}
	c1, err := d.DialContext(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c2, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c1.Close(); c2.Close() })
	return c1.(*Conn), c2.(*Conn)
}

// The *net.TCPConn option setters reach the socket: each value reads back
// with getsockopt(2).
func TestSockopts(t *testing.T) {
	for _, p := range providers(t) {
		t.Run(p.name, func(t *testing.T) {
			c, _ := tcpPair(t, p.api, p.host)
			f := c.fd
			check := func(level, opt, want int, name string) {
				t.Helper()
				got, err := f.api.GetsockoptInt(f.sysfd, level, opt)
				if err != nil || got != want {
					t.Errorf("%s = %d, %v; want %d", name, got, err, want)
				}
			}
			check(unix.IPPROTO_TCP, unix.TCP_NODELAY, 1, "default TCP_NODELAY")
			for _, on := range []bool{true, false} {
				if err := c.SetNoDelay(on); err != nil {
					t.Fatal(err)
				}
				check(unix.IPPROTO_TCP, unix.TCP_NODELAY, b2i(on), "TCP_NODELAY")
				if err := c.SetKeepAlive(on); err != nil {
					t.Fatal(err)
				}
				check(unix.SOL_SOCKET, unix.SO_KEEPALIVE, b2i(on), "SO_KEEPALIVE")
			}
			if err := c.SetLinger(7); err != nil {
				t.Fatal(err)
			}
			if l, err := f.api.GetsockoptLinger(f.sysfd, unix.SOL_SOCKET, unix.SO_LINGER); err != nil || l.Onoff == 0 || l.Linger != 7 {
				t.Errorf("SO_LINGER = %+v, %v; want on, 7", l, err)
			}
			if err := c.SetLinger(-1); err != nil {
				t.Fatal(err)
			}
			if l, err := f.api.GetsockoptLinger(f.sysfd, unix.SOL_SOCKET, unix.SO_LINGER); err != nil || l.Onoff != 0 {
				t.Errorf("SO_LINGER = %+v, %v; want off", l, err)
			}
			// socket(7): SO_RCVBUF/SO_SNDBUF: "The kernel doubles this
			// value"; either way the buffer is at least what was asked.
			if err := c.SetReadBuffer(64 << 10); err != nil {
				t.Fatal(err)
			}
			if got, err := f.api.GetsockoptInt(f.sysfd, unix.SOL_SOCKET, unix.SO_RCVBUF); err != nil || got < 64<<10 {
				t.Errorf("SO_RCVBUF = %d, %v", got, err)
			}
			if err := c.SetWriteBuffer(96 << 10); err != nil {
				t.Fatal(err)
			}
			if got, err := f.api.GetsockoptInt(f.sysfd, unix.SOL_SOCKET, unix.SO_SNDBUF); err != nil || got < 96<<10 {
				t.Errorf("SO_SNDBUF = %d, %v", got, err)
			}
		})
	}
}

// Every descriptor netconn makes is non-blocking: accepted, dialled and
// listening ones (the waits are netconn's, in Poll).
func TestNonblocking(t *testing.T) {
	k := kernel.New()
	c1, c2 := tcpPair(t, k, "127.0.0.1")
	for _, c := range []*Conn{c1, c2} {
		fl, err := unix.FcntlInt(uintptr(c.fd.sysfd), unix.F_GETFL, 0)
		if err != nil || fl&unix.O_NONBLOCK == 0 {
			t.Errorf("fd %d flags %#x, %v: not O_NONBLOCK", c.fd.sysfd, fl, err)
		}
	}
}

// Steady-state Read and Write do not allocate, and neither does netconn's
// wait in Poll (its pollfd is reused). The provider's own calls are
// included: the kernel's are allocation-free, and so are the stack's
// (checked without the race detector, which allocates in the stack).
func TestAllocs(t *testing.T) {
	for _, p := range providers(t) {
		t.Run(p.name, func(t *testing.T) {
			c1, c2 := tcpPair(t, p.api, p.host)
			c1.SetDeadline(time.Now().Add(10 * time.Second))
			c2.SetDeadline(time.Now().Add(10 * time.Second))
			msg, buf := []byte("0123456789abcdef"), make([]byte, 16)
			rw := testing.AllocsPerRun(200, func() {
				if _, err := c1.Write(msg); err != nil {
					t.Fatal(err)
				}
				if n, err := c2.Read(buf); err != nil || n == 0 {
					t.Fatal(n, err)
				}
			})
			// The peer has room to send: POLLOUT is ready at once.
			wait := testing.AllocsPerRun(200, func() {
				if err := c1.fd.wait(&c1.fd.wr, unix.POLLOUT); err != nil {
					t.Fatal(err)
				}
			})
			t.Logf("%s: allocs per Write+Read %.1f, per wait %.1f", p.name, rw, wait)
			if (p.name == "kernel" || !raceEnabled) && (rw != 0 || wait != 0) {
				t.Errorf("allocations: Write+Read %.1f, wait %.1f; want 0", rw, wait)
			}
		})
	}
}

// BenchmarkStream measures one-way TCP throughput through netconn, 64 KiB
// per Write, on each provider.
func BenchmarkStream(b *testing.B) {
	for _, p := range providers(b) {
		b.Run(p.name, func(b *testing.B) {
			c1, c2 := tcpPair(b, p.api, p.host)
			done := make(chan error, 1)
			go func() {
				_, err := io.Copy(io.Discard, c2)
				done <- err
			}()
			buf := make([]byte, 64<<10)
			b.SetBytes(int64(len(buf)))
			b.ResetTimer()
			for range b.N {
				if _, err := c1.Write(buf); err != nil {
					b.Fatal(err)
				}
			}
			c1.CloseWrite()
			if err := <-done; err != nil {
				b.Fatal(err)
			}
		})
	}
}
