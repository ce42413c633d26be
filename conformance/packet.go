package conformance

import (
	"bytes"
	"encoding/binary"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/wire"
)

func packetCases() []Case {
	return []Case{
		{"packet/raw-sees-loopback-udp", packetRawLoopback},
		{"packet/dgram-strips-link-header", packetDgram},
	}
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// loIndex is the loopback interface's index: 1 on Linux and on a stack host.
const loIndex = 1

// packetOpen opens an AF_PACKET socket bound to loopback for proto.
func packetOpen(t T, e *Env, typ int, proto uint16) int {
	t.Helper()
	e.RequireRaw(t)
	fd := open(t, e.API, unix.AF_PACKET, typ, int(htons(proto)))
	if err := e.API.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(proto), Ifindex: loIndex}); err != nil {
		t.Fatalf("bind to lo: %v", err)
	}
	if err := e.API.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 2}); err != nil {
		t.Fatal(err)
	}
	return fd
}

// udpTo sends payload from a fresh UDP socket to e.Addr4:port.
func udpTo(t T, e *Env, port int, payload []byte) {
	t.Helper()
	fd := open(t, e.API, unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err := e.API.Sendto(fd, payload, 0, sockaddr(e.Addr4, port)); err != nil {
		t.Fatalf("sendto: %v", err)
	}
}

// recvMatching reads frames until match accepts one, for up to 2 s.
func recvMatching(t T, e *Env, fd int, match func([]byte, *unix.SockaddrLinklayer) bool) {
	t.Helper()
	buf := make([]byte, 70000)
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		n, from, err := e.API.Recvfrom(fd, buf, 0)
		if err != nil {
			t.Fatalf("recvfrom: %v", err)
		}
		ll, _ := from.(*unix.SockaddrLinklayer)
		if ll != nil && match(buf[:n], ll) {
			return
		}
	}
	t.Fatal("no matching frame within 2 s")
}

// udpPayloadIs reports whether ip is an IPv4 UDP datagram to port carrying
// want.
func udpPayloadIs(ip []byte, port int, want []byte) bool {
	p, err := wire.ParseIPv4(ip)
	if err != nil || p.Protocol() != wire.UDPProtocolNumber {
		return false
	}
	u, err := wire.ParseUDP(p.Payload())
	return err == nil && int(u.DstPort()) == port && bytes.Equal(u.Payload(), want)
}

// packet(7): a SOCK_RAW packet socket receives frames "including the link
// level header"; on loopback that is a 14-byte Ethernet header of zeros and
// the EtherType, with sll_hatype ARPHRD_LOOPBACK.
func packetRawLoopback(t T, e *Env) {
	fd := packetOpen(t, e, unix.SOCK_RAW, unix.ETH_P_ALL)
	msg := []byte("seen by a packet socket")
	udpTo(t, e, 40123, msg)
	recvMatching(t, e, fd, func(f []byte, ll *unix.SockaddrLinklayer) bool {
		if len(f) < 14 || binary.BigEndian.Uint16(f[12:]) != unix.ETH_P_IP || !udpPayloadIs(f[14:], 40123, msg) {
			return false
		}
		if ll.Ifindex != loIndex || ll.Hatype != 772 || ll.Protocol != htons(unix.ETH_P_IP) {
			t.Fatalf("sockaddr_ll = %+v, want ifindex 1, hatype 772, protocol ETH_P_IP", ll)
		}
		return true
	})
}

// packet(7): "SOCK_DGRAM operates on a slightly higher level. The physical
// header is removed before the packet is passed to the user."
func packetDgram(t T, e *Env) {
	fd := packetOpen(t, e, unix.SOCK_DGRAM, unix.ETH_P_IP)
	msg := []byte("cooked")
	udpTo(t, e, 40124, msg)
	recvMatching(t, e, fd, func(f []byte, _ *unix.SockaddrLinklayer) bool {
		return udpPayloadIs(f, 40124, msg)
	})
}
