// Package vnet builds virtual networks of sockstack hosts in one process:
// hosts joined by in-memory Ethernet links, with optional impairments, routes
// and forwarding. Tests, `sockstack demo` and benchmarks use it.
package vnet

import (
	"fmt"
	"net/netip"

	"sockstack/link"
	"sockstack/stack"
)

// Network is a set of hosts and the links between them.
type Network struct {
	hosts map[string]*stack.Host
	order []string
	nics  map[string]int // per host, the number of NICs added
	macs  byte
}

// New returns an empty network.
func New() *Network {
	return &Network{hosts: make(map[string]*stack.Host), nics: make(map[string]int)}
}

// AddHost creates a host. Raw sockets are allowed, as in a test lab.
func (n *Network) AddHost(name string, forwarding bool) *stack.Host {
	h := stack.New(stack.Options{Name: name, RawAllowed: true, Forwarding: forwarding})
	n.hosts[name] = h
	n.order = append(n.order, name)
	return h
}

// Host returns the host named name, or nil.
func (n *Network) Host(name string) *stack.Host { return n.hosts[name] }

// LinkConfig describes a link between two hosts.
type LinkConfig struct {
	// MTU of the link; 1500 if zero.
	MTU int
	// Fault, if non-nil, impairs both directions (Tx: a to b, Rx: b to a).
	Fault *link.FaultConfig
}

// Connect joins host a (address aAddr) and host b (address bAddr) with an
// Ethernet link. The addresses carry their prefix lengths; each end gets
// the next free interface name eth0, eth1, ... It returns the interface
// names.
func (n *Network) Connect(a string, aAddr netip.Prefix, b string, bAddr netip.Prefix, cfg LinkConfig) (string, string, error) {
	ha, hb := n.hosts[a], n.hosts[b]
	if ha == nil || hb == nil {
		return "", "", fmt.Errorf("vnet: connect %s and %s: no such host", a, b)
	}
	mtu := cfg.MTU
	if mtu == 0 {
		mtu = 1500
	}
	n.macs += 2
	ea, eb := link.Pipe(link.PipeOptions{
		Kind: link.KindEthernet, MTU: mtu,
		HardwareAddrs: [2][6]byte{{0x02, 0x53, 0x53, 0, 0, n.macs - 1}, {0x02, 0x53, 0x53, 0, 0, n.macs}},
	})
	if cfg.Fault != nil {
		// One fault layer at a's end impairs each direction once: its
		// Tx side what a sends, its Rx side what b sends to a.
		ea = link.Fault(ea, *cfg.Fault)
	}
	na, err := n.attach(a, ha, ea, aAddr)
	if err != nil {
		return "", "", err
	}
	nb, err := n.attach(b, hb, eb, bAddr)
	return na, nb, err
}

func (n *Network) attach(name string, h *stack.Host, ep link.Endpoint, addr netip.Prefix) (string, error) {
	dev := fmt.Sprintf("eth%d", n.nics[name])
	n.nics[name]++
	_, err := h.AddNIC(ep, stack.NICConfig{Name: dev, Addrs: []netip.Prefix{addr}})
	return dev, err
}

// Close stops every host.
func (n *Network) Close() error {
	var first error
	for _, name := range n.order {
		if err := n.hosts[name].Stop(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
