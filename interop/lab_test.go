package interop

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// nsPrefix begins the name of every namespace these tests create:
// sockstack-io-<pid>-<n>.
const nsPrefix = "sockstack-io-"

func TestMain(m *testing.M) {
	sweepStale()
	goleak.VerifyTestMain(m)
}

// sweepStale deletes namespaces left by test processes that died without
// cleaning up (a test killed by a timeout runs no t.Cleanup).
func sweepStale() {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(out), "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		rest, ok := strings.CutPrefix(name, nsPrefix)
		if !ok {
			continue
		}
		pidStr, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid == os.Getpid() || syscall.Kill(pid, 0) != syscall.ESRCH {
			continue
		}
		deleteNetns(name)
	}
}

// deleteNetns kills the processes inside a namespace, then deletes it.
func deleteNetns(name string) {
	if pids, err := exec.Command("ip", "netns", "pids", name).Output(); err == nil {
		for _, f := range strings.Fields(string(pids)) {
			if pid, err := strconv.Atoi(f); err == nil {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
	exec.Command("ip", "netns", "del", name).Run()
}

// tools is what the lab needs on PATH.
var tools = []string{"ip", "ping", "traceroute", "tracepath", "socat", "tcpdump", "tshark", "nstat", "ethtool",
	"nft", "curl", "python3", "openssl"}

// needLab skips when the test cannot run here, or fails in CI.
func needLab(t *testing.T) {
	t.Helper()
	why := ""
	if os.Geteuid() != 0 {
		why = "needs root (network namespaces, TUN, AF_PACKET)"
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil && why == "" {
			why = "needs " + tool + " (see LAB.md for the packages)"
		}
	}
	if why == "" {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s: CI must run the interop tests", why)
	}
	t.Skip(why)
}

// command returns a command that dies with the test process and with ctx.
func command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = time.Second
	return cmd
}

// sh runs name args with a timeout and returns its combined output,
// failing the test on error.
func sh(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := try(30*time.Second, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// stdout runs name args with a timeout and returns its standard output,
// failing the test on error.
func stdout(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var errb bytes.Buffer
	cmd := command(ctx, name, args...)
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, errb.String())
	}
	return string(out)
}

// try runs name args with a timeout and returns its combined output.
func try(timeout time.Duration, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := command(ctx, name, args...).CombinedOutput()
	return string(out), err
}

// netns creates a fresh namespace with lo up, deleted at the end of the
// test.
func netns(t *testing.T) string {
	t.Helper()
	for n := 0; ; n++ {
		name := fmt.Sprintf("%s%d-%d", nsPrefix, os.Getpid(), n)
		if _, err := os.Stat(filepath.Join("/run/netns", name)); err == nil {
			continue
		}
		sh(t, "ip", "netns", "add", name)
		t.Cleanup(func() { deleteNetns(name) })
		sh(t, "ip", "-n", name, "link", "set", "lo", "up")
		return name
	}
}

// in runs a command inside namespace ns.
func in(t *testing.T, ns string, args ...string) string {
	t.Helper()
	return sh(t, "ip", append([]string{"netns", "exec", ns}, args...)...)
}

// capture is a running tcpdump.
type capture struct {
	cmd  *exec.Cmd
	file string
	log  *bytes.Buffer
	done chan error
	// tshark are the options the gate reads the capture with.
	tshark []string
}

// checksumOpts turn on tshark's checksum validation, off by default.
var checksumOpts = []string{"-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"}

// startCapture runs tcpdump on dev inside ns until stopCapture.
func startCapture(t *testing.T, ns, dev string) *capture {
	t.Helper()
	return startCaptureSnap(t, ns, dev, 0)
}

// startCaptureSnap is startCapture keeping snap bytes of each packet (0:
// all), so bulk transfers capture their headers only. The gate then
// decodes every TCP payload as plain data: HTTP's and the heuristic
// dissectors would parse the first bytes of truncated, random body
// segments as messages, and some such fragments are errors to them (a
// body segment that begins with CR LF is a "Leading CRLF" to HTTP, others
// look like broken Thrift).
func startCaptureSnap(t *testing.T, ns, dev string, snap int) *capture {
	t.Helper()
	c := &capture{file: filepath.Join(t.TempDir(), dev+".pcap"), log: &bytes.Buffer{}, done: make(chan error, 1), tshark: checksumOpts}
	if snap > 0 {
		c.tshark = append(slices.Clip(checksumOpts), "-d", "tcp.port==1-65535,data")
	}
	// -Z root: Debian's tcpdump drops to user tcpdump, which cannot
	// write into the test's temporary directory.
	c.cmd = command(context.Background(), "ip", "netns", "exec", ns,
		"tcpdump", "-i", dev, "-n", "--immediate-mode", "-U", "-Z", "root", "-s", strconv.Itoa(snap), "-w", c.file)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	c.cmd.Stderr = pw
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("tcpdump: %v", err)
	}
	pw.Close()
	// LAB.md: wait for "listening on" before sending, or the first
	// packets are lost.
	listening := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		said := false
		for sc.Scan() {
			c.log.WriteString(sc.Text() + "\n")
			if !said && strings.Contains(sc.Text(), "listening on") {
				said = true
				listening <- true
			}
		}
		pr.Close()
		if !said {
			listening <- false
		}
		c.done <- c.cmd.Wait()
	}()
	t.Cleanup(func() { c.cmd.Process.Kill() })
	select {
	case ok := <-listening:
		if !ok {
			t.Fatalf("tcpdump ended before listening")
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("tcpdump did not start listening in 10 s")
	}
	return c
}

var capturedRE = regexp.MustCompile(`(\d+) packets? captured`)

// stopCapture stops tcpdump and applies LAB.md's tshark gate: with
// checksum validation on, no frame may be malformed or carry
// error-severity expert information. It returns the number of frames.
func (c *capture) stop(t *testing.T) int {
	t.Helper()
	c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("tcpdump did not stop")
	}
	m := capturedRE.FindStringSubmatch(c.log.String())
	if m == nil {
		t.Fatalf("tcpdump reported no packet count:\n%s", c.log.String())
	}
	n, _ := strconv.Atoi(m[1])
	if n == 0 {
		t.Fatalf("tcpdump captured nothing")
	}
	args := slices.Concat([]string{"-n", "-r", c.file}, c.tshark)
	bad := stdout(t, "tshark", append(args,
		"-Y", `_ws.malformed || _ws.expert.severity == "Error"`, "-T", "fields", "-e", "frame.number")...)
	if strings.TrimSpace(bad) != "" {
		frames := strings.Fields(bad)
		detail, _ := try(30*time.Second, "tshark", append(args, "-Y", "frame.number == "+frames[0], "-V")...)
		t.Errorf("tshark gate: %d frames malformed or with errors (first %s):\n%s", len(frames), frames[0], detail)
		return n
	}
	t.Logf("capture: %d frames, tshark gate passed", n)
	return n
}

