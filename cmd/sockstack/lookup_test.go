package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// getent(1)'s output and exit statuses on files the test writes: 0 with
// the matching line, 2 for a key not found, 1 for an unknown database.
func TestLookup(t *testing.T) {
	dir := t.TempDir()
	hosts := filepath.Join(dir, "hosts")
	services := filepath.Join(dir, "services")
	os.WriteFile(hosts, []byte("127.0.0.1 localhost\n10.9.9.9 box.test box # a comment\n"), 0o644)
	os.WriteFile(services, []byte("http 80/tcp www\nmyecho 7777/udp\n"), 0o644)
	files := []string{"--hosts", hosts, "--services", services, "--nameserver", "127.0.0.1:1"}
	cases := []struct {
		args []string
		out  string
		code int
	}{
		{[]string{"hosts", "box"}, "10.9.9.9        box.test box\n", 0},
		{[]string{"hosts", "10.9.9.9"}, "10.9.9.9        box.test box\n", 0},
		{[]string{"ahostsv4", "box"}, "10.9.9.9        STREAM box.test\n10.9.9.9        DGRAM  \n10.9.9.9        RAW    \n", 0},
		{[]string{"services", "myecho"}, "myecho                7777/udp\n", 0},
		{[]string{"services", "80/tcp"}, "http                  80/tcp www\n", 0},
		{[]string{"hosts", "nothere.test"}, "", 2},
		{[]string{"nosuchdb", "x"}, "", 1},
	}
	for _, c := range cases {
		out, _, err := runArgs(t, append(append([]string{"lookup"}, files...), c.args...)...)
		if got := exitCode(err, io.Discard); got != c.code {
			t.Errorf("lookup %v: exit %d (%v), want %d", c.args, got, err, c.code)
		}
		if c.out != "" && out != c.out {
			t.Errorf("lookup %v:\n got %q\nwant %q", c.args, out, c.out)
		}
	}
}

func TestLookupHelp(t *testing.T) {
	out, _, err := runArgs(t, "lookup", "-h")
	if err != nil || !strings.Contains(out, "getent(1)") || !strings.Contains(out, "--nameserver") {
		t.Fatalf("lookup -h: %v\n%s", err, out)
	}
	var u usageError
	if _, _, err := runArgs(t, "lookup"); !errors.As(err, &u) {
		t.Fatalf("lookup without a database: %v, want a usage error", err)
	}
}
