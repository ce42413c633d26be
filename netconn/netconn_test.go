package netconn_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/net/nettest"

	"sockstack/kernel"
	"sockstack/netconn"
	"sockstack/sock"
	"sockstack/vnet"
)

// world is a provider with a server side and a client side.
type world struct {
	name           string
	server, client sock.API
	serverAddr     string // host for TCP listeners ("" picks per test)
}

// worlds returns the kernel on loopback and two sockstack hosts joined by
// an in-memory Ethernet link.
func worlds(t *testing.T) []world {
	n := vnet.New()
	a, b := n.AddHost("a", false), n.AddHost("b", false)
	if _, _, err := n.Connect("a", netip.MustParsePrefix("10.0.0.1/24"), "b", netip.MustParsePrefix("10.0.0.2/24"), vnet.LinkConfig{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	k := kernel.New()
	return []world{
		{name: "kernel", server: k, client: k, serverAddr: "127.0.0.1"},
		{name: "stack", server: b, client: a, serverAddr: "10.0.0.2"},
	}
}

// pipeMaker returns a nettest.MakePipe over network on w.
func pipeMaker(t *testing.T, w world, network string) nettest.MakePipe {
	return func() (c1, c2 net.Conn, stop func(), err error) {
		addr := net.JoinHostPort(w.serverAddr, "0")
		if network == "unix" {
			addr = filepath.Join(t.TempDir(), "s")
		}
		ln, err := netconn.Listen(w.server, network, addr)
		if err != nil {
			return nil, nil, nil, err
		}
		defer ln.Close()
		type res struct {
			c   net.Conn
			err error
		}
		ch := make(chan res, 1)
		go func() {
			c, err := ln.Accept()
			ch <- res{c, err}
		}()
		api := w.client
		if network == "unix" {
			api = w.server // AF_UNIX is local to one host
		}
		c1, err = netconn.Dial(api, network, ln.Addr().String())
		if err != nil {
			return nil, nil, nil, err
		}
		r := <-ch
		if r.err != nil {
			c1.Close()
			return nil, nil, nil, r.err
		}
		return c1, r.c, func() { c1.Close(); r.c.Close() }, nil
	}
}

// golang.org/x/net/nettest.TestConn: the net.Conn contract (deadlines,
// concurrent Close, partial reads, ...) on both providers.
func TestNettestConn(t *testing.T) {
	for _, w := range worlds(t) {
		for _, network := range []string{"tcp", "unix"} {
			t.Run(w.name+"/"+network, func(t *testing.T) {
				nettest.TestConn(t, pipeMaker(t, w, network))
			})
		}
	}
}

// net/http runs unchanged: a server on a netconn listener, a client with
// netconn's Dialer, a 10 MB body with its sha256.
func TestHTTP(t *testing.T) {
	body := make([]byte, 10<<20)
	rand.Read(body)
	want := sha256.Sum256(body)
	for _, w := range worlds(t) {
		t.Run(w.name, func(t *testing.T) {
			ln, err := netconn.Listen(w.server, "tcp", net.JoinHostPort(w.serverAddr, "0"))
			if err != nil {
				t.Fatal(err)
			}
			srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				rw.Write(body)
			})}
			go srv.Serve(ln)
			defer srv.Close()
			d := &netconn.Dialer{API: w.client, Timeout: 10 * time.Second}
			tr := &http.Transport{DialContext: d.DialContext}
			defer tr.CloseIdleConnections()
			resp, err := (&http.Client{Transport: tr, Timeout: 60 * time.Second}).Get("http://" + ln.Addr().String() + "/")
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || sha256.Sum256(got) != want {
				t.Fatalf("GET: %d bytes, %v; sha256 mismatch", len(got), err)
			}
		})
	}
}

// crypto/tls over netconn: a handshake with a self-signed certificate and a
// round trip.
func TestTLS(t *testing.T) {
	cert := selfSigned(t)
	for _, w := range worlds(t) {
		t.Run(w.name, func(t *testing.T) {
			c1, c2, stop, err := pipeMaker(t, w, "tcp")()
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			srv := tls.Server(c2, &tls.Config{Certificates: []tls.Certificate{cert}})
			cli := tls.Client(c1, &tls.Config{InsecureSkipVerify: true})
			done := make(chan error, 1)
			go func() {
				buf := make([]byte, 5)
				_, err := io.ReadFull(srv, buf)
				if err == nil {
					_, err = srv.Write(bytes.ToUpper(buf))
				}
				done <- err
			}()
			if _, err := cli.Write([]byte("hello")); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 5)
			if _, err := io.ReadFull(cli, buf); err != nil || string(buf) != "HELLO" {
				t.Fatalf("TLS echo %q, %v", buf, err)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}

func selfSigned(t *testing.T) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sockstack"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// UDP as a net.PacketConn (udp(7), recvfrom(2), sendto(2)): WriteTo and
// ReadFrom with the source address, deadlines in both directions that time
// out and can be extended, and Close.
func TestPacketConn(t *testing.T) {
	for _, w := range worlds(t) {
		t.Run(w.name, func(t *testing.T) {
			srv, err := netconn.ListenPacket(w.server, "udp", net.JoinHostPort(w.serverAddr, "0"))
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			cli, err := netconn.ListenPacket(w.client, "udp", ":0")
			if err != nil {
				t.Fatal(err)
			}
			defer cli.Close()
			if _, err := cli.WriteTo([]byte("dgram"), srv.LocalAddr()); err != nil {
				t.Fatal(err)
			}
			srv.SetReadDeadline(time.Now().Add(5 * time.Second))
			buf := make([]byte, 16)
			n, from, err := srv.ReadFrom(buf)
			if err != nil || string(buf[:n]) != "dgram" || from.(*net.UDPAddr).Port != cli.LocalAddr().(*net.UDPAddr).Port {
				t.Fatalf("ReadFrom = %q from %v, %v", buf[:n], from, err)
			}
			srv.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
			if _, _, err = srv.ReadFrom(buf); !isTimeout(err, "read") {
				t.Fatalf("read past the deadline: %v", err)
			}
			cli.SetWriteDeadline(time.Now().Add(-time.Second))
			if _, err := cli.WriteTo([]byte("late"), srv.LocalAddr()); !isTimeout(err, "write") {
				t.Fatalf("write past the deadline: %v", err)
			}
			// Extending the deadlines makes both directions work again.
			cli.SetWriteDeadline(time.Time{})
			srv.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := cli.WriteTo([]byte("again"), srv.LocalAddr()); err != nil {
				t.Fatal(err)
			}
			if n, _, err = srv.ReadFrom(buf); err != nil || string(buf[:n]) != "again" {
				t.Fatalf("ReadFrom after extending the deadline: %q, %v", buf[:n], err)
			}
			srv.Close()
			if _, _, err = srv.ReadFrom(buf); !errors.Is(err, net.ErrClosed) {
				t.Fatalf("ReadFrom after Close: %v", err)
			}
		})
	}
}
