package inetd

import (
	"bytes"
	"context"
	"net/netip"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/sys/unix"

	"sockstack/kernel"
	"sockstack/sock"
	"sockstack/vnet"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fixedNow is the clock of every test server.
var fixedNow = time.Date(2026, 11, 22, 22, 30, 0, 0, time.UTC)

// startServer runs s until the end of the test and returns where each
// service listens, by network.
func startServer(t *testing.T, s *Server) map[string]map[Service]netip.AddrPort {
	t.Helper()
	s.Now = func() time.Time { return fixedNow }
	bs, err := s.Listen()
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("Serve did not return 5 s after cancel")
		}
	})
	m := map[string]map[Service]netip.AddrPort{"udp": {}, "tcp": {}}
	for _, b := range bs {
		m[b.Network][b.Service] = b.Addr
	}
	return m
}

// checkUDP exercises the four services over UDP.
func checkUDP(t *testing.T, s *Server, c client, at map[Service]netip.AddrPort) {
	if got := c.exchange(at[Echo], []byte("hello, echo"), 2*time.Second); string(got) != "hello, echo" {
		t.Errorf("udp echo replied %q", got)
	}
	big := bytes.Repeat([]byte("0123456789"), 400) // fragmented on a 1500-byte link
	if got := c.exchange(at[Echo], big, 2*time.Second); !bytes.Equal(got, big) {
		t.Errorf("udp echo of %d bytes replied %d bytes", len(big), len(got))
	}
	if got := c.exchange(at[Discard], []byte("into the void"), 200*time.Millisecond); got != nil {
		t.Errorf("udp discard replied %q", got)
	}
	if st := s.Stats(Discard); st.Datagrams != 1 || st.Replies != 0 {
		t.Errorf("discard stats %+v, want 1 datagram and no reply", st)
	}
	if got, want := string(c.exchange(at[Daytime], nil, 2*time.Second)), "Sun Nov 22 22:30:00 2026\r\n"; got != want {
		t.Errorf("udp daytime replied %q, want %q", got, want)
	}
	pattern := chargenPattern()
	lengths := map[int]bool{}
	for range 20 {
		got := c.exchange(at[Chargen], []byte("x"), 2*time.Second)
		if got == nil || len(got) > MaxChargenDatagram {
			t.Fatalf("udp chargen replied %d bytes (nil: %v), want 0-512", len(got), got == nil)
		}
		lengths[len(got)] = true
		if len(got) > 0 && !bytes.HasPrefix(pattern[lineStart(got[0]):], got) {
			t.Errorf("udp chargen reply %q is not the pattern from a line start", got)
		}
	}
	if len(lengths) < 5 {
		t.Errorf("20 chargen datagrams had only %d distinct lengths: not random", len(lengths))
	}
}

// lineStart returns the offset in the pattern of the line starting with c.
func lineStart(c byte) int { return int(c-chargenFirst) * chargenLine }

// checkTCP exercises the four services over TCP.
func checkTCP(t *testing.T, c client, at map[Service]netip.AddrPort) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	data := bytes.Repeat([]byte("echo me back\n"), 10000)
	cn := c.dial(ctx, at[Echo])
	done := make(chan error, 1)
	// The writer gets its own poll set: a conn is not safe for two
	// goroutines.
	w := &conn{api: cn.api, fd: cn.fd}
	go func() { done <- w.writeAll(ctx, data) }()
	got := make([]byte, len(data))
	if err := readFull(ctx, cn, got); err != nil || !bytes.Equal(got, data) {
		t.Errorf("tcp echo of %d bytes: %v, equal %v", len(data), err, bytes.Equal(got, data))
	}
	if err := <-done; err != nil {
		t.Errorf("tcp echo write: %v", err)
	}

	cn = c.dial(ctx, at[Discard])
	if err := cn.writeAll(ctx, data); err != nil {
		t.Errorf("tcp discard write: %v", err)
	}
	c.api.Shutdown(cn.fd, unix.SHUT_WR)
	if rest, err := readAll(ctx, cn); err != nil || len(rest) != 0 {
		t.Errorf("tcp discard sent %q (%v), want nothing then EOF", rest, err)
	}

	cn = c.dial(ctx, at[Daytime])
	if got, err := readAll(ctx, cn); err != nil || string(got) != "Sun Nov 22 22:30:00 2026\r\n" {
		t.Errorf("tcp daytime: %q, %v", got, err)
	}

	cn = c.dial(ctx, at[Chargen])
	stream := make([]byte, 3*chargenPeriod)
	if err := readFull(ctx, cn, stream); err != nil {
		t.Fatalf("tcp chargen: %v", err)
	}
	for line := 0; line < 3*chargenCount; line++ {
		want := AppendChargenLine(nil, line)
		if got := stream[line*chargenLine : (line+1)*chargenLine]; !bytes.Equal(got, want) {
			t.Fatalf("tcp chargen line %d = %q, want %q", line, got, want)
		}
	}
}

