package echo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// errQuit is the cause with which Pipe's quit timer stops the reading side.
var errQuit = errors.New("echo: quit timer expired")

// chunk is one read of Pipe's input: data, then the read's error.
type chunk struct {
	p   []byte
	err error
}

// Pipe copies in to the server and what the server sends to out, in the
// manner of nc -N: at EOF on in it shuts down the sending side of the
// connection (shutdown(2) SHUT_WR) and keeps copying to out until the
// server's EOF, so nothing the server echoes is lost. Pipe returns nil at
// the server's EOF, even if in has not ended (like nc when the network
// side closes).
//
// quit is nc -q: after EOF on in, wait at most quit for the server's EOF,
// then return nil; a negative quit waits until the server's EOF (over UDP,
// which has no EOF, until ctx is done). Cancelling ctx returns ctx's error.
//
// Pipe reads in from a goroutine of its own that never touches the socket.
// If Pipe returns while that goroutine is blocked in in.Read (the server
// closed first and in is a terminal), the goroutine ends when that Read
// returns.
func (c *Conn) Pipe(ctx context.Context, in io.Reader, out io.Writer, quit time.Duration) error {
	pctx, stop := context.WithCancelCause(ctx)
	var sender sync.WaitGroup
	defer sender.Wait() // runs after stop: the sender sees pctx done
	defer stop(nil)
	chunks := make(chan chunk)
	free := make(chan struct{})
	go readInput(pctx, in, chunks, free)
	sender.Go(func() { c.sendInput(pctx, stop, chunks, free, quit) })
	err := c.copyOutput(pctx, out)
	if err != nil && pctx.Err() != nil {
		cause := context.Cause(pctx)
		if errors.Is(cause, errQuit) {
			return nil
		}
		return cause
	}
	return err
}

// readInput reads in into one buffer and hands each read to the sender,
// waiting on free before reusing the buffer.
func readInput(ctx context.Context, in io.Reader, chunks chan<- chunk, free <-chan struct{}) {
	buf := make([]byte, bufSize)
	for {
		n, err := in.Read(buf)
		select {
		case chunks <- chunk{buf[:n], err}:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
		select {
		case <-free:
		case <-ctx.Done():
			return
		}
	}
}

// sendInput writes each chunk to the server; at EOF it half-closes and,
// for quit >= 0, stops the reading side after quit. Failures stop Pipe
// with their error as cause.
func (c *Conn) sendInput(ctx context.Context, stop context.CancelCauseFunc, chunks <-chan chunk, free chan<- struct{}, quit time.Duration) {
	for {
		var ch chunk
		select {
		case ch = <-chunks:
		case <-ctx.Done():
			return
		}
		if len(ch.p) > 0 {
			if err := c.Write(ctx, ch.p); err != nil {
				stop(fmt.Errorf("echo: write: %w", err))
				return
			}
		}
		if errors.Is(ch.err, io.EOF) {
			break
		}
		if ch.err != nil {
			stop(fmt.Errorf("echo: reading input: %w", ch.err))
			return
		}
		select {
		case free <- struct{}{}:
		case <-ctx.Done():
			return
		}
	}
	// nc(1) -N: shutdown(2) the network socket after EOF on the input.
	if err := c.CloseWrite(); err != nil {
		stop(fmt.Errorf("echo: shutdown: %w", err))
		return
	}
	if quit < 0 {
		return
	}
	t := time.NewTimer(quit)
	defer t.Stop()
	select {
	case <-t.C:
		stop(errQuit)
	case <-ctx.Done():
	}
}

// copyOutput copies what the server sends to out until the server's EOF.
func (c *Conn) copyOutput(ctx context.Context, out io.Writer) error {
	buf := make([]byte, bufSize)
	for {
		n, err := c.Read(ctx, buf)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := out.Write(buf[:n]); err != nil {
			return fmt.Errorf("echo: writing output: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}
