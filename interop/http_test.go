package interop

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sockstack/netconn"
)

// bulkSize is the size of the HTTP transfers (issue 5: 100 MB each way).
const bulkSize = 100 << 20

// seededBytes returns n pseudo-random bytes, so corruption shows in the hash.
func seededBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x5eed))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestTCPHTTP: issue 5's TCP interop with Linux over each attachment
// (tun, veth), each captured (headers only) through the tshark gate and
// checked against Linux's nstat counters:
//   - curl fetches 100 MB from net/http on the stack (package netconn);
//   - the stack's net/http client fetches 100 MB from python3 -m http.server;
//   - 1,000 concurrent connections from Linux to the stack's TCP echo.
//
// The TUN lab is on 10.213.11.0/24, the veth lab on 10.213.21.0/24.
func TestTCPHTTP(t *testing.T) {
	overEach(t, [2]int{11, 21}, nil, func(t *testing.T, l *lab) {
		cap := startCaptureSnap(t, l.ns, l.dev, 96)
		t.Run("curl from stack http", func(t *testing.T) { curlFromStack(t, l) })
		t.Run("stack http client from linux", func(t *testing.T) { stackFetchFromLinux(t, l) })
		t.Run("1000 concurrent connections", func(t *testing.T) { concurrentEcho(t, l.ns, l.stack.String(), 1000) })
		cap.stop(t)
		checkNstat(t, l.ns, nil)
	})
}

// curlFromStack serves bulkSize bytes with net/http on the stack and
// fetches them with curl in Linux's namespace.
func curlFromStack(t *testing.T, l *lab) {
	body := seededBytes(bulkSize, 11)
	want := sha256hex(body)
	ln, err := netconn.Listen(l.host.h, "tcp", l.stackHostPort(8080))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Write(body)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	start := time.Now()
	out := in(t, l.ns, "sh", "-c", "curl -sS --max-time 120 http://"+l.stackHostPort(8080)+"/ | sha256sum")
	d := time.Since(start)
	if got := strings.Fields(out); len(got) == 0 || got[0] != want {
		t.Fatalf("curl: sha256 %q, want %s", out, want)
	}
	t.Logf("curl fetched %d MiB from the stack in %v (%.0f Mbit/s)", bulkSize>>20, d.Round(time.Millisecond), float64(bulkSize*8)/d.Seconds()/1e6)
}

// stackFetchFromLinux serves bulkSize bytes with python3 -m http.server
// in Linux's namespace and fetches them with net/http on the stack.
func stackFetchFromLinux(t *testing.T, l *lab) {
	dir := t.TempDir()
	body := seededBytes(bulkSize, 12)
	if err := os.WriteFile(filepath.Join(dir, "blob"), body, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	srv := command(ctx, "ip", "netns", "exec", l.ns, "python3", "-m", "http.server", "--bind", l.linux.String(), "--directory", dir, "8000")
	if err := srv.Start(); err != nil {
		t.Fatalf("python3 -m http.server: %v", err)
	}
	defer func() { srv.Process.Kill(); srv.Wait() }()
	d := &netconn.Dialer{API: l.host.h, Timeout: 5 * time.Second}
	client := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}, Timeout: 120 * time.Second}
	var resp *http.Response
	var err error
	for i := 0; i < 50; i++ { // until the server listens
		resp, err = client.Get("http://" + l.linuxHostPort(8000) + "/blob")
		if err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("GET from python3 http.server: %v", err)
	}
	start := time.Now()
	h := sha256.New()
	n, err := io.Copy(h, resp.Body)
	resp.Body.Close()
	dur := time.Since(start)
	if err != nil || n != bulkSize || hex.EncodeToString(h.Sum(nil)) != sha256hex(body) {
		t.Fatalf("fetched %d bytes, %v; sha256 mismatch or short", n, err)
	}
	t.Logf("the stack fetched %d MiB from Linux in %v (%.0f Mbit/s)", n>>20, dur.Round(time.Millisecond), float64(n*8)/dur.Seconds()/1e6)
}

// concurrentEcho opens n TCP connections at once from Linux to the
// stack's echo service (inetd, port 7), each sending a distinct line and
// checking its echo.
func concurrentEcho(t *testing.T, ns, addr string, n int) {
	script := fmt.Sprintf(`
import asyncio
async def one(i):
    r, w = await asyncio.wait_for(asyncio.open_connection(%q, 7), 60)
    msg = ("connection %%d\n" %% i).encode()
    w.write(msg)
    await w.drain()
    got = await asyncio.wait_for(r.readexactly(len(msg)), 60)
    w.close()
    return got == msg
async def main():
    res = await asyncio.gather(*[one(i) for i in range(%d)], return_exceptions=True)
    print(sum(1 for x in res if x is True), len(res))
asyncio.run(main())
`, addr, n)
	out := in(t, ns, "sh", "-c", "ulimit -n 8192; python3 -c '"+strings.ReplaceAll(script, "'", `'\''`)+"'")
	var ok, total int
	fmt.Sscan(out, &ok, &total)
	if ok != n {
		t.Fatalf("%d of %d concurrent connections were echoed (%s)", ok, n, strings.TrimSpace(out))
	}
	t.Logf("%d concurrent connections echoed", ok)
}
