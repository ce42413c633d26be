package conformance

import (
	"net/netip"
	"os"
	"testing"

	"go.uber.org/goleak"

	"sockstack/kernel"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// providers lists every provider the suite runs against.
func providers() []Provider {
	return []Provider{
		{Name: "kernel", New: newKernelEnv},
		{Name: "stack", New: newStackEnv},
	}
}

func newKernelEnv(t *testing.T) *Env {
	k := kernel.New()
	return &Env{
		API:        k,
		Peer:       k,
		Addr4:      netip.MustParseAddr("127.0.0.1"),
		Addr6:      netip.IPv6Loopback(),
		PeerAddr4:  netip.MustParseAddr("127.0.0.1"),
		PeerAddr6:  netip.IPv6Loopback(),
		RawAllowed: os.Geteuid() == 0,
		Dir:        t.TempDir(),
	}
}

// TestConformance runs every case against every provider, one subtest per
// case: go test ./conformance -run 'TestConformance/kernel/' -v
func TestConformance(t *testing.T) {
	for _, p := range providers() {
		t.Run(p.Name, func(t *testing.T) {
			xfail := expectedFailures(p.Name)
			for _, c := range Cases() {
				t.Run(c.Name, func(t *testing.T) {
					t.Parallel()
					runCase(t, p, c, xfail[c.Name])
				})
			}
		})
	}
}

func runCase(t *testing.T, p Provider, c Case, xfail bool) {
	if !xfail {
		c.Run(t, p.New(t))
		return
	}
	// A known failure runs on a recorder; if it passes, the list of
	// expected failures must shrink.
	failed, msgs := runExpectedFailure(t, c, p.New(t))
	if !failed {
		t.Errorf("case %s now passes on %s: remove it from expected_failures.go", c.Name, p.Name)
		return
	}
	t.Logf("expected failure: %v", msgs)
}

func TestCaseNamesUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Cases() {
		if seen[c.Name] {
			t.Errorf("duplicate case name %q", c.Name)
		}
		seen[c.Name] = true
	}
}
