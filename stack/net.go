package stack

import (
	"net/netip"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"sockstack/link"
)

// netState is the host's network layer: NICs, addresses, routes and the
// transport demultiplexing tables.
type netState struct {
	h *Host

	mu     sync.RWMutex // guards nics and routes, and serialises rebuild
	nics   []*nic       // index i has ifindex i+1
	routes []route
	tab    atomic.Pointer[addrTable]
	groups map[groupKey]int // sockets joined to each group, per NIC

	udpPorts *portTable
	raw      rawTable
	ipID     atomic.Uint32
	pkts     pktPool
	vecs     vecPool
	bufs     bufPool
	drops    dropCounters
	icmpRate tokenBucket
	reasm    reassembler
	tcp      tcpState
	batches  batchPool
	packets  packetTable
	// neighQueued is the bytes held by all NICs' unresolved-neighbour
	// queues (arp.go).
	neighQueued atomic.Int64
	// stopped is set by Stop: no TCP timer is armed after it.
	stopped atomic.Bool
}

// nic is one network interface of a host.
type nic struct {
	n     *netState
	index int
	name  string
	ep    link.Endpoint
	mtu   int
	addrs []netip.Prefix // guarded by netState.mu
	fwd   atomic.Bool    // ip(7P): per-interface forwarding switch
	neigh *neighbours    // nil on KindIP links
}

// route is one entry of the routing table.
type route struct {
	dst     netip.Prefix
	gateway netip.Addr // invalid for an on-link route
	nic     *nic
	src     netip.Addr // preferred source; invalid: the NIC's first address
}

// routeResult is where a packet to a destination goes.
type routeResult struct {
	nic     *nic
	nextHop netip.Addr
	src     netip.Addr
	local   bool // the destination is this host
	bcast   bool // a limited or directed broadcast
	loop    bool // multicast that members on this host also receive
}

func (n *netState) init(h *Host) {
	n.h = h
	n.groups = make(map[groupKey]int)
	n.udpPorts = newPortTable(uint64(len(h.opts.Name))+0x5eed, udpConflict)
	n.icmpRate = newTokenBucket(icmpRatePerSec, icmpBurst)
	n.reasm.init()
	n.tcp.init(uint64(len(h.opts.Name)) + 0x7c9)
	lo := link.Loopback(65536)
	n.addNIC("lo", lo, []netip.Prefix{netip.MustParsePrefix("127.0.0.1/8"), netip.MustParsePrefix("::1/128")})
}

// NICConfig describes an interface added with AddNIC.
type NICConfig struct {
	// Name is the interface name (SO_BINDTODEVICE), e.g. "eth0".
	Name string
	// Addrs are the interface's addresses with their prefix lengths; each
	// adds a connected route.
	Addrs []netip.Prefix
	// NoForwarding turns forwarding off for this interface when the host
	// forwards (ip(7P)); by default every interface forwards.
	NoForwarding bool
}

// AddNIC attaches a link to the host as a new interface and returns its
// index. The host takes ownership of the endpoint and closes it on Close.
func (h *Host) AddNIC(ep link.Endpoint, cfg NICConfig) (int, error) {
	if cfg.Name == "" {
		return 0, unix.EINVAL
	}
	if h.net.nicByName(cfg.Name) != nil {
		return 0, unix.EEXIST
	}
	c := h.net.addNIC(cfg.Name, ep, cfg.Addrs)
	c.fwd.Store(!cfg.NoForwarding)
	return c.index, nil
}

func (n *netState) addNIC(name string, ep link.Endpoint, addrs []netip.Prefix) *nic {
	n.mu.Lock()
	c := &nic{n: n, index: len(n.nics) + 1, name: name, ep: ep, mtu: ep.MTU()}
	if ep.Kind() == link.KindEthernet {
		c.neigh = newNeighbours(c)
	}
	n.nics = append(n.nics, c)
	for _, a := range addrs {
		c.addrs = append(c.addrs, a)
		n.routes = append(n.routes, route{dst: a.Masked(), nic: c, src: a.Addr()})
	}
	n.rebuild()
	n.mu.Unlock()
	ep.Attach(c)
	return c
}

// AddRoute adds a route: to dst through gateway (or on-link when gateway is
// invalid) out of the interface named dev.
func (h *Host) AddRoute(dst netip.Prefix, gateway netip.Addr, dev string) error {
	c := h.net.nicByName(dev)
	if c == nil {
		return unix.ENODEV
	}
	h.net.mu.Lock()
	defer h.net.mu.Unlock()
	h.net.routes = append(h.net.routes, route{dst: dst.Masked(), gateway: gateway, nic: c})
	h.net.rebuild()
	return nil
}

func (n *netState) nicByName(name string) *nic {
	for _, c := range n.table().nics {
		if c.name == name {
			return c
		}
	}
	return nil
}

// isLocal reports whether a is one of the host's addresses.
func (n *netState) isLocal(a netip.Addr) bool { return n.table().isLocal(a) }

// isBroadcast reports whether a is a broadcast address of the host.
func (n *netState) isBroadcast(a netip.Addr) bool { return n.table().isBroadcast(a) }

// directedBroadcast returns the all-ones host address of p's subnet
// (RFC 1122 §3.3.6).
func directedBroadcast(p netip.Prefix) netip.Addr {
	a := p.Addr().As4()
	bits := p.Bits()
	for i := 0; i < 4; i++ {
		for b := 0; b < 8; b++ {
			if i*8+b >= bits {
				a[i] |= 0x80 >> b
			}
		}
	}
	return netip.AddrFrom4(a)
}

// Stop detaches and closes every NIC's link and stops the host's timers.
func (h *Host) Stop() error {
	h.net.mu.Lock()
	nics := h.net.nics
	h.net.mu.Unlock()
	var first error
	for _, c := range nics {
		c.ep.Attach(nil)
		if err := c.ep.Close(); err != nil && first == nil {
			first = err
		}
	}
	h.net.reasm.stop()
	h.net.tcp.stopTimers(&h.net.stopped)
	return first
}

// SetForwarding turns forwarding on or off for one interface (ip(7P): the
// per-interface switch); it takes effect only when the host forwards.
func (h *Host) SetForwarding(dev string, on bool) error {
	c := h.net.nicByName(dev)
	if c == nil {
		return unix.ENODEV
	}
	c.fwd.Store(on)
	return nil
}
