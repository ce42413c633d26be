package netconn_test

import (
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"

	"sockstack/netconn"
)

// CloseWrite half-closes like (*net.TCPConn).CloseWrite: the peer reads
// the request and then EOF (shutdown(2) SHUT_WR), and can still answer.
func TestCloseWrite(t *testing.T) {
	for _, w := range worlds(t) {
		for _, network := range []string{"tcp", "unix"} {
			t.Run(w.name+"/"+network, func(t *testing.T) {
				c1, c2 := pair(t, w, network)
				c1.SetDeadline(time.Now().Add(5 * time.Second))
				c2.SetDeadline(time.Now().Add(5 * time.Second))
				if _, err := c1.Write([]byte("request")); err != nil {
					t.Fatal(err)
				}
				if err := c1.(*netconn.Conn).CloseWrite(); err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(c2)
				if err != nil || string(got) != "request" {
					t.Fatalf("peer read %q, %v; want the request then EOF", got, err)
				}
				if _, err := c2.Write([]byte("answer")); err != nil {
					t.Fatal(err)
				}
				c2.Close()
				got, err = io.ReadAll(c1)
				if err != nil || string(got) != "answer" {
					t.Fatalf("half-closed side read %q, %v", got, err)
				}
			})
		}
	}
}

// LocalAddr and RemoteAddr are the net package's types, and each side's
// local address is the other's remote one (getsockname(2),
// getpeername(2)).
func TestAddrs(t *testing.T) {
	for _, w := range worlds(t) {
		t.Run(w.name, func(t *testing.T) {
			c1, c2 := pair(t, w, "tcp")
			l1, ok1 := c1.LocalAddr().(*net.TCPAddr)
			r2, ok2 := c2.RemoteAddr().(*net.TCPAddr)
			if !ok1 || !ok2 || l1.String() != r2.String() || c1.RemoteAddr().String() != c2.LocalAddr().String() {
				t.Fatalf("addresses: c1 %v->%v, c2 %v->%v", c1.LocalAddr(), c1.RemoteAddr(), c2.LocalAddr(), c2.RemoteAddr())
			}
			if r1 := c1.RemoteAddr().(*net.TCPAddr); r1.IP.String() != w.serverAddr {
				t.Fatalf("remote IP %v, want %s", r1.IP, w.serverAddr)
			}
			u1, _ := pair(t, w, "unix")
			if ua, ok := u1.RemoteAddr().(*net.UnixAddr); !ok || ua.Net != "unix" || ua.Name == "" {
				t.Fatalf("unix remote address %#v", u1.RemoteAddr())
			}
		})
	}
}

// Dialer.LocalAddr is bound before connect(2), so the connection comes
// from that address.
func TestDialLocalAddr(t *testing.T) {
	for _, w := range worlds(t) {
		t.Run(w.name, func(t *testing.T) {
			ln, err := netconn.Listen(w.server, "tcp", net.JoinHostPort(w.serverAddr, "0"))
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			local := &net.TCPAddr{IP: net.ParseIP("127.0.0.1")}
			if w.name == "stack" {
				local.IP = net.ParseIP("10.0.0.1")
			}
			c, err := (&netconn.Dialer{API: w.client, LocalAddr: local}).Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			s, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := s.RemoteAddr().(*net.TCPAddr); !got.IP.Equal(local.IP) || got.Port != c.LocalAddr().(*net.TCPAddr).Port {
				t.Fatalf("server sees %v, client bound %v", got, c.LocalAddr())
			}
		})
	}
}

// A connected UDP net.Conn (connect(2) on a datagram socket sets the
// default peer, udp(7)) talks to a PacketConn: Write reaches ReadFrom with
// the Conn's address, WriteTo reaches Read, and RemoteAddr is a
// *net.UDPAddr.
func TestConnectedUDP(t *testing.T) {
	for _, w := range worlds(t) {
		t.Run(w.name, func(t *testing.T) {
			srv, err := netconn.ListenPacket(w.server, "udp", net.JoinHostPort(w.serverAddr, "0"))
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			c, err := netconn.Dial(w.client, "udp", srv.LocalAddr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if ra, ok := c.RemoteAddr().(*net.UDPAddr); !ok || ra.String() != srv.LocalAddr().String() {
				t.Fatalf("RemoteAddr %#v, want %v", c.RemoteAddr(), srv.LocalAddr())
			}
			roundTrip(t, c, srv)
		})
	}
}

// roundTrip sends a datagram from c to srv and one back.
func roundTrip(t *testing.T, c net.Conn, srv net.PacketConn) {
	t.Helper()
	srv.SetDeadline(time.Now().Add(5 * time.Second))
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	n, from, err := srv.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "ping" || from.String() != c.LocalAddr().String() {
		t.Fatalf("ReadFrom %q from %v, %v; want ping from %v", buf[:n], from, err, c.LocalAddr())
	}
	if _, err := srv.WriteTo([]byte("pong"), from); err != nil {
		t.Fatal(err)
	}
	if n, err = c.Read(buf); err != nil || string(buf[:n]) != "pong" {
		t.Fatalf("Read %q, %v", buf[:n], err)
	}
}

// AF_UNIX datagrams (unix(7) SOCK_DGRAM): a PacketConn on one path and a
// Conn dialled from another bound path, with *net.UnixAddr sources. The
// stack runs it on one host: AF_UNIX is local.
func TestUnixgram(t *testing.T) {
	for _, w := range worlds(t) {
		t.Run(w.name, func(t *testing.T) {
			dir := t.TempDir()
			srv, err := netconn.ListenPacket(w.server, "unixgram", filepath.Join(dir, "srv"))
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			d := &netconn.Dialer{API: w.server, LocalAddr: &net.UnixAddr{Name: filepath.Join(dir, "cli"), Net: "unixgram"}}
			c, err := d.Dial("unixgram", filepath.Join(dir, "srv"))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, ok := c.LocalAddr().(*net.UnixAddr); !ok {
				t.Fatalf("LocalAddr %#v", c.LocalAddr())
			}
			roundTrip(t, c, srv)
		})
	}
}
