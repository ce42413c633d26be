// Package netnslab is test support for ping and traceroute: it builds Linux
// network namespaces joined by veth pairs (the recipes of the project's
// LAB.md) and runs a function with its sockets inside one of them.
//
// Every namespace is named PREFIX-PID-N so that Sweep can remove those a
// killed test run left behind, and every address lives in namespaces that
// have no default route, so nothing can leave the machine.
package netnslab

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// ErrUnavailable reports that namespaces cannot be made here (not root, or
// no ip(8)).
var ErrUnavailable = errors.New("netnslab: network namespaces unavailable")

// Available reports why namespaces cannot be used, or nil.
func Available() error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("%w: not root", ErrUnavailable)
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if _, err := os.Stat("/proc/thread-self/ns/net"); err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return nil
}

// Require fails the test when namespaces are unavailable in CI (CI set in
// the environment) and skips it elsewhere.
func Require(t testing.TB) {
	t.Helper()
	if err := Available(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI requires this test to run: %v", err)
		}
		t.Skip(err)
	}
}

// Cmd runs a command with a 10-second limit and returns its error with
// its output.
func Cmd(args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.SysProcAttr = &unix.SysProcAttr{Pdeathsig: unix.SIGKILL}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// NewNS creates a namespace named prefix-PID-N with lo up and registers its
// deletion with t.Cleanup.
func NewNS(t testing.TB, prefix string) string {
	t.Helper()
	name := fmt.Sprintf("%s-%d-%d", prefix, os.Getpid(), rand.N(1<<30))
	if err := Cmd("ip", "netns", "add", name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := Cmd("ip", "netns", "del", name); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	if err := Cmd("ip", "-n", name, "link", "set", "lo", "up"); err != nil {
		t.Fatal(err)
	}
	return name
}

// Sweep deletes namespaces named prefix-PID-N whose PID is not a running
// process: leftovers of a test run killed before its cleanup.
func Sweep(prefix string) {
	ents, err := os.ReadDir("/run/netns")
	if err != nil {
		return
	}
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), prefix+"-")
		if !ok {
			continue
		}
		pidStr, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid == os.Getpid() || unix.Kill(pid, 0) == nil {
			continue
		}
		_ = Cmd("ip", "netns", "del", e.Name())
	}
}

// Do runs f on an OS thread that has entered namespace ns: sockets f
// creates belong to ns (and keep working from any thread afterwards). f
// must not start goroutines that create sockets, nor exec.
func Do(ns string, f func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		back, err := enter(ns)
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		ferr := f()
		if err := unix.Setns(back, unix.CLONE_NEWNET); err != nil {
			// Leave the thread locked: the runtime then ends it with
			// the goroutine instead of reusing it in the wrong namespace.
			unix.Close(back)
			errc <- errors.Join(ferr, fmt.Errorf("netnslab: setns back: %w", err))
			return
		}
		unix.Close(back)
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

// enter moves the calling (locked) thread into ns and returns a descriptor
// for the namespace it left.
func enter(ns string) (int, error) {
	back, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("netnslab: %w", err)
	}
	fd, err := unix.Open("/run/netns/"+ns, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		unix.Close(back)
		return -1, fmt.Errorf("netnslab: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
		unix.Close(back)
		return -1, fmt.Errorf("netnslab: setns %s: %w", ns, err)
	}
	return back, nil
}
