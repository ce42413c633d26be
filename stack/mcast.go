package stack

import (
	"net/netip"
	"slices"

	"golang.org/x/sys/unix"

	"sockstack/wire"
)

// Limits from Linux's defaults: net.ipv4.igmp_max_memberships.
const maxMemberships = 20

var (
	allHosts4     = netip.AddrFrom4([4]byte{224, 0, 0, 1})  // RFC 1112 §4
	igmpv3Routers = netip.AddrFrom4([4]byte{224, 0, 0, 22}) // RFC 3376 §4.2.14
	allNodes6     = netip.MustParseAddr("ff02::1")          // RFC 4291 §2.7.1
)

// groupKey names a group joined on one interface.
type groupKey struct {
	ifindex int
	group   netip.Addr
}

// membership is one group a socket joined (ip(7) IP_ADD_MEMBERSHIP,
// ipv6(7) IPV6_ADD_MEMBERSHIP).
type membership = groupKey

// mcastOpts is a datagram socket's multicast state. Call its methods with
// the socket's lock held.
type mcastOpts struct {
	joined []membership
	ifidx  int // IP_MULTICAST_IF / IPV6_MULTICAST_IF; 0: by route
}

// joinedOn reports whether the host has joined group on the NIC, or the
// group is one every host belongs to (all-hosts, all-nodes, and the
// solicited-node groups of its IPv6 addresses).
func (t *addrTable) joinedOn(c *nic, group netip.Addr) bool {
	if group == allHosts4 || group == allNodes6 {
		return true
	}
	return t.groups[groupKey{c.index, group}]
}

// acceptsGroup reports whether a packet to a multicast group arriving on c
// is for this host.
func (n *netState) acceptsGroup(c *nic, group netip.Addr) bool {
	t := n.table()
	if t.joinedOn(c, group) {
		return true
	}
	if group.Is6() {
		for _, p := range c.addrs {
			if p.Addr().Is6() && solicitedNode(p.Addr()) == group {
				return true
			}
		}
	}
	return false
}

// nicForGroup picks the interface a membership applies to: by index, by
// one of its addresses, or (both zero) the route to the group, as ip(7)
// describes ("INADDR_ANY ... causes the kernel to choose the interface").
func (n *netState) nicForGroup(group, iface netip.Addr, ifindex int) (*nic, error) {
	t := n.table()
	if ifindex > 0 {
		if ifindex > len(t.nics) {
			return nil, unix.ENODEV
		}
		return t.nics[ifindex-1], nil
	}
	if iface.IsValid() && !iface.IsUnspecified() {
		if c := t.local[iface]; c != nil {
			return c, nil
		}
		return nil, unix.ENODEV
	}
	rt, err := n.route(group, "")
	if err != nil {
		return nil, unix.ENODEV
	}
	return rt.nic, nil
}

// hostJoin counts one more socket in group on c; the first sends an
// unsolicited report (RFC 3376 §5.1).
func (n *netState) hostJoin(c *nic, group netip.Addr, join bool) {
	n.mu.Lock()
	k := groupKey{c.index, group}
	before := n.groups[k]
	if join {
		n.groups[k]++
	} else if before > 0 {
		n.groups[k]--
		if n.groups[k] == 0 {
			delete(n.groups, k)
		}
	}
	after := n.groups[k]
	n.rebuild()
	n.mu.Unlock()
	if (before == 0) != (after == 0) && group.Is4() && group != allHosts4 {
		rec := wire.IGMPRecordFields{Type: igmpChangeToExclude, Group: group}
		if after == 0 {
			rec.Type = igmpChangeToInclude // leave: include no sources
		}
		n.sendIGMP(c, []wire.IGMPRecordFields{rec})
	}
}

// IGMPv3 group record types (RFC 3376 §4.2.12).
const (
	igmpModeIsExclude   = 2
	igmpChangeToInclude = 3
	igmpChangeToExclude = 4
)

// sendIGMP sends an IGMPv3 report (RFC 3376 §4.2) to 224.0.0.22 with TTL 1
// and the Router Alert option (RFC 3376 §4, RFC 2113).
func (n *netState) sendIGMP(c *nic, recs []wire.IGMPRecordFields) {
	f := wire.IGMPFields{Type: wire.IGMPv3Report, Records: recs}
	p := n.pkts.get(f.Len())
	defer n.pkts.put(p)
	if _, err := f.Encode(p.data()); err != nil {
		return
	}
	o := outMeta{src: c.addr4(), dst: igmpv3Routers, proto: wire.IGMPProtocolNumber, ttl: 1, tos: 0xc0,
		options: wire.AppendIPv4RouterAlert(nil, 0)}
	rt := routeResult{nic: c, nextHop: igmpv3Routers, src: o.src}
	n.output(rt, &o, p)
}

