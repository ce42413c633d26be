package link

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// OpenPacket opens an AF_PACKET socket on interface ifname in the calling
// thread's network namespace and returns a KindEthernet link over it. The
// stack sends and receives whole Ethernet frames with its own MAC
// (opts.HardwareAddr). The interface should carry no addresses of the
// kernel's own, or the kernel answers for them too.
func OpenPacket(ifname string, opts DeviceOptions) (*FDEndpoint, error) {
	// packet(7): a socket created with protocol 0 receives nothing until
	// bound with a protocol, so no other interface's frames slip in.
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("link: packet socket: %w", err)
	}
	e, err := setupPacket(fd, ifname, opts)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	return e, nil
}

func setupPacket(fd int, ifname string, opts DeviceOptions) (*FDEndpoint, error) {
	ifr, err := unix.NewIfreq(ifname)
	if err != nil {
		return nil, fmt.Errorf("link: interface %q: %w", ifname, err)
	}
	// netdevice(7): SIOCGIFINDEX answers in the socket's namespace.
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFINDEX, ifr); err != nil {
		return nil, fmt.Errorf("link: SIOCGIFINDEX %s: %w", ifname, err)
	}
	index := int(ifr.Uint32())
	// packet(7): PACKET_IGNORE_OUTGOING stops frames sent on the
	// interface (by us or the kernel) from looping back as
	// PACKET_OUTGOING.
	if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_IGNORE_OUTGOING, 1); err != nil {
		return nil, fmt.Errorf("link: PACKET_IGNORE_OUTGOING: %w", err)
	}
	// socket(7) SO_RCVBUFFORCE: a burst of small frames overflows the
	// default 208 KiB receive buffer; root may raise it past rmem_max.
	// Without the privilege the default stays, which is not an error.
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, packetRcvBuf)
	// packet(7): sll_protocol is in network byte order; ETH_P_ALL
	// receives every protocol.
	sa := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: index}
	if err := unix.Bind(fd, sa); err != nil {
		return nil, fmt.Errorf("link: bind packet socket to %s: %w", ifname, err)
	}
	mtu := opts.MTU
	if mtu <= 0 {
		if mtu, err = ifreqMTU(fd, ifname); err != nil {
			return nil, err
		}
	}
	return newFDEndpoint(fd, ifname, KindEthernet, mtu, deviceMAC(opts), true)
}

// packetRcvBuf is the receive buffer asked for an AF_PACKET link.
const packetRcvBuf = 8 << 20

// OpenPacketInNetns is OpenPacket inside the network namespace ns (a name
// under /run/netns or a path).
func OpenPacketInNetns(ns, ifname string, opts DeviceOptions) (*FDEndpoint, error) {
	var e *FDEndpoint
	err := inNetns(ns, func() (err error) {
		e, err = OpenPacket(ifname, opts)
		return err
	})
	if err != nil && e != nil {
		e.Close() // opened, but the thread could not return
		e = nil
	}
	return e, err
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }
