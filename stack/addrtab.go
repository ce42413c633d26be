package stack

import (
	"net/netip"
	"slices"
)

// addrTable is an immutable snapshot of the host's addresses, broadcast
// addresses and routes. The data path reads it without locks; changes
// (AddNIC, AddRoute) build a new one under netState.mu and publish it.
type addrTable struct {
	nics   []*nic
	local  map[netip.Addr]*nic
	bcast  map[netip.Addr]bool // directed broadcast addresses (RFC 1122 §3.3.6)
	routes []route             // longest prefix first
	groups map[groupKey]bool   // multicast groups joined per NIC
}

// rebuild publishes a new snapshot from nics and routes. Call with n.mu
// held.
func (n *netState) rebuild() {
	t := &addrTable{
		nics:  slices.Clone(n.nics),
		local: make(map[netip.Addr]*nic),
		bcast: make(map[netip.Addr]bool),
	}
	for _, c := range n.nics {
		for _, p := range c.addrs {
			t.local[p.Addr()] = c
			if p.Addr().Is4() && p.Bits() < 31 {
				t.bcast[directedBroadcast(p)] = true
			}
		}
	}
	t.groups = make(map[groupKey]bool, len(n.groups))
	for k := range n.groups {
		t.groups[k] = true
	}
	t.routes = slices.Clone(n.routes)
	// Longest prefix first; among equals, the order they were added.
	slices.SortStableFunc(t.routes, func(a, b route) int { return b.dst.Bits() - a.dst.Bits() })
	n.tab.Store(t)
}

// table returns the current snapshot.
func (n *netState) table() *addrTable { return n.tab.Load() }

// isLocal reports whether a is one of the host's addresses; the whole of
// 127.0.0.0/8 is local, as on Linux.
func (t *addrTable) isLocal(a netip.Addr) bool {
	if a.Is4() && a.As4()[0] == 127 {
		return true
	}
	_, ok := t.local[a]
	return ok
}

// isBroadcast reports whether a is the limited broadcast address or a
// directed broadcast address of one of the host's subnets.
func (t *addrTable) isBroadcast(a netip.Addr) bool {
	return a == limitedBroadcast || t.bcast[a]
}

// maxMTU returns the largest MTU of the host's non-loopback NICs (the
// loopback's if there are none).
func (n *netState) maxMTU() int {
	t := n.table()
	m := 0
	for _, c := range t.nics[1:] {
		m = max(m, c.mtu)
	}
	if m == 0 {
		m = t.nics[0].mtu
	}
	return m
}
