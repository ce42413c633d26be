package link

import (
	"bytes"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestTUN_PingInAndUDPOut(t *testing.T) {
	requireLab(t)
	labTUNLinux, labTUNStack := [4]byte{10, 213, 1, 1}, [4]byte{10, 213, 1, 2}
	ignore := goleak.IgnoreCurrent()
	ns := newNetns(t, "")
	ep, err := OpenTUNInNetns(ns, "tun0", DeviceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ep.Close()
	if ep.Kind() != KindIP || ep.Name() != "tun0" || ep.MTU() != 1500 {
		t.Errorf("kind %v name %q MTU %d, want ip tun0 1500 (read from the interface)", ep.Kind(), ep.Name(), ep.MTU())
	}
	var r recorder
	ep.Attach(&r)
	run(t, "ip", "-n", ns, "link", "set", "tun0", "mtu", "1500", "up")
	run(t, "ip", "-n", ns, "addr", "add", "10.213.1.1/24", "dev", "tun0")

	pingOnce(ns, "10.213.1.2")
	waitFor(t, &r, "ICMP echo request to 10.213.1.2", func(p []byte) bool { return isEchoRequestTo(p, labTUNStack) })

	recv := udpListener(t, ns, labTUNLinux, 9999)
	payload := []byte("sockstack tun says hello")
	pkt := ipv4UDP(labTUNStack, labTUNLinux, 5555, 9999, payload)
	if n, err := ep.WritePackets([][]byte{pkt}); n != 1 || err != nil {
		t.Fatalf("WritePackets = %d, %v", n, err)
	}
	got, err := recv()
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("listener got %q, %v; want %q", got, err, payload)
	}
	if s := ep.Stats(); s.TxPackets != 1 || s.RxPackets == 0 {
		t.Errorf("stats %v", s)
	}
	batch := [][]byte{pkt}
	if a := testing.AllocsPerRun(100, func() { ep.WritePackets(batch) }); a != 0 {
		t.Errorf("TUN WritePackets allocates %v per frame, want 0", a)
	}
	start := time.Now()
	ep.Close()
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %v", d)
	}
	goleak.VerifyNone(t, ignore)
}

func TestTAP_ARPPingAndUDPOut(t *testing.T) {
	requireLab(t)
	labTAPLinux, labTAPStack := [4]byte{10, 213, 2, 1}, [4]byte{10, 213, 2, 2}
	ns := newNetns(t, "")
	stackMAC := [6]byte{0x02, 0x53, 0x4b, 0, 0, 2}
	ep, err := OpenTAPInNetns(ns, "tap0", DeviceOptions{MTU: 1500, HardwareAddr: stackMAC})
	if err != nil {
		t.Fatal(err)
	}
	defer ep.Close()
	if ep.Kind() != KindEthernet || ep.HardwareAddr() != stackMAC {
		t.Errorf("kind %v MAC %x", ep.Kind(), ep.HardwareAddr())
	}
	var r recorder
	ep.Attach(&r)
	run(t, "ip", "-n", ns, "link", "set", "tap0", "up")
	run(t, "ip", "-n", ns, "addr", "add", "10.213.2.1/24", "dev", "tap0")
	tapMAC := macOf(t, ns, "tap0")

	// Unresolved: Linux asks who has 10.213.2.2 (RFC 826 request, op 1).
	pingOnce(ns, "10.213.2.2")
	waitFor(t, &r, "ARP request for 10.213.2.2", func(f []byte) bool {
		return len(f) >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[21] == 1 && [4]byte(f[38:42]) == labTAPStack
	})
	// Resolved by hand: the echo request comes to the stack's MAC.
	run(t, "ip", "-n", ns, "neigh", "replace", "10.213.2.2", "lladdr", "02:53:4b:00:00:02", "dev", "tap0")
	pingOnce(ns, "10.213.2.2")
	waitFor(t, &r, "ICMP echo request to the stack's MAC", func(f []byte) bool {
		return len(f) > 14 && [6]byte(f[0:6]) == stackMAC && [6]byte(f[6:12]) == tapMAC && isEchoRequestTo(f[14:], labTAPStack)
	})

	recv := udpListener(t, ns, labTAPLinux, 9998)
	payload := []byte("sockstack tap says hello")
	frame := ethernet(tapMAC, stackMAC, 0x0800, ipv4UDP(labTAPStack, labTAPLinux, 5555, 9998, payload))
	if n, err := ep.WritePackets([][]byte{frame}); n != 1 || err != nil {
		t.Fatalf("WritePackets = %d, %v", n, err)
	}
	if got, err := recv(); err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("listener got %q, %v; want %q", got, err, payload)
	}
}

