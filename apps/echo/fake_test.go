package echo

import (
	"context"
	"errors"
	"testing"

	"golang.org/x/sys/unix"

	"sockstack/sock"
)

// busyAPI is a provider whose one socket is always readable and writable:
// Read and Write always move len(p) bytes. Methods it does not override
// panic through the nil embedded interface.
type busyAPI struct {
	sock.API
	reads  int
	cancel func() // called on the 100th Read
}

func (b *busyAPI) Read(fd int, p []byte) (int, error) {
	b.reads++
	if b.reads == 100 {
		b.cancel()
	}
	if b.reads > 10000 {
		return 0, unix.EIO // the loop ignored cancellation
	}
	return len(p), nil
}

func (b *busyAPI) Write(fd int, p []byte) (int, error) { return len(p), nil }

func TestEchoStreamStopsWhenAlwaysReady(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	api := &busyAPI{cancel: cancel}
	err := echoStream(ctx, newEndpoint(api, 3), make([]byte, 16))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("echoStream on an always-ready socket: %v after %d reads, want context.Canceled", err, api.reads)
	}
	if api.reads > 101 {
		t.Errorf("%d reads after cancellation at read 100", api.reads-100)
	}
}
