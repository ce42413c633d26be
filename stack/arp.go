package stack

import (
	"net/netip"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/wire"
)

// Neighbour cache timing from RFC 1122 §2.3.2.1 and Linux's defaults:
// entries stay reachable for base_reachable_time (30 s); an unresolved
// address is asked for up to 3 times a second apart (mcast_solicit,
// retrans_time); while resolving, a bounded queue holds packets
// (RFC 1122 §2.3.2.2: "SHOULD save at least one (the latest) packet").
const (
	neighReachable = 30 * time.Second
	neighRetrans   = time.Second
	neighProbes    = 3
	neighQueueMax  = 64
	// neighQueueBytes bounds what all of a host's unresolved neighbours
	// may hold together, so spoofed traffic cannot grow memory (Linux
	// bounds each entry with unres_qlen_bytes; a host-wide cap is
	// stricter).
	neighQueueBytes = 1 << 20
)

type neighEntry struct {
	mac      wire.MAC
	resolved bool
	probes   int
	queue    []*[]byte   // frames waiting for the address, IP packet only
	timer    *time.Timer // the next probe while resolving
	expiry   *time.Timer // ends reachability, so no clock is read per packet
}

// neighbours is an Ethernet NIC's ARP cache (RFC 826).
type neighbours struct {
	c  *nic
	mu sync.Mutex
	m  map[netip.Addr]*neighEntry
}

func newNeighbours(c *nic) *neighbours {
	return &neighbours{c: c, m: make(map[netip.Addr]*neighEntry)}
}

func (nb *neighbours) mac() wire.MAC { return wire.MAC(nb.c.ep.HardwareAddr()) }

// etherType is the EtherType of packets to or from addr.
func etherType(addr netip.Addr) wire.EtherType {
	if addr.Is6() {
		return wire.EtherTypeIPv6
	}
	return wire.EtherTypeIPv4
}

// ipv6MulticastMAC maps an IPv6 group to its Ethernet address: RFC 2464
// §7, 33:33 followed by the group's last four octets.
func ipv6MulticastMAC(a netip.Addr) wire.MAC {
	b := a.As16()
	return wire.MAC{0x33, 0x33, b[12], b[13], b[14], b[15]}
}

// send transmits an IP packet to nextHop, resolving its hardware address
// first when needed (ARP for IPv4, NDP for IPv6).
func (nb *neighbours) send(nextHop netip.Addr, p *pkt) error {
	var dst wire.MAC
	switch {
	case nextHop == limitedBroadcast || nb.c.n.isBroadcast(nextHop):
		dst = wire.BroadcastMAC()
	case nextHop.Is6() && nextHop.IsMulticast():
		dst = ipv6MulticastMAC(nextHop)
	case nextHop.IsMulticast():
		dst = wire.IPv4MulticastMAC(nextHop)
	default:
		var ok bool
		if dst, ok = nb.lookup(nextHop, p); !ok {
			return nil // queued (or dropped and counted) while resolving
		}
	}
	return nb.writeEthernet(dst, etherType(nextHop), p)
}

func (nb *neighbours) writeEthernet(dst wire.MAC, typ wire.EtherType, p *pkt) error {
	f := wire.EthernetFields{Dst: dst, Src: nb.mac(), EtherType: typ}
	if _, err := f.Encode(p.prepend(f.Len())); err != nil {
		return err
	}
	err := nb.c.write(p.data())
	p.off += f.Len()
	return err
}

// lookup returns the MAC for addr, or queues a copy of p and starts
// resolution.
func (nb *neighbours) lookup(addr netip.Addr, p *pkt) (wire.MAC, bool) {
	nb.mu.Lock()
	e := nb.m[addr]
	if e != nil && e.resolved {
		mac := e.mac
		nb.mu.Unlock()
		return mac, true
	}
	start := e == nil || (e.timer == nil && len(e.queue) == 0)
	if e == nil {
		e = &neighEntry{}
		nb.m[addr] = e
	}
	if start {
		e.probes = 0
	}
	n := nb.c.n
	if len(e.queue) >= neighQueueMax || n.neighQueued.Load()+int64(p.len()) > neighQueueBytes {
		n.drops.add(DropNeighQueueFull)
	} else {
		b := make([]byte, p.len()) // exact size: the budget counts real bytes
		copy(b, p.data())
		n.neighQueued.Add(int64(len(b)))
		e.queue = append(e.queue, &b)
	}
	nb.mu.Unlock()
	if start {
		nb.probe(addr)
	}
	return wire.MAC{}, false
}

