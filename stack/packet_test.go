package stack_test

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"

	"sockstack/wire"
)

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// packet(7): "Packets sent through a SOCK_RAW packet socket are passed to
// the device driver without changes": a frame A writes on its Ethernet
// NIC reaches B, which receives the UDP datagram inside; and a SOCK_RAW
// ETH_P_ALL socket on B sees that frame with sll_pkttype PACKET_HOST.
func TestPacketSocketSendAndTap(t *testing.T) {
	a, b := lan(t)
	rx := socket(t, b, unix.SOCK_DGRAM, 0)
	must(t, b.Bind(rx, sa4(netip.MustParseAddr("10.0.0.2"), 7000)))
	ps, err := b.Socket(unix.AF_PACKET, unix.SOCK_RAW, int(htons(unix.ETH_P_IP)))
	must(t, err)
	defer b.Close(ps)
	must(t, b.SetsockoptTimeval(ps, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 5}))
	must(t, b.Bind(ps, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_IP), Ifindex: 2}))

	// B's MAC, learned the way a user would: from its sockname.
	sn, err := b.Getsockname(ps)
	must(t, err)
	bmac := sn.(*unix.SockaddrLinklayer).Addr

	src, dst := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	uf := wire.UDPFields{SrcPort: 5555, DstPort: 7000, Length: 8 + 5}
	ipf := wire.IPv4Fields{TTL: 64, Protocol: wire.UDPProtocolNumber, Src: src, Dst: dst, PayloadLen: 13}
	frame := make([]byte, 14+ipf.Len()+13)
	copy(frame[0:6], bmac[:6])
	copy(frame[6:12], []byte{2, 0x53, 0x53, 0, 0, 1})
	binary.BigEndian.PutUint16(frame[12:], unix.ETH_P_IP)
	ipf.Encode(frame[14:])
	u := frame[14+ipf.Len():]
	uf.Encode(u)
	copy(u[8:], "frame")
	v, _ := wire.ParseUDP(u)
	v.SetChecksum(src, dst)

	pa, err := a.Socket(unix.AF_PACKET, unix.SOCK_RAW, int(htons(unix.ETH_P_ALL)))
	must(t, err)
	defer a.Close(pa)
	must(t, a.Sendto(pa, frame, 0, &unix.SockaddrLinklayer{Ifindex: 2}))

	buf := make([]byte, 64)
	n, _, err := b.Recvfrom(rx, buf, 0)
	if err != nil || string(buf[:n]) != "frame" {
		t.Fatalf("UDP on B got %q, %v", buf[:n], err)
	}
	fb := make([]byte, 2048)
	n, from, err := b.Recvfrom(ps, fb, 0)
	must(t, err)
	ll := from.(*unix.SockaddrLinklayer)
	if n != len(frame) || ll.Pkttype != unix.PACKET_HOST || ll.Ifindex != 2 || ll.Hatype != 1 {
		t.Fatalf("tap got %d bytes with %+v", n, ll)
	}
}
