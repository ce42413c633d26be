package stack

import (
	"hash/maphash"
	"math/rand/v2"
	"net/netip"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// Linux's net.ipv4.ip_local_port_range default, the ephemeral range.
const (
	ephemeralLo = 32768
	ephemeralHi = 60999
)

// binding is one socket's claim on a port.
type binding struct {
	addr      netip.Addr // unspecified for a wildcard bind
	owner     any
	reuseaddr bool
	v6only    bool
	listening bool
	// remote is the connected peer (zero if none); guarded by the
	// table's lock so lookups never take a socket's lock.
	remote netip.AddrPort
	// timeWait is set while the owner's connection is in TIME-WAIT, so
	// bind conflicts are decided without taking the owner's lock.
	timeWait atomic.Bool
}

// inherit adds b on port without a conflict check: an accepted connection
// shares its listener's port (Linux's inherited bind bucket).
func (t *portTable) inherit(port uint16, b *binding) {
	t.mu.Lock()
	t.binds[port] = append(t.binds[port], b)
	t.mu.Unlock()
}

// connectBinding records b's connected peer and, for a wildcard bind,
// the local address the route chose.
func (t *portTable) connectBinding(b *binding, local netip.Addr, remote netip.AddrPort) {
	t.mu.Lock()
	if b.addr.IsUnspecified() && local.IsValid() {
		b.addr = local
	}
	b.remote = remote
	t.mu.Unlock()
}

// score rates how well b fits a packet to local from remote: -1 for no
// match; higher is better (a connected socket beats an exact bind beats a
// wildcard), as Linux's lookups do. Call with the table's lock held.
func (b *binding) score(local, remote netip.AddrPort) int {
	score := 0
	switch {
	case b.addr.IsUnspecified():
		if !covers(b, local.Addr()) {
			return -1
		}
	case b.addr.Unmap() == local.Addr().Unmap():
		score += 2
	default:
		return -1
	}
	if b.remote.IsValid() {
		if b.remote.Addr().Unmap() != remote.Addr().Unmap() || b.remote.Port() != remote.Port() {
			return -1
		}
		score += 4
	}
	return score
}

// lookup returns the owner of the best binding on local's port for a
// packet from remote, or nil. Later binds win ties, as with SO_REUSEADDR
// on Linux.
func (t *portTable) lookup(local, remote netip.AddrPort) any {
	t.mu.Lock()
	defer t.mu.Unlock()
	var best any
	bestScore := -1
	for _, b := range t.binds[local.Port()] {
		if sc := b.score(local, remote); sc >= 0 && sc >= bestScore {
			best, bestScore = b.owner, sc
		}
	}
	return best
}

// matching returns the owners of every binding on local's port that
// matches a packet from remote (broadcast and multicast delivery).
func (t *portTable) matching(local, remote netip.AddrPort) []any {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []any
	for _, b := range t.binds[local.Port()] {
		if b.score(local, remote) >= 0 {
			out = append(out, b.owner)
		}
	}
	return out
}

// portTable holds one transport protocol's bindings.
type portTable struct {
	mu    sync.Mutex
	binds map[uint16][]*binding
	rng   *rand.Rand
	// seed keys connect's port choice (RFC 6056 §3.3.4's F and G), and
	// perturb is its table of per-destination-bucket increments.
	seed    maphash.Seed
	perturb [perturbLen]uint32
	// conflict reports whether a new binding may not share the port
	// with an existing one whose address overlaps it.
	conflict func(existing, n *binding) bool
}

func newPortTable(seed uint64, conflict func(existing, n *binding) bool) *portTable {
	return &portTable{
		binds:    make(map[uint16][]*binding),
		rng:      rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		seed:     maphash.MakeSeed(),
		conflict: conflict,
	}
}

// overlaps reports whether two bound addresses can receive the same
// packet: equal, or either is a wildcard that covers the other's family.
func overlaps(a, b *binding) bool {
	if a.addr == b.addr {
		return true
	}
	au, bu := a.addr.IsUnspecified(), b.addr.IsUnspecified()
	switch {
	case au && bu:
		// An IPv4 wildcard and an IPv6 wildcard clash unless the IPv6
		// one is v6-only (ipv6(7) IPV6_V6ONLY).
		if a.addr.Is4() != b.addr.Is4() {
			return !(a.v6only || b.v6only)
		}
		return true
	case au:
		return covers(a, b.addr)
	case bu:
		return covers(b, a.addr)
	}
	return a.addr.Unmap() == b.addr.Unmap() && a.addr.Is4In6() != b.addr.Is4In6()
}

// covers reports whether wildcard binding w receives packets for addr.
func covers(w *binding, addr netip.Addr) bool {
	if w.addr.Is4() {
		return addr.Is4() || addr.Is4In6()
	}
	if addr.Is4() || addr.Is4In6() {
		return !w.v6only
	}
	return true
}

// bind claims port (0 picks an ephemeral one) for b. It returns the port
// or EADDRINUSE.
func (t *portTable) bind(port uint16, b *binding) (uint16, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if port != 0 {
		if !t.free(port, b) {
			return 0, unix.EADDRINUSE
		}
		t.binds[port] = append(t.binds[port], b)
		return port, nil
	}
	// RFC 6056 §3.3.2 (Algorithm 2, simple port randomization): start at
	// a random point of the range and probe upward.
	n := ephemeralHi - ephemeralLo + 1
	start := t.rng.IntN(n)
	for i := 0; i < n; i++ {
		p := uint16(ephemeralLo + (start+i)%n)
		if len(t.binds[p]) == 0 {
			t.binds[p] = append(t.binds[p], b)
			return p, nil
		}
	}
	// ip(7): EADDRINUSE "... all port numbers in the ephemeral port range
	// are currently in use."
	return 0, unix.EADDRINUSE
}

// perturbLen is the length of RFC 6056 §3.3.4's table (Linux uses 256).
const perturbLen = 256

// connectKey is what the port choice for a connect hashes.
type connectKey struct {
	local  netip.Addr
	remote netip.AddrPort
	salt   uint8
}

// bindConnect claims an ephemeral port for b, which is about to connect
// from local to remote: RFC 6056 §3.3.4 (Algorithm 4, double-hash port
// selection), which Linux also uses. Consecutive connections to one
// destination walk the range from a secret per-destination offset, so a
// port comes back to the same destination only after the whole range has
// been used, long after a TIME-WAIT the peer keeps for the old connection
// has gone; other destinations see unpredictable ports.
func (t *portTable) bindConnect(b *binding, local netip.Addr, remote netip.AddrPort) (uint16, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := uint32(ephemeralHi - ephemeralLo + 1)
	offset := uint32(maphash.Comparable(t.seed, connectKey{local, remote, 0}))
	idx := maphash.Comparable(t.seed, connectKey{local, remote, 1}) % perturbLen
	for range n {
		next := offset + t.perturb[idx]
		t.perturb[idx]++
		p := uint16(ephemeralLo + next%n)
		if len(t.binds[p]) == 0 {
			t.binds[p] = append(t.binds[p], b)
			return p, nil
		}
	}
	// connect(2): EADDRNOTAVAIL "... all port numbers in the ephemeral
	// port range are currently in use."
	return 0, unix.EADDRNOTAVAIL
}

func (t *portTable) free(port uint16, n *binding) bool {
	for _, e := range t.binds[port] {
		if overlaps(e, n) && t.conflict(e, n) {
			return false
		}
	}
	return true
}

// unbind releases b's claim on port.
func (t *portTable) unbind(port uint16, b *binding) {
	t.mu.Lock()
	defer t.mu.Unlock()
	list := t.binds[port]
	for i, e := range list {
		if e == b {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(t.binds, port)
		return
	}
	t.binds[port] = list
}

// setListening marks b as a listener's binding (or not).
func (t *portTable) setListening(b *binding, on bool) {
	t.mu.Lock()
	b.listening = on
	t.mu.Unlock()
}

// listener returns the owner of the best listening binding for local.
func (t *portTable) listener(local netip.AddrPort) any {
	t.mu.Lock()
	defer t.mu.Unlock()
	var best any
	bestScore := -1
	for _, b := range t.binds[local.Port()] {
		if !b.listening {
			continue
		}
		if sc := b.score(local, netip.AddrPort{}); sc > bestScore {
			best, bestScore = b.owner, sc
		}
	}
	return best
}
