package link

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

const netnsPrefix = "sockstack-link-"

// sweepStaleNetns deletes namespaces left by test processes that died
// without running their cleanups (LAB.md: kill `ip netns pids` first).
func sweepStaleNetns() {
	entries, err := os.ReadDir("/run/netns")
	if err != nil {
		return
	}
	for _, ent := range entries {
		name := ent.Name()
		rest, ok := strings.CutPrefix(name, netnsPrefix)
		if !ok {
			continue
		}
		pidStr, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid == os.Getpid() || unix.Kill(pid, 0) != unix.ESRCH {
			continue
		}
		if out, err := exec.Command("ip", "netns", "pids", name).Output(); err == nil {
			for _, f := range strings.Fields(string(out)) {
				if p, err := strconv.Atoi(f); err == nil {
					unix.Kill(p, unix.SIGKILL)
				}
			}
		}
		exec.Command("ip", "netns", "delete", name).Run()
	}
}

// requireLab fails in CI, and skips elsewhere, when the machine cannot run
// namespace tests.
func requireLab(t *testing.T) {
	t.Helper()
	var missing string
	switch {
	case os.Geteuid() != 0:
		missing = "root"
	case !fileExists("/dev/net/tun"):
		missing = "/dev/net/tun"
	default:
		for _, tool := range []string{"ip", "ping"} {
			if _, err := exec.LookPath(tool); err != nil {
				missing = tool
			}
		}
	}
	if missing == "" {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("lab test needs %s (required in CI)", missing)
	}
	t.Skipf("lab test needs %s", missing)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// run executes a command with a timeout and fails the test on error.
func run(t *testing.T, args ...string) string {
	t.Helper()
	out, err := runErr(args...)
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func runErr(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// newNetns creates a uniquely named namespace with lo up, deleted in
// t.Cleanup. tag tells a test's namespaces apart.
func newNetns(t *testing.T, tag string) string {
	t.Helper()
	h := fnv.New32a()
	h.Write([]byte(t.Name()))
	name := fmt.Sprintf("%s%d-%x%s", netnsPrefix, os.Getpid(), h.Sum32(), tag)
	exec.Command("ip", "netns", "delete", name).Run() // a leftover of -count=N
	run(t, "ip", "netns", "add", name)
	t.Cleanup(func() {
		if out, err := runErr("ip", "netns", "delete", name); err != nil {
			t.Errorf("delete netns %s: %v %s", name, err, out)
		}
	})
	run(t, "ip", "-n", name, "link", "set", "lo", "up")
	return name
}

// udpListener binds a UDP socket to addr:port inside namespace ns and
// returns a function that waits for one datagram's payload.
func udpListener(t *testing.T, ns string, addr [4]byte, port int) func() ([]byte, error) {
	t.Helper()
	var fd int
	err := inNetns(ns, func() (err error) {
		fd, err = unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		return unix.Bind(fd, &unix.SockaddrInet4{Port: port, Addr: addr})
	})
	if err != nil {
		t.Fatalf("udp listener in %s: %v", ns, err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	tv := unix.Timeval{Sec: 3}
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		t.Fatal(err)
	}
	return func() ([]byte, error) {
		buf := make([]byte, 2048)
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			return nil, err
		}
		return buf[:n], nil
	}
}

// ipv4UDP builds an IPv4 packet carrying a UDP datagram, with a valid
// header checksum and a zero UDP checksum (RFC 768: zero means none).
func ipv4UDP(src, dst [4]byte, sport, dport uint16, payload []byte) []byte {
	p := make([]byte, 28+len(payload))
	p[0] = 0x45
	binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
	p[8] = 64 // TTL
	p[9] = 17 // UDP
	copy(p[12:16], src[:])
	copy(p[16:20], dst[:])
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(p[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(p[10:], ^uint16(sum))
	binary.BigEndian.PutUint16(p[20:], sport)
	binary.BigEndian.PutUint16(p[22:], dport)
	binary.BigEndian.PutUint16(p[24:], uint16(8+len(payload)))
	copy(p[28:], payload)
	return p
}

// ethernet prefixes an Ethernet II header.
func ethernet(dst, src [6]byte, etherType uint16, payload []byte) []byte {
	f := make([]byte, 14, 14+len(payload))
	copy(f[0:6], dst[:])
	copy(f[6:12], src[:])
	binary.BigEndian.PutUint16(f[12:], etherType)
	return append(f, payload...)
}

// isEchoRequestTo reports whether p is an IPv4 ICMP echo request to dst.
func isEchoRequestTo(p []byte, dst [4]byte) bool {
	if len(p) < 28 || p[0]>>4 != 4 || p[9] != 1 {
		return false
	}
	ihl := int(p[0]&0xf) * 4
	return len(p) >= ihl+8 && [4]byte(p[16:20]) == dst && p[ihl] == 8 && p[ihl+1] == 0
}

// waitFor polls r's frames until match holds for one, or fails.
func waitFor(t *testing.T, r *recorder, what string, match func([]byte) bool) []byte {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, f := range r.snapshot() {
			if match(f) {
				return f
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no %s among %d received frames", what, r.count())
	return nil
}

// macOf reads an interface's MAC inside a namespace.
func macOf(t *testing.T, ns, dev string) [6]byte {
	t.Helper()
	out := run(t, "ip", "netns", "exec", ns, "cat", "/sys/class/net/"+dev+"/address")
	var m [6]byte
	if _, err := fmt.Sscanf(strings.TrimSpace(out), "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]); err != nil {
		t.Fatalf("parse MAC %q: %v", out, err)
	}
	return m
}

// pingOnce sends one echo request from inside ns; nothing answers (the
// endpoint under test only records), so ping's failure is expected.
func pingOnce(ns, dst string) {
	runErr("ip", "netns", "exec", ns, "ping", "-c1", "-W0.3", dst)
}
