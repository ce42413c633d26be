package stack

import (
	"net/netip"

	"golang.org/x/sys/unix"
)

// outMeta describes an outbound IPv4 packet before its header is built.
type outMeta struct {
	src, dst    netip.Addr
	proto       uint8
	ttl, tos    int
	df          bool
	device      string // SO_BINDTODEVICE
	broadcastOK bool   // SO_BROADCAST
	mcastTTL    int
	dontroute   bool   // SO_DONTROUTE / MSG_DONTROUTE
	options     []byte // IP_OPTIONS, padded
	id          uint16 // 0: the stack picks one
	keepID      bool   // IP_HDRINCL with a caller-chosen ID
	mcastIf     int    // IP_MULTICAST_IF: the NIC for multicast, 0 for the route
	mcastLoop   bool   // IP_MULTICAST_LOOP: members on this host get a copy
	// firstHop, when valid, is where a source-routed datagram goes first
	// (IP_OPTIONS with LSRR/SSRR): the IP destination, while dst stays
	// the final destination for transport checksums.
	firstHop netip.Addr
}

var limitedBroadcast = netip.AddrFrom4([4]byte{255, 255, 255, 255})

// route finds where a packet to dst goes, optionally only through the NIC
// named device. ip(7): ENETUNREACH when no route matches.
func (n *netState) route(dst netip.Addr, device string) (routeResult, error) {
	t := n.table()
	if t.isLocal(dst) && device == "" {
		return routeResult{nic: t.nics[0], nextHop: dst, src: dst, local: true}, nil
	}
	if dst == limitedBroadcast || dst.IsMulticast() {
		// RFC 1122 §3.3.6: the limited broadcast (and, without a
		// multicast route, a group) goes out of one interface: the
		// bound device, else the first that is not loopback.
		c := t.firstNIC(device)
		if c == nil {
			return routeResult{}, unix.ENETUNREACH
		}
		return routeResult{nic: c, nextHop: dst, src: c.addrFor(dst), bcast: dst == limitedBroadcast}, nil
	}
	best := -1
	for i := range t.routes {
		r := &t.routes[i]
		if r.dst.Contains(dst) && (device == "" || r.nic.name == device) {
			best = i // the table is sorted longest prefix first
			break
		}
	}
	if best < 0 {
		return routeResult{}, unix.ENETUNREACH
	}
	r := t.routes[best]
	res := routeResult{nic: r.nic, nextHop: dst, src: r.src}
	if r.gateway.IsValid() {
		res.nextHop = r.gateway
	}
	if !res.src.IsValid() || res.src.Is4() != dst.Is4() {
		res.src = r.nic.addrFor(dst)
	}
	res.bcast = t.bcast[dst]
	return res, nil
}

// firstNIC returns the NIC named device, or the first non-loopback NIC.
func (t *addrTable) firstNIC(device string) *nic {
	for _, c := range t.nics {
		if (device != "" && c.name == device) || (device == "" && c.index != 1) {
			return c
		}
	}
	return nil
}

// addr4 returns the NIC's first IPv4 address (unspecified if none). A
// NIC's addresses are set before it is published and never change.
func (c *nic) addr4() netip.Addr {
	for _, p := range c.addrs {
		if p.Addr().Is4() {
			return p.Addr()
		}
	}
	return netip.IPv4Unspecified()
}

// addr6 returns the NIC's first IPv6 address (unspecified if none).
func (c *nic) addr6() netip.Addr {
	for _, p := range c.addrs {
		if p.Addr().Is6() {
			return p.Addr()
		}
	}
	return netip.IPv6Unspecified()
}

// addrFor returns the NIC's first address of dst's family.
func (c *nic) addrFor(dst netip.Addr) netip.Addr {
	if dst.Is6() {
		return c.addr6()
	}
	return c.addr4()
}

// routeFor routes o, fills in its source address, and applies ip(7)'s
// broadcast rule: "EACCES: The user tried to ... send to a broadcast
// address without having the broadcast flag set on the socket."
func (n *netState) routeFor(o *outMeta) (routeResult, error) {
	device := o.device
	if o.dst.IsMulticast() && o.mcastIf > 0 {
		t := n.table()
		if o.mcastIf > len(t.nics) {
			return routeResult{}, unix.ENODEV
		}
		device = t.nics[o.mcastIf-1].name
	}
	target := o.dst
	if o.firstHop.IsValid() {
		target = o.firstHop
	}
	rt, err := n.route(target, device)
	if err != nil {
		return rt, err
	}
	// ip(7P): "Normally multicast datagrams are delivered to members on
	// the sending host" unless IP_MULTICAST_LOOP is off.
	rt.loop = o.dst.IsMulticast() && o.mcastLoop && n.table().joinedOn(rt.nic, o.dst)
	if o.dontroute && !rt.local && rt.nextHop != target {
		// socket(7) SO_DONTROUTE: "send only to directly connected hosts".
		return rt, unix.ENETUNREACH
	}
	if rt.bcast && !o.broadcastOK {
		return rt, unix.EACCES
	}
	if !o.src.IsValid() || o.src.IsUnspecified() {
		o.src = rt.src
	}
	if o.dst.IsMulticast() {
		o.ttl = o.mcastTTL
	}
	return rt, nil
}
