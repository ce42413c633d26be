package link

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// DeviceOptions configures a link over a Linux device (TUN, TAP,
// AF_PACKET).
type DeviceOptions struct {
	// MTU is the link's MTU; zero reads the interface's MTU.
	MTU int
	// HardwareAddr is the MAC the stack uses on Ethernet links (TAP,
	// AF_PACKET); it must differ from the kernel interface's own MAC on a
	// TAP. Zero derives a locally administered unicast MAC from MACSeed.
	HardwareAddr [6]byte
	// MACSeed seeds the derived MAC, so tests get stable addresses.
	MACSeed uint64
}

// rxBufLen fits the largest frame Linux hands to a TUN, TAP or packet
// socket without segmentation offload: a 64 KiB IP packet plus an Ethernet
// header. Longer reads are reported as too big.
const rxBufLen = 65536 + EthernetHeaderLen + 4

// FDEndpoint is a link over a non-blocking Linux file descriptor: a TUN or
// TAP device or a bound AF_PACKET socket. One reader goroutine polls the
// descriptor together with an eventfd that Close signals, reads frames
// into one pre-allocated buffer and calls the Dispatcher. Writes go
// straight to the descriptor from the caller's goroutine.
type FDEndpoint struct {
	name  string
	kind  Kind
	mtu   int
	mac   [6]byte
	fd    int
	evfd  int
	rxBuf []byte
	disp  atomic.Pointer[dispatcherRef]
	stats counters
	mmsg  *mmsgWriter // batched sends, for sockets; nil for TUN/TAP

	mu     sync.RWMutex // writers hold it shared; Close exclusively, before closing fd
	closed atomic.Bool
	done   chan struct{}
	once   sync.Once
}

// newFDEndpoint takes ownership of fd (already non-blocking) on success
// and starts the reader; on failure the caller still owns fd. socket
// selects batched sends with sendmmsg(2).
func newFDEndpoint(fd int, name string, k Kind, mtu int, mac [6]byte, socket bool) (*FDEndpoint, error) {
	evfd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("link: eventfd: %w", err)
	}
	e := &FDEndpoint{
		name: name, kind: k, mtu: mtu, mac: mac, fd: fd, evfd: evfd,
		rxBuf: make([]byte, max(rxBufLen, MaxFrameLen(k, mtu)+1)),
		done:  make(chan struct{}),
	}
	if k != KindEthernet {
		e.mac = [6]byte{}
	}
	if socket {
		e.mmsg = new(mmsgWriter)
	}
	go e.readLoop()
	return e, nil
}

// Name returns the interface name (as the kernel reported it for a TUN or
// TAP created from a pattern such as "tun%d").
func (e *FDEndpoint) Name() string { return e.name }

// MTU implements Endpoint.
func (e *FDEndpoint) MTU() int { return e.mtu }

// Kind implements Endpoint.
func (e *FDEndpoint) Kind() Kind { return e.kind }

// HardwareAddr implements Endpoint.
func (e *FDEndpoint) HardwareAddr() [6]byte { return e.mac }

// Headroom implements Endpoint.
func (e *FDEndpoint) Headroom() int { return 0 }

// Stats implements Endpoint.
func (e *FDEndpoint) Stats() Stats { return e.stats.snapshot() }

// Attach implements Endpoint.
func (e *FDEndpoint) Attach(d Dispatcher) {
	if d == nil {
		e.disp.Store(nil)
		return
	}
	e.disp.Store(&dispatcherRef{d})
}

// WritePackets implements Endpoint with one write(2) per frame. A full
// device or socket queue (EAGAIN, ENOBUFS) drops the frame
// (DropQueueFull); any other error stops the batch and is returned.
func (e *FDEndpoint) WritePackets(pkts [][]byte) (int, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed.Load() {
		return 0, ErrClosed
	}
	if e.mmsg != nil {
		return e.writeSocket(pkts)
	}
	for i, p := range pkts {
		if err := checkFrame(&e.stats, e.kind, e.mtu, p); err != nil {
			return i, err
		}
		if err := e.write1(p); err != nil {
			return i, fmt.Errorf("link: write %s: %w", e.name, err)
		}
	}
	return len(pkts), nil
}

// writeSocket validates frames, then sends the valid prefix with
// sendmmsg(2).
func (e *FDEndpoint) writeSocket(pkts [][]byte) (int, error) {
	valid := len(pkts)
	var verr error
	for i, p := range pkts {
		if verr = checkFrame(&e.stats, e.kind, e.mtu, p); verr != nil {
			valid = i
			break
		}
	}
	n, err := e.mmsg.writeBatch(e.fd, &e.stats, pkts[:valid])
	if err != nil {
		return n, fmt.Errorf("link: %s: %w", e.name, err)
	}
	return n, verr
}

func (e *FDEndpoint) write1(p []byte) error {
	for {
		_, err := unix.Write(e.fd, p)
		switch {
		case err == nil:
			e.stats.tx(1, len(p))
			return nil
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EAGAIN), errors.Is(err, unix.ENOBUFS):
			e.stats.drop(DropQueueFull, 1)
			return nil
		default:
			e.stats.drop(DropIOError, 1)
			return err
		}
	}
}

// readLoop reads frames until Close signals the eventfd.
func (e *FDEndpoint) readLoop() {
	defer close(e.done)
	fds := []unix.PollFd{{Fd: int32(e.fd), Events: unix.POLLIN}, {Fd: int32(e.evfd), Events: unix.POLLIN}}
	for {
		n, err := unix.Read(e.fd, e.rxBuf)
		switch {
		case err == nil:
			e.deliver(n)
			continue
		case errors.Is(err, unix.EINTR):
			continue
		case !errors.Is(err, unix.EAGAIN):
			// A persistent error (interface gone) must not spin: count
			// it and wait on the eventfd alone for a while.
			e.stats.drop(DropIOError, 1)
			fds[0].Events = 0
		}
		if !e.wait(fds) {
			return
		}
		fds[0].Events = unix.POLLIN
	}
}

// wait polls until the device is readable; false means Close was called.
func (e *FDEndpoint) wait(fds []unix.PollFd) bool {
	timeout := -1
	if fds[0].Events == 0 {
		timeout = 100
	}
	for {
		_, err := unix.Poll(fds, timeout)
		if err == nil || !errors.Is(err, unix.EINTR) {
			break
		}
	}
	return fds[1].Revents == 0 && !e.closed.Load()
}

func (e *FDEndpoint) deliver(n int) {
	switch {
	case n > MaxFrameLen(e.kind, e.mtu):
		e.stats.drop(DropTooBig, 1)
		return
	case n < MinFrameLen(e.kind):
		e.stats.drop(DropShortFrame, 1)
		return
	}
	ref := e.disp.Load()
	if ref == nil {
		e.stats.drop(DropDetached, 1)
		return
	}
	e.stats.rx(1, n)
	ref.d.DeliverFrame(e.rxBuf[:n])
}

// Close implements Endpoint: it wakes the reader through the eventfd,
// waits for it to exit and for writers to leave, then closes the
// descriptors, so no descriptor is reused under a pending read or write.
// Close must not be called from the Dispatcher.
func (e *FDEndpoint) Close() error {
	var err error
	e.once.Do(func() {
		e.closed.Store(true)
		// eventfd(2): a write adds an 8-byte integer in host byte order.
		var one [8]byte
		binary.NativeEndian.PutUint64(one[:], 1)
		unix.Write(e.evfd, one[:])
		<-e.done
		e.mu.Lock()
		err = unix.Close(e.fd)
		unix.Close(e.evfd)
		e.mu.Unlock()
	})
	return err
}
