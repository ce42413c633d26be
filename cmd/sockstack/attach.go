package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"strings"

	"sockstack/link"
	"sockstack/stack"
)

// attachHelp documents the attach flags for the usage texts of up, ping
// and traceroute.
const attachHelp = `Attaching a sockstack host (--tun, --tap or --iface, exactly one):
  --tun NAME      create TUN device NAME (IFF_TUN|IFF_NO_PI): the stack sees
                  bare IP packets; Linux owns the other end of the device
  --tap NAME      create TAP device NAME: the stack speaks Ethernet and ARP
                  with a MAC of its own, different from NAME's
  --iface NAME    take over existing interface NAME through an AF_PACKET
                  socket (for example one end of a veth pair); NAME should
                  carry no addresses of the kernel's own
  --netns NAME    open the device or socket inside network namespace NAME
                  (ip netns add NAME; a path such as /proc/PID/ns/net works
                  too); the program itself stays where it runs
  --addr CIDR     the stack's address and prefix, e.g. 10.213.1.2/24
                  (repeatable; at least one)
  --gw ADDR       default route through ADDR
  --mtu N         the stack's MTU (default: the interface's); set Linux's
                  side to match with: ip link set NAME mtu N
  --capture FILE  write every frame the stack sends and receives to FILE
                  (pcapng; read it with tshark -r FILE or wireshark)
`

// attachOpts are the attach flags shared by up, ping and traceroute.
type attachOpts struct {
	tun, tap, iface, netns, capture string
	addrs                           []netip.Prefix
	gw                              netip.Addr
	mtu                             int
}

// attachFlags defines the attach flags on fs.
func attachFlags(fs *flag.FlagSet) *attachOpts {
	o := &attachOpts{}
	fs.StringVar(&o.tun, "tun", "", "create TUN device `NAME` for the stack")
	fs.StringVar(&o.tap, "tap", "", "create TAP device `NAME` for the stack")
	fs.StringVar(&o.iface, "iface", "", "attach to existing interface `NAME` via AF_PACKET")
	fs.StringVar(&o.netns, "netns", "", "open the device inside network namespace `NAME`")
	fs.StringVar(&o.capture, "capture", "", "write a pcapng capture of the stack's link to `FILE`")
	fs.IntVar(&o.mtu, "mtu", 0, "the stack's MTU `N` (default: the interface's)")
	fs.Func("addr", "the stack's address `CIDR`, e.g. 10.213.1.2/24 (repeatable)", func(s string) error {
		p, err := netip.ParsePrefix(s)
		if err != nil || !p.Addr().Is4() {
			return fmt.Errorf("want an IPv4 address with prefix length, like 10.213.1.2/24")
		}
		o.addrs = append(o.addrs, p)
		return nil
	})
	fs.Func("gw", "default route through gateway `ADDR`", func(s string) error {
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is4() {
			return fmt.Errorf("want an IPv4 address")
		}
		o.gw = a
		return nil
	})
	return o
}

// set reports whether any device flag was given.
func (o *attachOpts) set() bool { return o.tun != "" || o.tap != "" || o.iface != "" }

// check validates the flags of a command that must attach (need) or may.
func (o *attachOpts) check(cmd string, need bool) error {
	n := 0
	for _, s := range []string{o.tun, o.tap, o.iface} {
		if s != "" {
			n++
		}
	}
	switch {
	case n > 1:
		return usagef("%s: --tun, --tap and --iface exclude each other", cmd)
	case n == 0 && (need || len(o.addrs) > 0 || o.gw.IsValid() || o.netns != "" || o.mtu != 0 || o.capture != ""):
		return usagef("%s: want one of --tun, --tap or --iface (see sockstack %s -h)", cmd, cmd)
	case n == 1 && len(o.addrs) == 0:
		return usagef("%s: want --addr CIDR for the stack", cmd)
	case o.mtu < 0 || (o.mtu != 0 && o.mtu < 68) || o.mtu > 65535:
		// RFC 791: "Every internet module must be able to forward a
		// datagram of 68 octets without further fragmentation."
		return usagef("%s: --mtu %d out of range 68-65535", cmd, o.mtu)
	}
	if o.gw.IsValid() && !slices.ContainsFunc(o.addrs, func(p netip.Prefix) bool { return p.Contains(o.gw) }) {
		return usagef("%s: gateway %v is on none of the --addr subnets", cmd, o.gw)
	}
	return nil
}

