package interop

import (
	"net/netip"
	"testing"

	"sockstack/link"
)

// lab is a sockstack host and a Linux namespace on either side of one
// link: the stack owns 10.213.N.2/24, Linux 10.213.N.1/24.
type lab struct {
	host  *stackHost
	ns    string // Linux's namespace
	dev   string // Linux's end of the link in ns, for captures
	stack netip.Addr
	linux netip.Addr
	// fault is the fault layer between the host and its link, when the
	// lab was built with one.
	fault *link.FaultEndpoint
}

// attachment is one way of putting a stack host on a link to Linux.
type attachment struct {
	name string
	open func(t *testing.T, subnet int, fault *link.FaultConfig) *lab
}

// attachments are the links TCP interop runs over (issue 5): a TUN
// device, where the stack sees IP packets, and a veth pair through
// AF_PACKET, where it owns an Ethernet segment with ARP.
var attachments = []attachment{{"tun", openTUNLab}, {"veth", openVethLab}}

// overEach runs f as one subtest per attachment, each on a lab of its own
// with subnet 10.213.subnets[i].0/24 for attachments[i]; fault, when not
// nil, impairs the stack's link. Every lab is gone at the end of its
// subtest.
func overEach(t *testing.T, subnets [2]int, fault *link.FaultConfig, f func(t *testing.T, l *lab)) {
	for i, a := range attachments {
		t.Run(a.name, func(t *testing.T) {
			needLab(t)
			f(t, a.open(t, subnets[i], fault))
		})
	}
}

// subnetAddr is 10.213.subnet.host.
func subnetAddr(subnet, host int) netip.Addr {
	return netip.AddrFrom4([4]byte{10, 213, byte(subnet), byte(host)})
}

// wrapFault puts a fault layer with cfg around ep when cfg is not nil.
func wrapFault(ep link.Endpoint, cfg *link.FaultConfig) (link.Endpoint, *link.FaultEndpoint) {
	if cfg == nil {
		return ep, nil
	}
	f := link.Fault(ep, *cfg)
	return f, f
}

// openTUNLab opens tun0 in a fresh namespace (LAB.md's TUN topology) and
// starts the stack on it.
func openTUNLab(t *testing.T, subnet int, fault *link.FaultConfig) *lab {
	t.Helper()
	ns := netns(t)
	tun, err := link.OpenTUNInNetns(ns, "tun0", link.DeviceOptions{MTU: 1500})
	if err != nil {
		t.Fatal(err)
	}
	ep, f := wrapFault(tun, fault)
	l := &lab{ns: ns, dev: "tun0", stack: subnetAddr(subnet, 2), linux: subnetAddr(subnet, 1), fault: f}
	l.host = startStack(t, ep, "tun0", netip.PrefixFrom(l.stack, 24), nil)
	in(t, ns, "ip", "link", "set", "tun0", "mtu", "1500", "txqueuelen", "10000", "up")
	in(t, ns, "ip", "addr", "add", netip.PrefixFrom(l.linux, 24).String(), "dev", "tun0")
	return l
}

// openVethLab builds LAB.md's veth topology: Linux on p0 in one
// namespace, the stack on s0 through AF_PACKET alone in another (else the
// kernel there answers ARP for the stack's address), with transmit
// offloads off on p0 so that Linux sends whole checksums and MTU-sized
// frames.
func openVethLab(t *testing.T, subnet int, fault *link.FaultConfig) *lab {
	t.Helper()
	peer, stk := netns(t), netns(t)
	sh(t, "ip", "link", "add", "p0", "netns", peer, "type", "veth", "peer", "name", "s0", "netns", stk)
	in(t, stk, "sysctl", "-qw", "net.ipv6.conf.s0.disable_ipv6=1")
	in(t, peer, "ethtool", "-K", "p0", "tx", "off")
	l := &lab{ns: peer, dev: "p0", stack: subnetAddr(subnet, 2), linux: subnetAddr(subnet, 1)}
	in(t, peer, "ip", "addr", "add", netip.PrefixFrom(l.linux, 24).String(), "dev", "p0")
	in(t, peer, "ip", "link", "set", "p0", "up")
	in(t, stk, "ip", "link", "set", "s0", "up")
	pkt, err := link.OpenPacketInNetns(stk, "s0", link.DeviceOptions{MACSeed: uint64(subnet)})
	if err != nil {
		t.Fatal(err)
	}
	var ep link.Endpoint
	ep, l.fault = wrapFault(pkt, fault)
	l.host = startStack(t, ep, "s0", netip.PrefixFrom(l.stack, 24), nil)
	if err := l.host.h.Announce("s0"); err != nil {
		t.Fatalf("gratuitous ARP: %v", err)
	}
	return l
}

// stackHostPort is the stack's address with port.
func (l *lab) stackHostPort(port int) string {
	return netip.AddrPortFrom(l.stack, uint16(port)).String()
}

// linuxHostPort is Linux's address with port.
func (l *lab) linuxHostPort(port int) string {
	return netip.AddrPortFrom(l.linux, uint16(port)).String()
}