// csumCounters are the nstat counters LAB.md requires to stay zero.
var csumCounters = []string{"IpExtInCsumErrors", "IcmpInCsumErrors", "Icmp6InCsumErrors",
	"UdpInCsumErrors", "TcpInCsumErrors", "IpInHdrErrors", "TcpInErrs"}

// checkNstat fails the test if Linux in ns counted a checksum or header
// error, beyond the counts in expect.
func checkNstat(t *testing.T, ns string, expect map[string]int) {
	t.Helper()
	hist := filepath.Join(t.TempDir(), "nstat.hist")
	out, err := try(10*time.Second, "env", "NSTAT_HISTORY="+hist, "ip", "netns", "exec", ns, "nstat", "-az")
	if err != nil {
		t.Fatalf("nstat: %v\n%s", err, out)
	}
	seen := 0
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		for _, name := range csumCounters {
			if f[0] == name {
				seen++
				if want := strconv.Itoa(expect[name]); f[1] != want {
					t.Errorf("nstat in %s: %s = %s, want %s", ns, name, f[1], want)
				}
			}
		}
	}
	if seen != len(csumCounters) {
		t.Errorf("nstat showed %d of the %d checksum counters:\n%s", seen, len(csumCounters), out)
	}
}

// pingSummary is the statistics line of iputils ping.
type pingSummary struct {
	sent, received int
	loss           string // as printed, e.g. "0%"
}

var pingRE = regexp.MustCompile(`(\d+) packets transmitted, (\d+) received,(?: \+\d+ \w+,)* ([\d.]+%) packet loss`)

// parsePing finds ping's summary in its output.
func parsePing(out string) (pingSummary, error) {
	m := pingRE.FindStringSubmatch(out)
	if m == nil {
		return pingSummary{}, errors.New("no summary line")
	}
	s, _ := strconv.Atoi(m[1])
	r, _ := strconv.Atoi(m[2])
	return pingSummary{sent: s, received: r, loss: m[3]}, nil
}
