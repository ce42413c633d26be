package link

import (
	"fmt"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mmsgBatch is the largest number of frames handed to one sendmmsg(2).
const mmsgBatch = 64

// mmsgWriter sends frames on a socket in batches with sendmmsg(2). Its
// header arrays are reused under mu, so sending allocates nothing.
type mmsgWriter struct {
	mu   sync.Mutex
	msgs [mmsgBatch]unix.Mmsghdr
	iovs [mmsgBatch]unix.Iovec
}

// writeBatch sends frames (already validated, none empty) on fd. A frame
// the socket cannot queue (EAGAIN, ENOBUFS) is dropped and counted; any
// other error stops the batch and reports how many frames were taken.
func (w *mmsgWriter) writeBatch(fd int, c *counters, frames [][]byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	done := 0
	for done < len(frames) {
		n := min(len(frames)-done, mmsgBatch)
		for i := range n {
			f := frames[done+i]
			w.iovs[i].Base = &f[0]
			w.iovs[i].SetLen(len(f))
			w.msgs[i] = unix.Mmsghdr{}
			w.msgs[i].Hdr.Iov = &w.iovs[i]
			w.msgs[i].Hdr.SetIovlen(1)
		}
		// sendmmsg(2): returns the number of messages sent; an error
		// is reported only if the first message fails.
		r, _, errno := unix.Syscall6(unix.SYS_SENDMMSG, uintptr(fd), uintptr(unsafe.Pointer(&w.msgs[0])), uintptr(n), 0, 0, 0)
		clear(w.iovs[:n]) // drop references to the caller's frames
		switch {
		case errno == 0:
			sent := int(r)
			bytes := 0
			for _, f := range frames[done : done+sent] {
				bytes += len(f)
			}
			c.tx(sent, bytes)
			done += sent
		case errno == unix.EINTR:
		case errno == unix.EAGAIN || errno == unix.ENOBUFS:
			c.drop(DropQueueFull, 1)
			done++
		default:
			c.drop(DropIOError, 1)
			return done, fmt.Errorf("link: sendmmsg: %w", errno)
		}
	}
	return done, nil
}
