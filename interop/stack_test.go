package interop

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"sockstack/apps/inetd"
	"sockstack/link"
	"sockstack/stack"
)

// stackHost is a sockstack host serving the inetd small services.
type stackHost struct {
	h   *stack.Host
	srv *inetd.Server
	ep  link.Endpoint
}

// startStack runs a host on ep with address addr (interface dev) and the
// given routes until the end of the test; the host's drop counters are
// logged then.
func startStack(t *testing.T, ep link.Endpoint, dev string, addr netip.Prefix, routes map[netip.Prefix]netip.Addr) *stackHost {
	t.Helper()
	h := stack.New(stack.Options{Name: "stack", RawAllowed: true})
	if _, err := h.AddNIC(ep, stack.NICConfig{Name: dev, Addrs: []netip.Prefix{addr}}); err != nil {
		ep.Close()
		t.Fatal(err)
	}
	for dst, gw := range routes {
		if err := h.AddRoute(dst, gw, dev); err != nil {
			h.Stop()
			t.Fatal(err)
		}
	}
	srv := &inetd.Server{API: h, RcvBuf: 4 << 20}
	if _, err := srv.Listen(); err != nil {
		h.Stop()
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("inetd: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("inetd did not stop")
		}
		h.Stop()
		t.Logf("stack: link %v; drops %v", ep.Stats(), h.Drops())
	})
	return &stackHost{h: h, srv: srv, ep: ep}
}