// inputIGMP answers a membership query with the host's groups on c
// (RFC 3376 §5.2); other IGMP messages go only to raw sockets.
func (n *netState) inputIGMP(c *nic, ip wire.IPv4) {
	m := ip.Payload()
	if len(m) < 8 || m[0] != byte(wire.IGMPMembershipQuery) || wire.Checksum(m, 0) != 0 {
		return
	}
	asked := netip.AddrFrom4([4]byte(m[4:8]))
	t := n.table()
	var recs []wire.IGMPRecordFields
	for k := range t.groups {
		if k.ifindex == c.index && k.group.Is4() && (asked.IsUnspecified() || asked == k.group) {
			recs = append(recs, wire.IGMPRecordFields{Type: igmpModeIsExclude, Group: k.group})
		}
	}
	slices.SortFunc(recs, func(a, b wire.IGMPRecordFields) int { return a.Group.Compare(b.Group) })
	if len(recs) > 0 {
		n.sendIGMP(c, recs)
	}
}

// setIf implements IP_MULTICAST_IF with an ip_mreqn or ip_mreq: the
// interface for outgoing multicast, by index or address; both zero
// restores the default, the unicast route (ip(7P)).
func (n *netState) multicastIf(iface [16]byte, ifindex int) (int, error) {
	a := netip.AddrFrom4([4]byte(iface[:4]))
	if ifindex == 0 && !a.IsUnspecified() {
		c, err := n.nicForGroup(allHosts4, a, 0)
		if err != nil {
			return 0, unix.EADDRNOTAVAIL
		}
		ifindex = c.index
	}
	return ifindex, nil
}

// change applies IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP,
// IPV6_ADD_MEMBERSHIP or IPV6_DROP_MEMBERSHIP to the socket's list and
// returns the host-level change to make. ip(7): EADDRINUSE for a group
// already joined, EADDRNOTAVAIL for leaving one not joined, EINVAL for an
// address that is not multicast, ENOBUFS past igmp_max_memberships.
func (m *mcastOpts) change(n *netState, level, opt int, group, iface [16]byte, ifindex int) (join bool, c *nic, g netip.Addr, err error) {
	var ifaddr netip.Addr
	switch {
	case level == unix.IPPROTO_IP && (opt == unix.IP_ADD_MEMBERSHIP || opt == unix.IP_DROP_MEMBERSHIP):
		g = netip.AddrFrom4([4]byte(group[:4]))
		ifaddr = netip.AddrFrom4([4]byte(iface[:4]))
		join = opt == unix.IP_ADD_MEMBERSHIP
	case level == unix.IPPROTO_IPV6 && (opt == unix.IPV6_ADD_MEMBERSHIP || opt == unix.IPV6_DROP_MEMBERSHIP):
		g = netip.AddrFrom16(group)
		join = opt == unix.IPV6_ADD_MEMBERSHIP
	default:
		return false, nil, g, unix.ENOPROTOOPT
	}
	if !g.IsMulticast() {
		return false, nil, g, unix.EINVAL
	}
	if c, err = n.nicForGroup(g, ifaddr, ifindex); err != nil {
		return false, nil, g, err
	}
	k := membership{c.index, g}
	i := slices.Index(m.joined, k)
	switch {
	case join && i >= 0:
		return false, nil, g, unix.EADDRINUSE
	case join && len(m.joined) >= maxMemberships:
		return false, nil, g, unix.ENOBUFS
	case join:
		m.joined = append(m.joined, k)
	case i < 0:
		return false, nil, g, unix.EADDRNOTAVAIL
	default:
		m.joined = slices.Delete(m.joined, i, i+1)
	}
	return join, c, g, nil
}

// setMembership is the mreqOptioner of UDP and raw sockets: group
// membership and IP_MULTICAST_IF.
func (b *sockBase) setMembership(m *mcastOpts, ip *ipOptions, level, opt int, group, iface [16]byte, ifindex int) error {
	n := &b.host.net
	b.mu.Lock()
	if level == unix.IPPROTO_IP && opt == unix.IP_MULTICAST_IF {
		idx, err := n.multicastIf(iface, ifindex)
		if err == nil {
			ip.mcastIf = int32(idx)
		}
		b.mu.Unlock()
		return err
	}
	join, c, g, err := m.change(n, level, opt, group, iface, ifindex)
	b.mu.Unlock()
	if err != nil {
		return err
	}
	n.hostJoin(c, g, join)
	return nil
}

// leave drops every membership in joined (a closing socket's).
func (n *netState) leave(joined []membership) {
	t := n.table()
	for _, k := range joined {
		if k.ifindex >= 1 && k.ifindex <= len(t.nics) {
			n.hostJoin(t.nics[k.ifindex-1], k.group, false)
		}
	}
}
