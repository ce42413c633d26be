package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) {
	sweepNetns()
	goleak.VerifyTestMain(m)
}

// runArgs runs the program with args and empty stdin.
func runArgs(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	err = run(ctx, args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), err
}

func TestTopLevelHelp(t *testing.T) {
	for _, arg := range []string{"-h", "--help", "-help", "help"} {
		out, _, err := runArgs(t, arg)
		if err != nil {
			t.Errorf("%s: %v", arg, err)
		}
		for _, c := range commands() {
			if !strings.Contains(out, c.name+" ") || !strings.Contains(out, c.summary) {
				t.Errorf("%s: help lacks %q with its summary:\n%s", arg, c.name, out)
			}
		}
	}
}

func TestSubcommandHelp(t *testing.T) {
	flags := map[string][]string{
		"echo":       {"-l", "-p PORT", "-s ADDR", "-u", "-4", "-6", "-v", "-q SECS", "-provider", "seed 003", "shutdown(2)"},
		"up":         {"--tun NAME", "--tap NAME", "--iface NAME", "--netns", "--addr CIDR", "--gw ADDR", "--mtu N", "--capture FILE", "--services", "ip netns add", "RFC 862", "RFC 864"},
		"ping":       {"--tun NAME", "--tap NAME", "--iface NAME", "--netns", "--addr CIDR", "--gw ADDR", "--mtu N", "--capture FILE", "-provider", "ping's own options:", "-c <count>", "raw(7)"},
		"traceroute": {"--tun NAME", "--tap NAME", "--iface NAME", "--netns", "--addr CIDR", "--gw ADDR", "--mtu N", "--capture FILE", "-provider", "traceroute's own options:", "-q <nqueries>", "time exceeded"},
		"lookup":     {"-hosts FILE", "-services FILE", "-nameserver", "getent(1)", "addrinfo", "nameinfo", "--tun NAME"},
		"demo":       {"-n CLIENTS", "-6", "-provider kernel", "seed 003", "A — R — B", "traceroute", "2 ms"},
	}
	for _, c := range commands() {
		if c.run == nil {
			continue
		}
		want, ok := flags[c.name]
		if !ok {
			t.Errorf("no help expectations for subcommand %q", c.name)
		}
		out, _, err := runArgs(t, c.name, "-h")
		if err != nil {
			t.Errorf("%s -h: %v", c.name, err)
		}
		viaHelp, _, err := runArgs(t, "help", c.name)
		if err != nil || viaHelp != out {
			t.Errorf("help %s differs from %s -h (err %v)", c.name, c.name, err)
		}
		want = append(want, "Usage:", "sockstack "+c.name, "Flags:")
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s -h lacks %q:\n%s", c.name, w, out)
			}
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"help", "frobnicate"},
		{"echo", "-x"},
		{"echo"},
		{"echo", "127.0.0.1"},
		{"echo", "127.0.0.1", "0"},
		{"echo", "127.0.0.1", "http"},
		{"echo", "-4", "-6", "-l"},
		{"echo", "-4", "::1", "7"},
		{"echo", "-provider", "stack", "-l"},
		{"echo", "-l", "-p", "70000"},
		{"echo", "-s", "127.0.0.1", "127.0.0.1", "7"},
		{"echo", "example.com", "7"},
		{"demo", "extra"},
		{"up"},
		{"up", "--tun", "t0"},
		{"up", "--tun", "t0", "--tap", "t1", "--addr", "10.213.1.2/24"},
		{"up", "--tun", "t0", "--addr", "10.213.1.2"},
		{"up", "--tun", "t0", "--addr", "10.213.1.2/24", "--gw", "10.213.2.1"},
		{"up", "--tun", "t0", "--addr", "10.213.1.2/24", "--mtu", "20"},
		{"up", "--tun", "t0", "--addr", "10.213.1.2/24", "--services", "finger"},
		{"up", "--addr", "10.213.1.2/24"},
		{"demo", "-n", "0"},
		{"demo", "-provider", "bsd"},
	} {
		_, _, err := runArgs(t, args...)
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("%q: %v, want a usage error", args, err)
			continue
		}
		var eb bytes.Buffer
		if code := exitCode(err, &eb); code != 2 || !strings.HasPrefix(eb.String(), "sockstack: ") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and sockstack: <error>", args, code, eb.String())
		}
	}
	// Unknown subcommands and bad flags print the usage on stderr.
	if _, stderr, _ := runArgs(t, "frobnicate"); !strings.Contains(stderr, "Subcommands:") {
		t.Errorf("unknown subcommand: stderr lacks the subcommand list:\n%s", stderr)
	}
	if _, stderr, _ := runArgs(t, "echo", "-x"); !strings.Contains(stderr, "-provider") {
		t.Errorf("bad flag: stderr lacks the flags:\n%s", stderr)
	}
}

