package echo

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// ErrMismatch reports an echo that differs from what was sent.
var ErrMismatch = errors.New("echo: reply differs from request")

// Check sends each message in turn and verifies that exactly its bytes come
// back before sending the next: over TCP it reads len(msg) bytes, over UDP
// one datagram. Each step is written to transcript (nil discards) as
// `NAME: sent "..."` and `NAME: received "..."`. It does not close the
// connection.
func (c *Conn) Check(ctx context.Context, msgs []string, transcript io.Writer, name string) error {
	size := 64 << 10
	for _, m := range msgs {
		size = max(size, len(m))
	}
	buf := make([]byte, size)
	for _, m := range msgs {
		if err := c.Write(ctx, []byte(m)); err != nil {
			return fmt.Errorf("echo: write: %w", err)
		}
		say(transcript, "%s: sent %q\n", name, m)
		got, err := c.readEcho(ctx, buf, len(m))
		if err != nil {
			return fmt.Errorf("echo: reading echo of %q: %w", m, err)
		}
		say(transcript, "%s: received %q\n", name, got)
		if string(got) != m {
			return fmt.Errorf("%w: sent %q, received %q", ErrMismatch, m, got)
		}
	}
	return nil
}

// readEcho reads the echo of a message of want bytes into buf.
func (c *Conn) readEcho(ctx context.Context, buf []byte, want int) ([]byte, error) {
	if c.udp {
		n, err := c.Read(ctx, buf)
		return buf[:n], err
	}
	got := 0
	for got < want {
		n, err := c.Read(ctx, buf[got:want])
		if errors.Is(err, io.EOF) {
			return buf[:got], io.ErrUnexpectedEOF
		}
		if err != nil {
			return buf[:got], err
		}
		got += n
	}
	return buf[:want], nil
}

// say writes one transcript line if w is not nil.
func say(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format, args...)
	}
}
