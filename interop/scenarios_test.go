package interop

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// linuxPings runs Linux's ping against the stack from ns: plain, with
// 4000-byte payloads (fragments both ways) and a 2-second flood.
func linuxPings(t *testing.T, ns string, dst netip.Addr) {
	for _, tc := range []struct {
		name string
		args []string
		want int // replies; 0: every packet sent
	}{
		{"ping", []string{"-c", "5", "-i", "0.2"}, 5},
		{"ping -s 4000", []string{"-s", "4000", "-c", "3", "-i", "0.2"}, 3},
		{"ping -f", []string{"-f", "-w", "2"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"ping", "-n", "-W", "2"}, tc.args...)
			out := in(t, ns, append(args, dst.String())...)
			s, err := parsePing(out)
			if err != nil {
				t.Fatalf("%v:\n%s", err, out)
			}
			t.Logf("%s: %d sent, %d received, %s loss", tc.name, s.sent, s.received, s.loss)
			// ping -w stops at the deadline with the last flood request
			// still in flight, and counts it lost: at most that one may
			// be missing (iputils then prints a loss like 0.004%).
			inFlight := 0
			if tc.want == 0 {
				inFlight = 1
			}
			switch {
			case s.received < s.sent-inFlight || (inFlight == 0 && s.loss != "0%"):
				t.Errorf("%s: %s packet loss:\n%s", tc.name, s.loss, lastLines(out, 3))
			case tc.want > 0 && s.received != tc.want:
				t.Errorf("%s: %d replies, want %d", tc.name, s.received, tc.want)
			case tc.want == 0 && s.received < 1000:
				t.Errorf("%s: only %d replies in 2 s", tc.name, s.received)
			}
		})
	}
}

// linuxTraces runs traceroute and tracepath from ns to the stack, one hop
// away: the stack's port unreachable for their UDP probes ends the trace.
func linuxTraces(t *testing.T, ns string, dst netip.Addr) {
	out := in(t, ns, "traceroute", "-n", "-q", "1", "-w", "2", dst.String())
	if !strings.Contains(out, "\n 1  "+dst.String()+"  ") {
		t.Errorf("traceroute did not reach %v:\n%s", dst, out)
	}
	t.Logf("traceroute: %s", lastLines(out, 1))
	out = in(t, ns, "tracepath", "-n", dst.String())
	if !strings.Contains(out, dst.String()) || !strings.Contains(out, "reached") || !strings.Contains(out, "hops 1 back 1") {
		t.Errorf("tracepath did not reach %v in one hop:\n%s", dst, out)
	}
	t.Logf("tracepath: %s", lastLines(out, 1))
}

// records is the number of datagrams each UDP echo run sends, and
// recordLen their size.
const (
	records   = 10000
	recordLen = 100
)

// record returns datagram i: its number and a filler, recordLen bytes.
func record(i int) []byte {
	b := fmt.Appendf(nil, "%08d ", i)
	for len(b) < recordLen-1 {
		b = append(b, byte('a'+(i+len(b))%26))
	}
	return append(b, '\n')
}

// window bounds the datagrams in flight in each UDP echo run, so that a
// receiver's buffer (the stack's socket, 416 KiB at most as on Linux, or
// an AF_PACKET socket's 208 KiB) never overflows even under -race.
const window = 128

// udpEchoFromLinux sends records datagrams through socat in ns to the
// stack's echo service, at most window unanswered, and counts the replies
// socat prints.
func udpEchoFromLinux(t *testing.T, ns string, dst netip.Addr) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// -b 100: each read of socat's stdin (a pipe written one record at a
	// time, atomically: pipe(7), PIPE_BUF) is one datagram; every reply
	// is written to stdout.
	cmd := command(ctx, "ip", "netns", "exec", ns, "socat", "-b", fmt.Sprint(recordLen), "-t", "0.5",
		"-", fmt.Sprintf("UDP4:%v:7", dst))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	replies := make(chan int, records)
	readErr := make(chan error, 1)
	go func() { readErr <- readRecords(stdout, replies) }()
	start := time.Now()
	got, err := feedWindowed(stdin, replies)
	stdin.Close()
	err = errors.Join(err, <-readErr, cmd.Wait())
	t.Logf("udp echo from Linux: %d of %d datagrams back in %v", got, records, time.Since(start).Round(time.Millisecond))
	if err != nil || got != records {
		t.Errorf("udp echo from Linux: %d of %d back: %v; socat: %s", got, records, err, errb.String())
	}
}

// feedWindowed writes the records to w, at most window ahead of the
// replies counted on replies, and returns how many came back. It gives up
// after 2 s without a reply.
func feedWindowed(w io.Writer, replies <-chan int) (int, error) {
	got, sent := 0, 0
	for got < records {
		for sent < records && sent-got < window {
			if _, err := w.Write(record(sent)); err != nil {
				return got, err
			}
			sent++
		}
		select {
		case <-replies:
			got++
		case <-time.After(2 * time.Second):
			return got, fmt.Errorf("no reply for 2 s after %d sent", sent)
		}
	}
	return got, nil
}

