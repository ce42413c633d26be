package stack

import (
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"sockstack/sock"
)

// Options configures a Host.
type Options struct {
	// Name names the host in logs and counters.
	Name string
	// RawAllowed permits SOCK_RAW and AF_PACKET sockets, the analogue of
	// CAP_NET_RAW; without it socket(2) returns EPERM for them (raw(7)).
	RawAllowed bool
	// Forwarding enables IPv4 forwarding between NICs on the whole host
	// (ip(7P): "IP forwarding ... on all interfaces"); each NIC may also
	// turn it off for itself.
	Forwarding bool
}

// Host is one sockstack host. It implements sock.API.
type Host struct {
	opts Options

	mu      sync.Mutex // guards files and minFree
	files   map[int]*file
	minFree int

	net       netState // NICs, addresses, routes, demux tables
	unixNames unixNames
	waiters   waiterPool
}

var _ sock.API = (*Host)(nil)

// file is an open file description: descriptors made by Dup share it, and
// with it the socket and O_NONBLOCK (fcntl(2): the file status flags are
// shared by duplicated descriptors).
type file struct {
	s        socket
	nonblock atomic.Bool
	refs     int // descriptors naming this file; guarded by Host.mu
}

// firstFD is the lowest descriptor a Host hands out, as a process whose
// standard streams are open would see.
const firstFD = 3

// New returns a host with no NICs but loopback.
func New(opts Options) *Host {
	h := &Host{opts: opts, files: make(map[int]*file), minFree: firstFD}
	h.net.init(h)
	h.unixNames.init(uint64(len(opts.Name)) + 0x0a11)
	return h
}

// Name returns the host's name.
func (h *Host) Name() string { return h.opts.Name }

// install gives f the lowest free descriptor (open(2): "the lowest-numbered
// file descriptor not currently open").
func (h *Host) install(f *file) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.installLocked(f)
}

func (h *Host) installLocked(f *file) int {
	fd := h.minFree
	for h.files[fd] != nil {
		fd++
	}
	h.files[fd] = f
	f.refs++
	h.minFree = fd + 1
	return fd
}

// lookup returns the file behind fd, or EBADF.
func (h *Host) lookup(fd int) (*file, error) {
	h.mu.Lock()
	f := h.files[fd]
	h.mu.Unlock()
	if f == nil {
		return nil, unix.EBADF
	}
	return f, nil
}

// Close releases fd: close(2). The socket is released when its last
// descriptor closes.
func (h *Host) Close(fd int) error {
	h.mu.Lock()
	f := h.files[fd]
	if f == nil {
		h.mu.Unlock()
		return unix.EBADF
	}
	delete(h.files, fd)
	if fd < h.minFree {
		h.minFree = fd
	}
	f.refs--
	last := f.refs == 0
	h.mu.Unlock()
	if last {
		f.s.release()
		f.s.base().wq.notify()
	}
	return nil
}

// Dup duplicates a descriptor: dup(2).
func (h *Host) Dup(oldfd int) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f := h.files[oldfd]
	if f == nil {
		return -1, unix.EBADF
	}
	return h.installLocked(f), nil
}

// OpenFiles returns the number of open descriptors, for leak checks.
func (h *Host) OpenFiles() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.files)
}
