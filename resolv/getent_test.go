package resolv

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"sockstack/kernel"
)

var getentCommands = [][]string{
	{"hosts"}, {"hosts", "localhost"}, {"hosts", "alpha"}, {"hosts", "multi"}, {"hosts", "nosuch", "alpha"},
	{"hosts", "10.0.0.1"}, {"hosts", "::1"}, {"hosts", "10.0.0.99"}, {"hosts", "dual", "v6only", "loc"},
	{"hosts", "MULTI"}, {"ahosts"}, {"ahosts", "alpha"}, {"ahosts", "localhost"}, {"ahosts", "dual"},
	{"ahosts", "1.2.3.4"}, {"ahosts", "nosuch", "x"}, {"ahosts", "::1", "mapped"}, {"ahostsv4", "localhost"},
	{"ahostsv4", "v6only"}, {"ahostsv4", "multi", "www"}, {"ahostsv6", "localhost"}, {"ahostsv6", "mapped"},
	{"ahostsv6", "loc"}, {"ahostsv6", "dual"}, {"services"}, {"services", "tcpmux/tcp", "7/udp", "7", "nosuch", "echo/x"},
	{"services", "www", "null/udp", "8080", "4464", "70000", "http/tcp"}, {"protocols"},
	{"protocols", "6", "udp", "nosuch", "TCP", "255", "neg", "17x"}, {"nosuchdb"}, {"nosuchdb", "x"},
}

// TestGetentAgainstGlibc runs getent(1) on the test files inside a mount
// namespace and requires Getent to print the same lines and exit status.
func TestGetentAgainstGlibc(t *testing.T) {
	needNamespace(t)
	getent := needTool(t, "getent")
	binds, cfg := etcFiles(t, "host.conf.on")
	var script strings.Builder
	for _, c := range getentCommands {
		fmt.Fprintf(&script, "echo '> %s'; %s %s 2>/dev/null; echo rc=$?; ", strings.Join(c, " "), getent, strings.Join(c, " "))
	}
	cmd := exec.Command("unshare", "--mount", "--", "sh", "-c", mountScript(binds)+script.String())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		t.Fatalf("getent: %v\n%s", err, stderr.String())
	}
	got := splitBlocks(stdout.String())
	if len(got) != len(getentCommands) {
		t.Fatalf("%d answers for %d commands", len(got), len(getentCommands))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i, c := range getentCommands {
		var out bytes.Buffer
		status, err := Getent(ctx, cfg, kernel.New(), c[0], c[1:], &out)
		if status == GetentUsage && err == nil {
			t.Errorf("%v: usage status without an error", c)
		}
		want := fmt.Sprintf("%src=%d\n", out.String(), status)
		if got[i] != want {
			t.Errorf("getent %v:\nglibc:\n%sresolv:\n%s", c, got[i], want)
		}
	}
	t.Logf("%d getent command lines compared with glibc", len(getentCommands))
}
