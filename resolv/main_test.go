package resolv

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// needTool fails the test in CI and skips it elsewhere when a tool is
// missing.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required in CI: %v", name, err)
		}
		t.Skipf("%s not installed: %v", name, err)
	}
	return p
}

// buildProbe compiles testdata/probe.c, the glibc oracle.
func buildProbe(t *testing.T) string {
	t.Helper()
	gcc := needTool(t, "gcc")
	out := filepath.Join(t.TempDir(), "probe")
	cmd := exec.Command(gcc, "-O1", "-Wall", "-o", out, "testdata/probe.c")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, b)
	}
	return out
}

// runProbe feeds queries (one per line) to the probe, optionally inside a
// private mount namespace whose /etc files are bind mounts of binds
// (target -> source), and returns the answer blocks, one per query.
func runProbe(t *testing.T, probe string, binds map[string]string, queries []string, extra ...string) []string {
	t.Helper()
	cmdline := probe
	if len(extra) > 0 {
		cmdline = strings.Join(extra, " ")
	}
	var cmd *exec.Cmd
	if binds == nil {
		cmd = exec.Command("sh", "-c", cmdline)
	} else {
		cmd = exec.Command(needTool(t, "unshare"), "--mount", "--", "sh", "-c", mountScript(binds)+cmdline)
	}
	cmd.Stdin = strings.NewReader(strings.Join(queries, "\n") + "\n")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		t.Fatalf("probe: %v\n%s", err, stderr.String())
	}
	return splitBlocks(stdout.String())
}

func mountScript(binds map[string]string) string {
	var b strings.Builder
	for _, target := range []string{"/etc/hosts", "/etc/services", "/etc/protocols", "/etc/resolv.conf", "/etc/nsswitch.conf", "/etc/host.conf", "/etc/gai.conf"} {
		if src, ok := binds[target]; ok {
			b.WriteString("mount --bind '" + src + "' " + target + " && ")
		}
	}
	return b.String()
}

// splitBlocks splits probe output at its "> op" lines.
func splitBlocks(s string) []string {
	var blocks []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "> ") {
			blocks = append(blocks, "")
			continue
		}
		if len(blocks) == 0 {
			continue
		}
		blocks[len(blocks)-1] += line + "\n"
	}
	return blocks
}