// attached is a running sockstack host on a device.
type attached struct {
	host    *stack.Host
	ep      link.Endpoint // what the host sees (the capture tap if any)
	dev     string
	kind    link.Kind
	mtu     int
	capFile *os.File
	capBuf  *bufio.Writer
	sniff   *link.SniffEndpoint
}

// attach opens the device and starts a host on it.
func (o *attachOpts) attach(name string) (*attached, error) {
	dopts := link.DeviceOptions{MTU: o.mtu, MACSeed: uint64(os.Getpid())}
	var fe *link.FDEndpoint
	var err error
	switch {
	case o.tun != "" && o.netns != "":
		fe, err = link.OpenTUNInNetns(o.netns, o.tun, dopts)
	case o.tun != "":
		fe, err = link.OpenTUN(o.tun, dopts)
	case o.tap != "" && o.netns != "":
		fe, err = link.OpenTAPInNetns(o.netns, o.tap, dopts)
	case o.tap != "":
		fe, err = link.OpenTAP(o.tap, dopts)
	case o.netns != "":
		fe, err = link.OpenPacketInNetns(o.netns, o.iface, dopts)
	default:
		fe, err = link.OpenPacket(o.iface, dopts)
	}
	if err != nil {
		return nil, err
	}
	a := &attached{ep: fe, dev: fe.Name(), kind: fe.Kind(), mtu: fe.MTU()}
	if o.capture != "" {
		if a.capFile, err = os.Create(o.capture); err != nil {
			fe.Close()
			return nil, err
		}
		a.capBuf = bufio.NewWriterSize(a.capFile, 256<<10)
		a.sniff = link.Sniff(fe, a.capBuf)
		a.ep = a.sniff
	}
	a.host = stack.New(stack.Options{Name: name, RawAllowed: true})
	if _, err := a.host.AddNIC(a.ep, stack.NICConfig{Name: a.dev, Addrs: o.addrs}); err != nil {
		return nil, errors.Join(err, a.close())
	}
	if o.gw.IsValid() {
		def := netip.PrefixFrom(netip.IPv4Unspecified(), 0)
		if err := a.host.AddRoute(def, o.gw, a.dev); err != nil {
			return nil, errors.Join(err, a.close())
		}
	}
	if a.kind == link.KindEthernet {
		// RFC 5227 §3: announce the addresses, so that neighbours with a
		// stale ARP entry learn the stack's MAC.
		a.host.Announce(a.dev)
	}
	return a, nil
}

// describe returns "tun0 10.213.1.2/24 mtu 1500" for the start-up line.
func (a *attached) describe(o *attachOpts) string {
	var b strings.Builder
	b.WriteString(a.dev)
	for _, p := range o.addrs {
		fmt.Fprintf(&b, " %v", p)
	}
	fmt.Fprintf(&b, " mtu %d", a.mtu)
	if o.gw.IsValid() {
		fmt.Fprintf(&b, " via %v", o.gw)
	}
	if o.netns != "" {
		fmt.Fprintf(&b, " in netns %s", o.netns)
	}
	return b.String()
}

// close stops the host, which closes the device, then finishes the
// capture.
func (a *attached) close() error {
	err := a.host.Stop()
	if a.capFile != nil {
		err = errors.Join(err, a.sniff.Err(), a.capBuf.Flush(), a.capFile.Close())
	}
	return err
}

// report prints the link's counters and the host's drops by reason.
func (a *attached) report(w io.Writer, prefix string) {
	fmt.Fprintf(w, "%s: link %s: %v\n", prefix, a.dev, a.ep.Stats())
	fmt.Fprintf(w, "%s: drops: %s\n", prefix, formatDrops(a.host.Drops()))
}

// formatDrops formats drop counters as "reason=n ..." sorted, or "none".
func formatDrops(drops map[stack.DropReason]uint64) string {
	if len(drops) == 0 {
		return "none"
	}
	var parts []string
	for r, n := range drops {
		parts = append(parts, fmt.Sprintf("%v=%d", r, n))
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}