func TestExitCode(t *testing.T) {
	var eb bytes.Buffer
	if code := exitCode(nil, &eb); code != 0 || eb.Len() != 0 {
		t.Errorf("nil: exit %d, stderr %q", code, eb.String())
	}
	if code := exitCode(errors.New("boom"), &eb); code != 1 || eb.String() != "sockstack: boom\n" {
		t.Errorf("failure: exit %d, stderr %q", code, eb.String())
	}
}

func TestDemo(t *testing.T) {
	for _, args := range [][]string{{"demo", "-provider", "kernel"}, {"demo", "-provider", "kernel", "-6", "-n", "5"}} {
		out, stderr, err := runArgs(t, args...)
		if err != nil {
			t.Fatalf("%q: %v\nstderr: %s", args, err, stderr)
		}
		clients := 3
		if len(args) > 3 {
			clients = 5
		}
		want := []string{
			"demo: echo over the kernel provider",
			`client 1: sent "hello\n"`, `client 1: received "hello\n"`,
			`client 1: received "world\n"`, "client 1: shutdown(SHUT_WR)", "client 1: received EOF",
			"server: connected from ", "server: disconnected from ", "server: stopped",
			`udp client: received "a datagram"`, "udp server: datagram from ",
			"demo: every echo matched",
		}
		for i := 2; i <= clients+1; i++ {
			want = append(want, strings.ReplaceAll(`client N: received "line 2 from client N\n"`, "N", string(rune('0'+i))))
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%q: transcript lacks %q:\n%s", args, w, out)
			}
		}
		if got := strings.Count(out, "server: connected from "); got != clients+1 {
			t.Errorf("%q: %d connections logged, want %d", args, got, clients+1)
		}
	}
}

// TestNetDemo runs the default demo: three stack hosts, ping, traceroute
// and UDP echo from A to B through R.
func TestNetDemo(t *testing.T) {
	out, stderr, err := runArgs(t, "demo")
	if err != nil {
		t.Fatalf("demo: %v\n%s%s", err, out, stderr)
	}
	for _, re := range []string{
		`A 10\.1\.0\.2/24 --- 10\.1\.0\.1/24 R 10\.2\.0\.1/24 --- 10\.2\.0\.2/24 B`,
		`64 bytes from 10\.2\.0\.2: icmp_seq=3 ttl=63 time=`,
		`3 packets transmitted, 3 received, 0% packet loss`,
		`traceroute to 10\.2\.0\.2 \(10\.2\.0\.2\), 30 hops max`,
		`\n 1  10\.1\.0\.1  [\d.]+ ms`,
		`\n 2  10\.2\.0\.2  [\d.]+ ms`,
		`A: received "hello from A"`, `A: received "to B"`,
		`A: received "over the stack's TCP"`,
		`A: HTTP/1\.1 200 OK, 90000 bytes, sha256 [0-9a-f]{16}\n`,
		`drops on R by reason: ttl-expired=3\n`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("demo output lacks %s:\n%s", re, out)
		}
	}
	// 2 ms each way on two links: no round trip from A to B under 8 ms.
	for _, m := range regexp.MustCompile(`time=([\d.]+) ms`).FindAllStringSubmatch(out, -1) {
		if ms, _ := strconv.ParseFloat(m[1], 64); ms < 8 {
			t.Errorf("round trip %s ms is below the links' 8 ms", m[1])
		}
	}
}

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