// probe sends an ARP request for addr and schedules the next one, or
// gives up after neighProbes and drops what was queued.
func (nb *neighbours) probe(addr netip.Addr) {
	nb.mu.Lock()
	e := nb.m[addr]
	if e == nil || e.resolved {
		nb.mu.Unlock()
		return
	}
	if e.probes >= neighProbes {
		for _, b := range e.queue {
			nb.c.n.drops.add(DropNeighFailed)
			nb.c.n.neighQueued.Add(-int64(len(*b)))
		}
		delete(nb.m, addr)
		nb.mu.Unlock()
		return
	}
	e.probes++
	e.timer = time.AfterFunc(neighRetrans, func() { nb.probe(addr) })
	nb.mu.Unlock()
	if addr.Is6() {
		nb.solicit(addr)
		return
	}
	nb.sendARP(wire.ARPRequest, wire.BroadcastMAC(), wire.MAC{}, nb.srcFor(addr), addr)
}

// srcFor picks the sender address of a request: our address on the
// target's subnet, else our first.
func (nb *neighbours) srcFor(target netip.Addr) netip.Addr {
	n := nb.c.n
	n.mu.RLock()
	defer n.mu.RUnlock()
	for _, p := range nb.c.addrs {
		if p.Addr().Is4() == target.Is4() && p.Contains(target) {
			return p.Addr()
		}
	}
	if target.Is6() {
		return nb.c.addr6()
	}
	return nb.c.addr4()
}

func (nb *neighbours) sendARP(op wire.ARPOp, dst, tha wire.MAC, spa, tpa netip.Addr) {
	if !spa.Is4() {
		return
	}
	n := nb.c.n
	p := n.pkts.get(wire.ARPLen)
	defer n.pkts.put(p)
	f := wire.ARPFields{Op: op, SHA: nb.mac(), SPA: spa, THA: tha, TPA: tpa}
	if _, err := f.Encode(p.data()); err != nil {
		return
	}
	nb.writeEthernet(dst, wire.EtherTypeARP, p)
}

// Announce sends a gratuitous ARP for each IPv4 address of the interface
// (RFC 5227 §3: an ARP request whose sender and target are the address).
func (h *Host) Announce(dev string) error {
	c := h.net.nicByName(dev)
	if c == nil || c.neigh == nil {
		return unix.ENODEV
	}
	h.net.mu.RLock()
	addrs := append([]netip.Prefix(nil), c.addrs...)
	h.net.mu.RUnlock()
	for _, a := range addrs {
		c.neigh.sendARP(wire.ARPRequest, wire.BroadcastMAC(), wire.MAC{}, a.Addr(), a.Addr())
	}
	return nil
}

// input handles an ARP packet (RFC 826 "Packet Reception"): update an
// existing entry for the sender, answer requests for our own addresses
// only, and learn the sender when the request was for us.
func (nb *neighbours) input(b []byte) {
	a, err := wire.ParseARP(b)
	if err != nil || a.HardwareType() != wire.ARPHardwareEthernet || a.ProtocolType() != wire.EtherTypeIPv4 {
		nb.c.n.drops.add(DropARPInvalid)
		return
	}
	spa, tpa := a.SPA(), a.TPA()
	forUs := nb.c.ownsAddr(tpa)
	if spa.IsUnspecified() && !forUs {
		return // an ARP probe (RFC 5227) for someone else
	}
	nb.learn(spa, a.SHA(), forUs)
	if forUs && a.Op() == wire.ARPRequest {
		nb.sendARP(wire.ARPReply, a.SHA(), a.SHA(), tpa, spa)
	}
}

// learn records ip → mac: RFC 826 updates an existing entry always and
// adds one only when the packet was for us; queued packets are released.
func (nb *neighbours) learn(ip netip.Addr, mac wire.MAC, add bool) {
	if ip.IsUnspecified() {
		return
	}
	nb.mu.Lock()
	e := nb.m[ip]
	if e == nil {
		if !add {
			nb.mu.Unlock()
			return
		}
		e = &neighEntry{}
		nb.m[ip] = e
	}
	e.mac, e.resolved = mac, true
	if e.timer != nil {
		e.timer.Stop()
		e.timer = nil
	}
	// RFC 1122 §2.3.2.1: entries time out, so a moved host is found again.
	if e.expiry == nil {
		e.expiry = time.AfterFunc(neighReachable, func() { nb.expire(ip, e) })
	} else {
		e.expiry.Reset(neighReachable)
	}
	queued := e.queue
	e.queue = nil
	nb.mu.Unlock()
	for _, b := range queued {
		p := nb.c.n.pkts.get(len(*b))
		copy(p.data(), *b)
		nb.writeEthernet(mac, etherType(ip), p)
		nb.c.n.pkts.put(p)
		nb.c.n.neighQueued.Add(-int64(len(*b)))
	}
}

// expire ends an entry's reachability; the next packet resolves it again.
func (nb *neighbours) expire(ip netip.Addr, e *neighEntry) {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	if nb.m[ip] == e {
		e.resolved = false
	}
}

// ownsAddr reports whether a is one of this NIC's addresses.
func (c *nic) ownsAddr(a netip.Addr) bool {
	c.n.mu.RLock()
	defer c.n.mu.RUnlock()
	for _, p := range c.addrs {
		if p.Addr() == a {
			return true
		}
	}
	return false
}