// readRecords reads replies from r and sends the number of each new
// valid record on replies, until EOF.
func readRecords(r io.Reader, replies chan<- int) error {
	seen := make([]bool, records)
	var pending []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Read(buf)
		pending = append(pending, buf[:n]...)
		whole := len(pending) / recordLen * recordLen
		if whole > 0 {
			c, cerr := recordsIn(pending[:whole], seen)
			if cerr != nil {
				return cerr
			}
			for range c {
				replies <- 1
			}
			pending = append(pending[:0], pending[whole:]...)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// udpEchoFromStack sends records datagrams from a stack socket to a socat
// UDP echo in ns, at most window outstanding, and counts the replies.
func udpEchoFromStack(t *testing.T, host *stackHost, ns string, peer netip.Addr) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// PIPE sends back what it reads; -b 100 keeps one record per write.
	srv := command(ctx, "ip", "netns", "exec", ns, "socat", "-b", fmt.Sprint(recordLen), "-T", "10",
		fmt.Sprintf("UDP4-LISTEN:7777,bind=%v,rcvbuf=4194304", peer), "PIPE")
	var errb bytes.Buffer
	srv.Stderr = &errb
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Process.Kill(); srv.Wait() }()
	waitUDPListen(t, ns, peer, 7777)
	api := host.h
	fd, err := api.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close(fd)
	to := &unix.SockaddrInet4{Port: 7777, Addr: peer.As4()}
	start := time.Now()
	got, err := windowedEcho(ctx, api, fd, to, window)
	t.Logf("udp echo from the stack: %d of %d datagrams back in %v", got, records, time.Since(start).Round(time.Millisecond))
	if err != nil || got != records {
		t.Errorf("udp echo from the stack: %d of %d back: %v; socat: %s", got, records, err, errb.String())
	}
}

// waitUDPListen waits until a UDP socket is bound to addr:port in ns.
func waitUDPListen(t *testing.T, ns string, addr netip.Addr, port int) {
	t.Helper()
	want := fmt.Sprintf("%v:%d", addr, port)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if out, _ := try(5*time.Second, "ip", "netns", "exec", ns, "ss", "-unlH"); strings.Contains(out, want) {
			return
		}
	}
	t.Fatalf("nothing listens on udp %s in %s", want, ns)
}

// dgramAPI is what windowedEcho needs of a provider.
type dgramAPI interface {
	Sendto(fd int, p []byte, flags int, to unix.Sockaddr) error
	Read(fd int, p []byte) (int, error)
	Poll(fds []unix.PollFd, timeout int) (int, error)
}

// windowedEcho sends the records to to with at most window unanswered and
// returns how many distinct records came back. It gives up after 2 s
// without progress.
func windowedEcho(ctx context.Context, api dgramAPI, fd int, to unix.Sockaddr, window int) (int, error) {
	seen := make([]bool, records)
	got, sent := 0, 0
	buf := make([]byte, 65536)
	pfd := []unix.PollFd{{Fd: int32(fd)}}
	last := time.Now()
	for got < records {
		for sent < records && sent-got < window {
			err := api.Sendto(fd, record(sent), 0, to)
			if errors.Is(err, unix.EAGAIN) {
				break
			}
			if err != nil {
				return got, fmt.Errorf("sendto: %w", err)
			}
			sent++
		}
		n, err := api.Read(fd, buf)
		switch {
		case err == nil:
			c, cerr := recordsIn(buf[:n], seen)
			if cerr != nil {
				return got, cerr
			}
			got += c
			last = time.Now()
			continue
		case !errors.Is(err, unix.EAGAIN):
			return got, fmt.Errorf("read: %w", err)
		}
		if time.Since(last) > 2*time.Second || ctx.Err() != nil {
			return got, fmt.Errorf("no reply for 2 s after %d sent", sent)
		}
		pfd[0].Events, pfd[0].Revents = unix.POLLIN, 0
		api.Poll(pfd, 50)
	}
	return got, nil
}

// recordsIn marks the records in one reply and returns how many were new.
func recordsIn(b []byte, seen []bool) (int, error) {
	if len(b)%recordLen != 0 {
		return 0, fmt.Errorf("reply of %d bytes", len(b))
	}
	n := 0
	for off := 0; off < len(b); off += recordLen {
		var i int
		r := b[off : off+recordLen]
		if _, err := fmt.Sscanf(string(r[:8]), "%d", &i); err != nil || i < 0 || i >= len(seen) || !bytes.Equal(r, record(i)) {
			return n, fmt.Errorf("corrupt reply %q", r)
		}
		if !seen[i] {
			seen[i] = true
			n++
		}
	}
	return n, nil
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
