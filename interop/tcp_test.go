package interop

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"
)

// tcpEchoFromLinux sends 4 MiB through socat over TCP to the stack's echo
// service (RFC 862) and checks every byte comes back, then reads the
// daytime service (RFC 867) and 1 MiB of chargen (RFC 864).
func tcpEchoFromLinux(t *testing.T, host *stackHost, ns string, dst netip.Addr) {
	if !host.srv.TCP() {
		t.Fatal("the stack host serves no TCP")
	}
	data := make([]byte, 4<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// socat half-closes after its stdin's end (shutdown(2) SHUT_WR) and
	// prints until the echo service closes in turn.
	cmd := command(ctx, "ip", "netns", "exec", ns, "socat", "-t", "10", "-", fmt.Sprintf("TCP4:%v:7", dst))
	cmd.Stdin = bytes.NewReader(data)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("socat: %v\n%s", err, errb.String())
	}
	elapsed := time.Since(start)
	if sha256.Sum256(out.Bytes()) != sha256.Sum256(data) {
		t.Errorf("tcp echo: %d bytes back of %d, or different bytes", out.Len(), len(data))
	}
	t.Logf("tcp echo from Linux: %d bytes each way in %v (%.1f MB/s each way)", len(data),
		elapsed.Round(time.Millisecond), float64(len(data))/elapsed.Seconds()/1e6)

	day := stdout(t, "ip", "netns", "exec", ns, "socat", "-u", fmt.Sprintf("TCP4:%v:13", dst), "-")
	if len(day) != 26 || day[24:] != "\r\n" {
		t.Errorf("tcp daytime: %q, want a ctime(3) line", day)
	}
	gen := stdout(t, "ip", "netns", "exec", ns, "sh", "-c", fmt.Sprintf("socat -u TCP4:%v:19 - | head -c 1048576", dst))
	if len(gen) != 1<<20 {
		t.Fatalf("tcp chargen: %d bytes, want 1 MiB", len(gen))
	}
	for i := 0; i+74 <= len(gen); i += 74 {
		if line := gen[i : i+74]; line[72:] != "\r\n" || line[1] != ' '+(line[0]-' '+1)%95 {
			t.Fatalf("tcp chargen line at %d: %q", i, line)
		}
	}
}
