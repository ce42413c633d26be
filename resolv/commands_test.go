package resolv

import (
	"context"
	"strings"
	"testing"
	"time"

	"sockstack/kernel"
)

// TestSeedPrograms runs the seed's getaddrinfo and getnameinfo example
// programs on the test files.
func TestSeedPrograms(t *testing.T) {
	_, cfg := etcFiles(t, "host.conf.on")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, c := range []struct {
		nameinfo bool
		args     []string
		status   int
		stdout   string
		stderr   string
	}{
		{false, []string{"www", "http"}, 0, "203.0.113.7:80\n", ""},
		{false, []string{"multi", "22"}, 0, "10.0.0.5:22\n10.0.0.6:22\n10.0.0.6:22\n", ""},
		{false, []string{"www", "nosuch"}, 255, "", "getaddrinfo: Servname not supported for ai_socktype\n"},
		{false, []string{"www"}, 255, "", "usage: getaddrinfo host port\n"},
		{true, []string{"203.0.113.7", "80"}, 0, "www.example.org:http\n", ""},
		{true, []string{"203.0.113.99", "81"}, 0, "203.0.113.99:81\n", ""},
	} {
		var out, errOut strings.Builder
		var status int
		if c.nameinfo {
			status = NameinfoCommand(ctx, cfg, kernel.New(), c.args, &out, &errOut)
		} else {
			status = AddrinfoCommand(ctx, cfg, kernel.New(), c.args, &out, &errOut)
		}
		if status != c.status || out.String() != c.stdout || errOut.String() != c.stderr {
			t.Errorf("%v: status %d stdout %q stderr %q, want %d %q %q", c.args, status, out.String(), errOut.String(), c.status, c.stdout, c.stderr)
		}
	}
}
