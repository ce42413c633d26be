package link

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

// netnsPath turns a namespace name into its ip-netns(8) path; a value
// containing a slash is taken as a path already.
func netnsPath(ns string) string {
	if strings.Contains(ns, "/") {
		return ns
	}
	return filepath.Join("/run/netns", ns)
}

// inNetns runs fn on a fresh OS thread switched into network namespace ns
// (setns(2) with CLONE_NEWNET affects only the calling thread). Sockets and
// devices fn creates belong to ns and keep working from any thread. If the
// thread cannot be switched back it stays locked, and the Go runtime
// destroys it when the goroutine exits, so no goroutine ever runs in the
// wrong namespace.
func inNetns(ns string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		restored, err := runInNetns(netnsPath(ns), fn)
		if restored {
			runtime.UnlockOSThread()
		}
		errc <- err
	}()
	return <-errc
}

func runInNetns(path string, fn func() error) (restored bool, err error) {
	orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return true, fmt.Errorf("link: open own netns: %w", err)
	}
	defer unix.Close(orig)
	target, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return true, fmt.Errorf("link: open netns %s: %w", path, err)
	}
	defer unix.Close(target)
	if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
		return true, fmt.Errorf("link: setns %s: %w", path, err)
	}
	ferr := fn()
	if err := unix.Setns(orig, unix.CLONE_NEWNET); err != nil {
		return false, errors.Join(ferr, fmt.Errorf("link: setns back: %w", err))
	}
	return true, ferr
}