func TestKernelProvider(t *testing.T) {
	api := kernel.New()
	ip := netip.MustParseAddr("127.0.0.1")
	zero := map[Service]uint16{Echo: 0, Discard: 0, Daytime: 0, Chargen: 0}
	s := &Server{API: api, Addr: ip, Ports: zero}
	at := startServer(t, s)
	if !s.TCP() || len(at["tcp"]) != 4 || len(at["udp"]) != 4 {
		t.Fatalf("kernel bindings %v: want all four services on udp and tcp", s.Bindings())
	}
	t.Run("udp", func(t *testing.T) { checkUDP(t, s, client{t: t, api: api}, at["udp"]) })
	t.Run("tcp", func(t *testing.T) { checkTCP(t, client{t: t, api: api}, at["tcp"]) })
	if st := s.Stats(Chargen); st.Conns != 1 || st.Datagrams != 20 || st.Replies != 20 {
		t.Errorf("chargen stats %+v, want 1 connection, 20 datagrams and replies", st)
	}
}

// twoHosts returns a network of a (10.9.0.1) and b (10.9.0.2).
func twoHosts(t *testing.T) (a, b sock.API) {
	t.Helper()
	n := vnet.New()
	ha, hb := n.AddHost("a", false), n.AddHost("b", false)
	if _, _, err := n.Connect("a", netip.MustParsePrefix("10.9.0.1/24"), "b", netip.MustParsePrefix("10.9.0.2/24"), vnet.LinkConfig{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return ha, hb
}

func TestStackHosts(t *testing.T) {
	a, b := twoHosts(t)
	// The well-known ports: the stack host is the test's own.
	s := &Server{API: b, Addr: netip.MustParseAddr("10.9.0.2")}
	at := startServer(t, s)
	if s.TCP() != hasTCP(b) {
		t.Errorf("server TCP %v, provider TCP %v", s.TCP(), hasTCP(b))
	}
	for _, svc := range All() {
		if got := at["udp"][svc].Port(); got != svc.Port() {
			t.Errorf("udp %v on port %d, want %d", svc, got, svc.Port())
		}
	}
	checkUDP(t, s, client{t: t, api: a}, at["udp"])
	t.Logf("stack has TCP: %v", s.TCP())
	if s.TCP() {
		checkTCP(t, client{t: t, api: a}, at["tcp"])
	}
}

func TestNoReplyToServicePorts(t *testing.T) {
	a, b := twoHosts(t)
	s := &Server{API: b, Addr: netip.MustParseAddr("10.9.0.2"), Services: []Service{Echo}}
	at := startServer(t, s)
	c := client{t: t, api: a}
	// A datagram from chargen's port must not be echoed (CERT CA-1996-01).
	cn := c.open(unix.SOCK_DGRAM, netip.MustParseAddrPort("10.9.0.1:19"), at["udp"][Echo])
	if got := c.exchangeOn(cn, at["udp"][Echo], []byte("ping-pong"), 300*time.Millisecond); got != nil {
		t.Errorf("echo answered port 19 with %q", got)
	}
	if st := s.Stats(Echo); st.Datagrams != 1 || st.Replies != 0 {
		t.Errorf("echo stats %+v, want 1 datagram, 0 replies", st)
	}
}

func TestServeStopsAndCloses(t *testing.T) {
	_, b := twoHosts(t)
	h := b.(interface{ OpenFiles() int })
	s := &Server{API: b, Addr: netip.MustParseAddr("10.9.0.2")}
	if _, err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Listen(); err != ErrListening {
		t.Errorf("second Listen: %v, want ErrListening", err)
	}
	if h.OpenFiles() == 0 {
		t.Fatal("no sockets open after Listen")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve after cancel: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Serve did not stop within 2 s of cancel")
	}
	if n := h.OpenFiles(); n != 0 {
		t.Errorf("%d descriptors open after Serve returned", n)
	}
}
