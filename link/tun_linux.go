package link

import (
	"fmt"
	"math/rand/v2"

	"golang.org/x/sys/unix"
)

// OpenTUN creates (or attaches to) the TUN device name in the calling
// thread's network namespace and returns a KindIP link over it. name may
// be a pattern such as "tun%d"; Name reports the result. The device
// disappears when the endpoint is closed unless it was made persistent.
func OpenTUN(name string, opts DeviceOptions) (*FDEndpoint, error) {
	return openTunTap(name, unix.IFF_TUN, opts)
}

// OpenTAP is OpenTUN for a TAP device: a KindEthernet link whose frames
// carry the stack's own MAC (opts.HardwareAddr), not the kernel
// interface's.
func OpenTAP(name string, opts DeviceOptions) (*FDEndpoint, error) {
	return openTunTap(name, unix.IFF_TAP, opts)
}

// OpenTUNInNetns is OpenTUN inside the network namespace ns (a name under
// /run/netns or a path). The device lives in that namespace; the returned
// descriptor works from any thread.
func OpenTUNInNetns(ns, name string, opts DeviceOptions) (*FDEndpoint, error) {
	var e *FDEndpoint
	err := inNetns(ns, func() (err error) {
		e, err = OpenTUN(name, opts)
		return err
	})
	if err != nil && e != nil {
		e.Close() // opened, but the thread could not return
		e = nil
	}
	return e, err
}

// OpenTAPInNetns is OpenTAP inside the network namespace ns.
func OpenTAPInNetns(ns, name string, opts DeviceOptions) (*FDEndpoint, error) {
	var e *FDEndpoint
	err := inNetns(ns, func() (err error) {
		e, err = OpenTAP(name, opts)
		return err
	})
	if err != nil && e != nil {
		e.Close() // opened, but the thread could not return
		e = nil
	}
	return e, err
}

func openTunTap(name string, mode uint16, opts DeviceOptions) (*FDEndpoint, error) {
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("link: open /dev/net/tun: %w", err)
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("link: tun name %q: %w", name, err)
	}
	// Documentation/networking/tuntap.rst: IFF_NO_PI drops the 4-byte
	// packet-information prefix, so reads and writes are bare frames.
	ifr.SetUint16(mode | unix.IFF_NO_PI)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("link: TUNSETIFF %q: %w", name, err)
	}
	name = ifr.Name()
	mtu := opts.MTU
	if mtu <= 0 {
		if mtu, err = interfaceMTU(name); err != nil {
			unix.Close(fd)
			return nil, err
		}
	}
	kind := KindIP
	if mode == unix.IFF_TAP {
		kind = KindEthernet
	}
	e, err := newFDEndpoint(fd, name, kind, mtu, deviceMAC(opts), false)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	return e, nil
}

// interfaceMTU asks the kernel for an interface's MTU through a throwaway
// socket in the calling thread's namespace (netdevice(7): SIOCGIFMTU).
func interfaceMTU(name string) (int, error) {
	s, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("link: socket: %w", err)
	}
	defer unix.Close(s)
	return ifreqMTU(s, name)
}

func ifreqMTU(s int, name string) (int, error) {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return 0, fmt.Errorf("link: interface %q: %w", name, err)
	}
	if err := unix.IoctlIfreq(s, unix.SIOCGIFMTU, ifr); err != nil {
		return 0, fmt.Errorf("link: SIOCGIFMTU %s: %w", name, err)
	}
	return int(ifr.Uint32()), nil
}

// deviceMAC returns opts.HardwareAddr or a MAC drawn from opts.MACSeed
// with the locally administered bit set and the group bit clear
// (IEEE 802 addressing: bit 1 of the first octet is U/L, bit 0 is I/G).
func deviceMAC(opts DeviceOptions) [6]byte {
	if opts.HardwareAddr != ([6]byte{}) {
		return opts.HardwareAddr
	}
	r := rand.New(rand.NewPCG(opts.MACSeed, 0x6d6163))
	var m [6]byte
	v := r.Uint64()
	for i := range m {
		m[i] = byte(v >> (8 * i))
	}
	m[0] = m[0]&^0x01 | 0x02
	return m
}
