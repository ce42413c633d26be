package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// needLab skips, or fails in CI, when the test cannot make namespaces.
func needLab(t *testing.T, tools ...string) {
	t.Helper()
	why := ""
	if os.Geteuid() != 0 {
		why = "needs root for network namespaces and TUN"
	}
	for _, tool := range append([]string{"ip"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil && why == "" {
			why = "needs " + tool
		}
	}
	if why == "" {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s (CI must run this test)", why)
	}
	t.Skip(why)
}

// sh runs a command with a timeout and fails the test on error.
func sh(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// tryCmd runs a command with a timeout.
func tryCmd(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// nsPrefix begins the names of the namespaces these tests make:
// sockstack-cmd-<pid>-<n>.
const nsPrefix = "sockstack-cmd-"

// sweepNetns deletes namespaces of earlier test processes that died
// without cleaning up.
func sweepNetns() {
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
		if pid, err := strconv.Atoi(pidStr); err == nil && syscall.Kill(pid, 0) == syscall.ESRCH {
			exec.Command("ip", "netns", "del", name).Run()
		}
	}
}

// labNetns creates a namespace removed at the end of the test.
func labNetns(t *testing.T) string {
	t.Helper()
	name := fmt.Sprintf("%s%d-%d", nsPrefix, os.Getpid(), time.Now().UnixNano()%1e6)
	sh(t, "ip", "netns", "add", name)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
	return name
}

// TestUpAnswersLinux runs "sockstack up" on a TUN in a namespace and
// talks to it with Linux's ping and socat.
func TestUpAnswersLinux(t *testing.T) {
	needLab(t, "ping", "socat")
	ns := labNetns(t)
	capFile := filepath.Join(t.TempDir(), "up.pcapng")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"up", "--netns", ns, "--tun", "tun0", "--addr", "10.213.1.2/24", "--capture", capFile},
			strings.NewReader(""), out, out)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "\n") {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("up printed nothing in 5 s; err %v", <-done)
		}
		time.Sleep(5 * time.Millisecond)
	}
	want := "sockstack up: tun0 10.213.1.2/24 mtu 1500 in netns " + ns + ", serving echo discard daytime chargen on udp"
	if first := strings.SplitN(out.String(), "\n", 2)[0]; !strings.HasPrefix(first, want) {
		t.Errorf("first line %q, want %q", first, want)
	}
	sh(t, "ip", "-n", ns, "link", "set", "lo", "up")
	sh(t, "ip", "-n", ns, "link", "set", "tun0", "up")
	sh(t, "ip", "-n", ns, "addr", "add", "10.213.1.1/24", "dev", "tun0")
	ping := sh(t, "ip", "netns", "exec", ns, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.213.1.2")
	if !strings.Contains(ping, "3 received, 0% packet loss") {
		t.Errorf("ping:\n%s", ping)
	}
	echo := sh(t, "sh", "-c", "echo sockets | ip netns exec "+ns+" socat -t 2 - UDP:10.213.1.2:7")
	if echo != "sockets\n" {
		t.Errorf("udp echo returned %q", echo)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("up: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("up did not stop 5 s after cancel")
	}
	for _, w := range []string{"sockstack up: echo: 1 datagrams, 1 replies", "sockstack up: link tun0: tx ", "sockstack up: drops: "} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, out.String())
		}
	}
	// The capture is pcapng (its Section Header Block type is
	// 0x0A0D0D0A) holding at least the ping exchange and the datagrams.
	b, err := os.ReadFile(capFile)
	if err != nil || len(b) < 12 || string(b[:4]) != "\x0a\x0d\x0d\x0a" {
		t.Fatalf("capture %s: %v, %d bytes, want pcapng", capFile, err, len(b))
	}
	if _, err := exec.LookPath("tshark"); err == nil {
		frames, _ := tryCmd("tshark", "-r", capFile, "-Y", "icmp.type == 0 || udp.port == 7", "-T", "fields", "-e", "frame.number")
		if n := len(regexp.MustCompile(`(?m)^\d+$`).FindAllString(frames, -1)); n < 5 {
			t.Errorf("capture holds %d echo replies and udp echo frames, want at least 5:\n%s", n, frames)
		}
	}
}