var listeningRE = regexp.MustCompile(`listening on (\S+):(\d+)\n`)

// echoServer is "sockstack echo -l -p 0 ..." running in a goroutine.
type echoServer struct {
	host, port string
	stderr     *syncBuffer
	stop       func() error // cancels the server and returns run's result
}

// startEchoServer runs "sockstack echo -l -p 0 extra..." until stop or the
// end of the test, and finds the address it printed.
func startEchoServer(t *testing.T, extra ...string) *echoServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv := &echoServer{stderr: &syncBuffer{}}
	done := make(chan error, 1)
	args := append([]string{"echo", "-l", "-p", "0"}, extra...)
	go func() { done <- run(ctx, args, strings.NewReader(""), io.Discard, srv.stderr) }()
	var once sync.Once
	var result error
	srv.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case result = <-done:
			case <-time.After(5 * time.Second):
				result = errors.New("server did not stop 5s after cancel")
			}
		})
		return result
	}
	t.Cleanup(func() {
		if err := srv.stop(); err != nil {
			t.Errorf("%q after cancel: %v", args, err)
		}
	})
	deadline := time.Now().Add(5 * time.Second)
	for {
		if m := listeningRE.FindStringSubmatch(srv.stderr.String()); m != nil {
			srv.host, srv.port = m[1], m[2]
			return srv
		}
		if time.Now().After(deadline) {
			t.Fatalf("%q printed no listening address; stderr: %q", args, srv.stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestEchoServerAndClient(t *testing.T) {
	for _, tc := range []struct {
		name         string
		server, dial []string
	}{
		{"tcp4", []string{"-s", "127.0.0.1", "-v"}, []string{"-v"}},
		{"tcp6", []string{"-6", "-s", "::1"}, []string{"-6"}},
		{"udp4", []string{"-u", "-s", "127.0.0.1"}, []string{"-u", "-q", "0.3"}},
		{"udp6", []string{"-u", "-6", "-s", "::1"}, []string{"-u", "-q", "0.3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startEchoServer(t, tc.server...)
			host, port, serverErr := srv.host, srv.port, srv.stderr
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			in := "hello\nworld\n"
			var out, clientErr bytes.Buffer
			args := append(append([]string{"echo"}, tc.dial...), host, port)
			if err := run(ctx, args, strings.NewReader(in), &out, &clientErr); err != nil {
				t.Fatalf("%q: %v; stderr %q", args, err, clientErr.String())
			}
			if out.String() != in {
				t.Errorf("%q printed %q, want %q", args, out.String(), in)
			}
			if tc.name == "tcp4" {
				if !strings.Contains(clientErr.String(), "connected to "+host+":"+port) {
					t.Errorf("client -v stderr %q lacks the connection", clientErr.String())
				}
				deadline := time.Now().Add(5 * time.Second)
				for !strings.Contains(serverErr.String(), "disconnected from") && time.Now().Before(deadline) {
					time.Sleep(5 * time.Millisecond)
				}
				if !strings.Contains(serverErr.String(), "connected from") {
					t.Errorf("server -v stderr %q lacks the connection log", serverErr.String())
				}
			}
		})
	}
}

func TestEchoClientRefused(t *testing.T) {
	// A port that was listening until the server stopped is closed now.
	srv := startEchoServer(t, "-s", "127.0.0.1")
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}
	_, _, err := runArgs(t, "echo", "127.0.0.1", srv.port)
	var u usageError
	if !errors.Is(err, unix.ECONNREFUSED) || errors.As(err, &u) {
		t.Errorf("client of a closed port: %v, want ECONNREFUSED, not a usage error", err)
	}
	var eb bytes.Buffer
	if code := exitCode(err, &eb); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
}