func TestPacket_VethPingAndUDPOut(t *testing.T) {
	requireLab(t)
	labPeerLinux, labPeerStack := [4]byte{10, 213, 4, 1}, [4]byte{10, 213, 4, 2}
	peer, stk := newNetns(t, "p"), newNetns(t, "s")
	run(t, "ip", "link", "add", "p0", "netns", peer, "type", "veth", "peer", "name", "s0", "netns", stk)
	run(t, "ip", "netns", "exec", stk, "sysctl", "-qw", "net.ipv6.conf.s0.disable_ipv6=1")
	// LAB.md: without tx offload off, Linux sends partial checksums.
	if _, err := runErr("ip", "netns", "exec", peer, "ethtool", "-K", "p0", "tx", "off"); err != nil {
		t.Logf("ethtool -K p0 tx off failed (%v): UDP checksums may be partial", err)
	}
	run(t, "ip", "-n", peer, "addr", "add", "10.213.4.1/24", "dev", "p0")
	run(t, "ip", "-n", peer, "link", "set", "p0", "up")
	run(t, "ip", "-n", stk, "link", "set", "s0", "up")

	ep, err := OpenPacketInNetns(stk, "s0", DeviceOptions{MACSeed: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer ep.Close()
	stackMAC := ep.HardwareAddr()
	if stackMAC[0]&3 != 2 || ep.MTU() != 1500 || ep.Kind() != KindEthernet {
		t.Errorf("MAC %x (want locally administered unicast), MTU %d, kind %v", stackMAC, ep.MTU(), ep.Kind())
	}
	var r recorder
	ep.Attach(&r)
	peerMAC := macOf(t, peer, "p0")
	run(t, "ip", "-n", peer, "neigh", "replace", "10.213.4.2", "lladdr", macString(stackMAC), "dev", "p0")
	pingOnce(peer, "10.213.4.2")
	waitFor(t, &r, "ICMP echo request over the veth", func(f []byte) bool {
		return len(f) > 14 && [6]byte(f[0:6]) == stackMAC && [6]byte(f[6:12]) == peerMAC && isEchoRequestTo(f[14:], labPeerStack)
	})

	// One WritePackets call, one sendmmsg(2): three datagrams arrive in
	// order.
	recv := udpListener(t, peer, labPeerLinux, 9997)
	var frames [][]byte
	for i := range 3 {
		payload := []byte("sockstack af_packet says hello #" + string(rune('0'+i)))
		frames = append(frames, ethernet(peerMAC, stackMAC, 0x0800, ipv4UDP(labPeerStack, labPeerLinux, 5555, 9997, payload)))
	}
	if n, err := ep.WritePackets(frames); n != 3 || err != nil {
		t.Fatalf("WritePackets = %d, %v", n, err)
	}
	for i, f := range frames {
		if got, err := recv(); err != nil || !bytes.Equal(got, f[14+28:]) {
			t.Fatalf("datagram %d: listener got %q, %v; want %q", i, got, err, f[14+28:])
		}
	}
	if s := ep.Stats(); s.TxPackets != 3 {
		t.Errorf("stats %v, want tx 3", s)
	}
	if a := testing.AllocsPerRun(50, func() { ep.WritePackets(frames) }); a != 0 {
		t.Errorf("AF_PACKET WritePackets allocates %v per batch, want 0", a)
	}
	frame := frames[0]
	// PACKET_IGNORE_OUTGOING: our own frame must not come back to us.
	time.Sleep(50 * time.Millisecond)
	for _, f := range r.snapshot() {
		if bytes.Equal(f, frame) {
			t.Errorf("own outgoing frame delivered back")
		}
	}
}

func macString(m [6]byte) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 0, 17)
	for i, x := range m {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, hex[x>>4], hex[x&15])
	}
	return string(b)
}

func TestDeviceMAC_SeededLocallyAdministered(t *testing.T) {
	a, b, c := deviceMAC(DeviceOptions{MACSeed: 1}), deviceMAC(DeviceOptions{MACSeed: 1}), deviceMAC(DeviceOptions{MACSeed: 2})
	if a != b || a == c {
		t.Errorf("seeded MACs: %x %x %x", a, b, c)
	}
	if a[0]&1 != 0 || a[0]&2 == 0 {
		t.Errorf("MAC %x not locally administered unicast", a)
	}
	want := [6]byte{2, 0, 0, 0, 0, 9}
	if got := deviceMAC(DeviceOptions{HardwareAddr: want}); got != want {
		t.Errorf("explicit MAC %x, got %x", want, got)
	}
}
