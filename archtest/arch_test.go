package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "sockstack"

type listed struct {
	ImportPath string
	Module     *struct{ Path string }
	Imports    []string
}

// TestImportRules reads `go list -deps` for the whole module and checks
// every package's imports of module packages against the rules.
func TestImportRules(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Module,Imports", module+"/...")
	cmd.Dir = ".."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	n := 0
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if p.Module == nil || p.Module.Path != module {
			continue
		}
		n++
		for _, msg := range check(rel(p.ImportPath), own(p.Imports)) {
			t.Error(msg)
		}
	}
	if n < 3 {
		t.Fatalf("go list found only %d module packages", n)
	}
}

func rel(p string) string {
	if p == module {
		return "."
	}
	return strings.TrimPrefix(p, module+"/")
}

func own(imports []string) []string {
	var r []string
	for _, imp := range imports {
		if imp == module || strings.HasPrefix(imp, module+"/") {
			r = append(r, rel(imp))
		}
	}
	return r
}

// TestRulesCatchViolations makes sure the checker rejects what the
// architecture forbids, so a broken checker cannot pass silently.
func TestRulesCatchViolations(t *testing.T) {
	bad := []struct{ pkg, imp string }{
		{"wire", "stack"},
		{"wire", "sock"},
		{"sock", "kernel"},
		{"link", "stack"},
		{"stack/proto/tcp", "stack"},
		{"stack/proto/tcp", "stack/proto/ipv4"},
		{"resolv", "kernel"},
		{"apps/ping", "stack"},
		{"conformance", "kernel"},
	}
	for _, b := range bad {
		if len(check(b.pkg, []string{b.imp})) == 0 {
			t.Errorf("%s importing %s passed the rules", b.pkg, b.imp)
		}
	}
	good := []struct{ pkg, imp string }{
		{"wire", "seqnum"},
		{"stack", "stack/proto/tcp"},
		{"stack/proto/tcp", "wire"},
		{"apps/echo", "sock"},
		{"cmd/sockstack", "kernel"},
	}
	for _, g := range good {
		if msgs := check(g.pkg, []string{g.imp}); len(msgs) != 0 {
			t.Errorf("%s importing %s rejected: %v", g.pkg, g.imp, msgs)
		}
	}
	if len(check("newpkg", nil)) == 0 {
		t.Error("a package missing from the rules passed")
	}
}
