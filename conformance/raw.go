package conformance

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// bICMPFilter is ICMP_FILTER of <linux/icmp.h> (level SOL_RAW), which
// x/sys/unix does not define.
const bICMPFilter = 1

// bProtoExperimental is IP protocol 253, "Use for experimentation and
// testing" (RFC 3692), which no kernel module handles.
const bProtoExperimental = 253

// rawCases checks SOCK_RAW sockets: raw(7) and seed 004.
func rawCases() []Case {
	return []Case{
		{"raw/icmp-echo-reply-with-ip-header", rawICMPEcho},
		{"raw/hdrincl-udp-kernel-fills-header", rawHdrinclUDP},
		{"raw/ipproto-raw-implies-hdrincl-send-only", rawIPProtoRaw},
		{"raw/unknown-protocol-253", rawProto253},
		{"raw/connect-fixes-destination", rawConnect},
		{"raw/so-type-protocol-hdrincl", rawSoType},
		{"raw/icmp-receives-port-unreachable", rawICMPUnreachable},
		{"raw/icmp-filter", rawICMPFilter},
		{"raw/icmpv6-echo-kernel-checksum", rawICMPv6Echo},
		{"raw/bind-nonlocal-eaddrnotavail", rawBindNonlocal},
	}
}

// bEchoID returns a random 16-bit identifier for an echo exchange.
func bEchoID(t T) uint16 {
	v, _ := strconv.ParseUint(bUnique(t)[:4], 16, 16)
	return uint16(v)
}

// bIsEchoReply matches an IPv4 datagram holding an ICMP echo reply from src
// with id, seq and payload.
func bIsEchoReply(b []byte, src netip.Addr, id, seq uint16, payload []byte) bool {
	h, ok := bParseIPv4(b)
	if !ok || h.Proto != unix.IPPROTO_ICMP || h.Src != src || len(h.Payload) < 8 {
		return false
	}
	m := h.Payload
	return m[0] == 0 && m[1] == 0 && binary.BigEndian.Uint16(m[4:]) == id &&
		binary.BigEndian.Uint16(m[6:]) == seq && bytes.Equal(m[8:], payload)
}

// raw(7): "For receiving, the IP header is always included in the packet."
// seed 004: "Raw sockets let us read and write ICMPv4 ... packets. The ping
// program, for example, sends ICMP echo requests and receives ICMP echo
// replies." On loopback the socket first sees its own request; other
// packets are skipped.
func rawICMPEcho(t T, e *Env) {
	e.RequireRaw(t)
	fd := bSock(t, e.API, unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_ICMP)
	id, payload := bEchoID(t), []byte("raw echo "+bUnique(t))
	req := bICMPEcho(id, 1, payload)
	if err := e.API.Sendto(fd, req, 0, sockaddr(e.PeerAddr4, 0)); err != nil {
		t.Fatalf("sendto: %v", err)
	}
	pkt, from := bRecvMatch(t, e.API, fd, func(b []byte) bool {
		return bIsEchoReply(b, e.PeerAddr4, id, 1, payload)
	})
	h, _ := bParseIPv4(pkt)
	if h.IHL != 20 || h.TotalLen != len(pkt) || !h.SumOK || h.Dst != e.Addr4 {
		t.Fatalf("reply header: ihl %d total %d (packet %d) sum ok %v dst %v; want 20, %d, true, %v",
			h.IHL, h.TotalLen, len(pkt), h.SumOK, h.Dst, len(pkt), e.Addr4)
	}
	if bChecksum(h.Payload) != 0 {
		t.Fatalf("ICMP checksum of the reply does not verify")
	}
	if bAddrOf(from) != e.PeerAddr4 {
		t.Fatalf("recvfrom source = %s, want %v", bFmt(from), e.PeerAddr4)
	}
}

// raw(7): "IP header fields modified on sending by IP_HDRINCL: IP Checksum
// Always filled in; Source Address Filled in when zero; Packet ID Filled in
// when zero; Total Length Always filled in." seed 004: IP_HDRINCL "can be
// used, for example, to build UDP and TCP packets".
func rawHdrinclUDP(t T, e *Env) {
	e.RequireRaw(t)
	srv, ssa := bBind(t, e.Peer, unix.SOCK_DGRAM, e.PeerAddr4)
	tap := bSock(t, e.Peer, unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_UDP)
	fd := bSock(t, e.API, unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_UDP)
	if err := e.API.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_HDRINCL, 1); err != nil {
		t.Fatalf("IP_HDRINCL: %v", err)
	}
	sport := 20000 + int(bEchoID(t))%40000
	var ids []uint16
	for i := 0; i < 2; i++ {
		payload := []byte("hdrincl " + bUnique(t))
		pkt := bUDPInIPv4(netip.Addr{}, e.PeerAddr4, sport, portOf(ssa), payload)
		if err := e.API.Sendto(fd, pkt, 0, sockaddr(e.PeerAddr4, 0)); err != nil {
			t.Fatalf("sendto: %v", err)
		}
		buf := make([]byte, 128)
		n, from, err := e.Peer.Recvfrom(srv, buf, 0)
		if err != nil || !bytes.Equal(buf[:n], payload) {
			t.Fatalf("UDP receiver got %q, %v; want %q", buf[:n], err, payload)
		}
		if bAddrOf(from) != e.Addr4 || portOf(from) != sport {
			t.Fatalf("UDP source = %s, want %v:%d (source filled in)", bFmt(from), e.Addr4, sport)
		}
		seen, _ := bRecvMatch(t, e.Peer, tap, func(b []byte) bool {
			h, ok := bParseIPv4(b)
			return ok && h.Proto == unix.IPPROTO_UDP && bytes.HasSuffix(h.Payload, payload)
		})
		h, _ := bParseIPv4(seen)
		if h.TotalLen != len(pkt) || !h.SumOK || h.Src != e.Addr4 {
			t.Fatalf("header as received: total %d sum ok %v src %v; want %d, true, %v",
				h.TotalLen, h.SumOK, h.Src, len(pkt), e.Addr4)
		}
		ids = append(ids, h.ID)
	}
	if ids[0] == 0 && ids[1] == 0 {
		t.Fatalf("IP ID left zero in both datagrams; raw(7) says it is filled in when zero")
	}
}

// raw(7): "A protocol of IPPROTO_RAW implies enabled IP_HDRINCL and is able
// to send any IP protocol that is specified in the passed header. Receiving
// of all IP protocols via IPPROTO_RAW is not possible using raw sockets."
func rawIPProtoRaw(t T, e *Env) {
	e.RequireRaw(t)
	fd := bSock(t, e.API, unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_RAW)
	if v, err := e.API.GetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_HDRINCL); err != nil || v != 1 {
		t.Fatalf("IP_HDRINCL on an IPPROTO_RAW socket = %d, %v; want 1", v, err)
	}
	srv, ssa := bBind(t, e.Peer, unix.SOCK_DGRAM, e.PeerAddr4)
	payload := []byte("ipproto_raw " + bUnique(t))
	pkt := bUDPInIPv4(e.Addr4, e.PeerAddr4, 4242, portOf(ssa), payload)
	if err := e.API.Sendto(fd, pkt, 0, sockaddr(e.PeerAddr4, 0)); err != nil {
		t.Fatalf("sendto: %v", err)
	}
	buf := make([]byte, 128)
	if n, _, err := e.Peer.Recvfrom(srv, buf, 0); err != nil || !bytes.Equal(buf[:n], payload) {
		t.Fatalf("UDP receiver got %q, %v; want %q", buf[:n], err, payload)
	}
	// Traffic of every kind has now passed; the socket received none of it.
	time.Sleep(20 * time.Millisecond)
	_, _, err := e.API.Recvfrom(fd, buf, unix.MSG_DONTWAIT)
	bWantErr(t, "recv on an IPPROTO_RAW socket", err, unix.EAGAIN)
}

// seed 004: "With a raw socket, a process can read and write IPv4 datagrams
// with an IPV4 protocol field that is not processed by the kernel." raw(7):
// "All packets or errors matching the protocol number specified for the raw
// socket are passed to this socket."
func rawProto253(t T, e *Env) {
	e.RequireRaw(t)
	recv := bSock(t, e.Peer, unix.AF_INET, unix.SOCK_RAW, bProtoExperimental)
	send := bSock(t, e.API, unix.AF_INET, unix.SOCK_RAW, bProtoExperimental)
	payload := []byte("protocol 253 " + bUnique(t))
	if err := e.API.Sendto(send, payload, 0, sockaddr(e.PeerAddr4, 0)); err != nil {
		t.Fatalf("sendto: %v", err)
	}
	pkt, _ := bRecvMatch(t, e.Peer, recv, func(b []byte) bool {
		h, ok := bParseIPv4(b)
		return ok && bytes.Equal(h.Payload, payload)
	})
	h, _ := bParseIPv4(pkt)
	if h.Proto != bProtoExperimental || h.Src != e.Addr4 || h.Dst != e.PeerAddr4 || !h.SumOK {
		t.Fatalf("header: proto %d src %v dst %v sum ok %v; want 253, %v, %v, true",
			h.Proto, h.Src, h.Dst, h.SumOK, e.Addr4, e.PeerAddr4)
	}
}

// UNIX Network Programming §28.4 (the book seed 004 is taken from), raw
// socket output: connect on a raw socket "only sets the foreign address
// ... After connect, we can call write or send instead of sendto, since
// the destination IP address is already specified."
func rawConnect(t T, e *Env) {
	e.RequireRaw(t)
	recv := bSock(t, e.Peer, unix.AF_INET, unix.SOCK_RAW, bProtoExperimental)
	send := bSock(t, e.API, unix.AF_INET, unix.SOCK_RAW, bProtoExperimental)
	if err := e.API.Connect(send, sockaddr(e.PeerAddr4, 0)); err != nil {
		t.Fatalf("connect: %v", err)
	}
	// Linux's getpeername wants a peer port, which a raw socket never has:
	// it reports ENOTCONN even after connect.
	_, err := e.API.Getpeername(send)
	bWantErr(t, "getpeername on a connected raw socket", err, unix.ENOTCONN)
	payload := []byte("connected raw " + bUnique(t))
	if _, err := e.API.Write(send, payload); err != nil {
		t.Fatalf("write on a connected raw socket: %v", err)
	}
	pkt, _ := bRecvMatch(t, e.Peer, recv, func(b []byte) bool {
		h, ok := bParseIPv4(b)
		return ok && bytes.Equal(h.Payload, payload)
	})
	if h, _ := bParseIPv4(pkt); h.Dst != e.PeerAddr4 {
		t.Fatalf("datagram went to %v, want %v", h.Dst, e.PeerAddr4)
	}
}

// socket(7) SO_TYPE "Gets the socket type" and SO_PROTOCOL "Retrieves the
// socket protocol"; raw(7): IP_HDRINCL is off unless set (or IPPROTO_RAW).
func rawSoType(t T, e *Env) {
	e.RequireRaw(t)
	for _, proto := range []int{unix.IPPROTO_ICMP, bProtoExperimental} {
		fd := bSock(t, e.API, unix.AF_INET, unix.SOCK_RAW, proto)
		for _, o := range []struct{ level, opt, want int }{
			{unix.SOL_SOCKET, unix.SO_TYPE, unix.SOCK_RAW},
			{unix.SOL_SOCKET, unix.SO_PROTOCOL, proto},
			{unix.SOL_SOCKET, unix.SO_DOMAIN, unix.AF_INET},
			{unix.IPPROTO_IP, unix.IP_HDRINCL, 0},
		} {
			if v, err := e.API.GetsockoptInt(fd, o.level, o.opt); err != nil || v != o.want {
				t.Fatalf("proto %d: getsockopt(%d, %d) = %d, %v; want %d", proto, o.level, o.opt, v, err, o.want)
			}
		}
		if err := e.API.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_HDRINCL, 1); err != nil {
			t.Fatalf("set IP_HDRINCL: %v", err)
		}
		if v, err := e.API.GetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_HDRINCL); err != nil || v != 1 {
			t.Fatalf("IP_HDRINCL after set = %d, %v; want 1", v, err)
		}
	}
}

// raw(7): "All packets or errors matching the protocol number specified for
// the raw socket are passed to this socket" — an ICMP raw socket sees the
// port unreachable (RFC 792 type 3 code 3) that a UDP datagram to a closed
// port provokes, quoting the offending IP header and 8 bytes of UDP.
func rawICMPUnreachable(t T, e *Env) {
	e.RequireRaw(t)
	fd := bSock(t, e.API, unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_ICMP)
	port := bClosedPort(t, e.Peer, unix.SOCK_DGRAM, e.PeerAddr4)
	udp, usa := bBind(t, e.API, unix.SOCK_DGRAM, e.Addr4)
	if err := e.API.Sendto(udp, []byte("closed?"), 0, sockaddr(e.PeerAddr4, port)); err != nil {
		t.Fatalf("sendto: %v", err)
	}
	bRecvMatch(t, e.API, fd, func(b []byte) bool {
		h, ok := bParseIPv4(b)
		if !ok || h.Proto != unix.IPPROTO_ICMP || h.Src != e.PeerAddr4 || len(h.Payload) < 8+28 {
			return false
		}
		m := h.Payload
		inner, ok := bParseIPv4(m[8:])
		return ok && m[0] == 3 && m[1] == 3 && inner.Proto == unix.IPPROTO_UDP &&
			len(inner.Payload) >= 8 &&
			int(binary.BigEndian.Uint16(inner.Payload[0:])) == portOf(usa) &&
			int(binary.BigEndian.Uint16(inner.Payload[2:])) == port
	})
}

// raw(7) ICMP_FILTER: "Enable a special filter for raw sockets bound to the
// IPPROTO_ICMP protocol. The value has a bit set for each ICMP message type
// which should be filtered out. The default is to filter no ICMP messages."
func rawICMPFilter(t T, e *Env) {
	e.RequireRaw(t)
	fd := bSock(t, e.API, unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_ICMP)
	if v, err := e.API.GetsockoptInt(fd, unix.SOL_RAW, bICMPFilter); err != nil || v != 0 {
		t.Fatalf("default ICMP_FILTER = %#x, %v; want 0", v, err)
	}
	if err := e.API.SetsockoptInt(fd, unix.SOL_RAW, bICMPFilter, 1<<0); err != nil {
		t.Fatalf("set ICMP_FILTER: %v", err)
	}
	if v, err := e.API.GetsockoptInt(fd, unix.SOL_RAW, bICMPFilter); err != nil || v != 1 {
		t.Fatalf("ICMP_FILTER = %#x, %v; want 1 (echo reply)", v, err)
	}
	id, payload := bEchoID(t), []byte("filtered "+bUnique(t))
	if err := e.API.Sendto(fd, bICMPEcho(id, 1, payload), 0, sockaddr(e.PeerAddr4, 0)); err != nil {
		t.Fatalf("sendto: %v", err)
	}
	// The reply must not arrive; anything else (our own request on
	// loopback, other cases' ICMP) may.
	buf := make([]byte, 2048)
	for deadline := time.Now().Add(300 * time.Millisecond); time.Now().Before(deadline); {
		if _, re := bPollOne(t, e.API, fd, unix.POLLIN, 50); re&unix.POLLIN == 0 {
			continue
		}
		n, _, err := e.API.Recvfrom(fd, buf, unix.MSG_DONTWAIT)
		if err == nil && bIsEchoReply(buf[:n], e.PeerAddr4, id, 1, payload) {
			t.Fatalf("an echo reply passed ICMP_FILTER with its bit set")
		}
	}
	if err := e.API.SetsockoptInt(fd, unix.SOL_RAW, bICMPFilter, 0); err != nil {
		t.Fatalf("clear ICMP_FILTER: %v", err)
	}
	if err := e.API.Sendto(fd, bICMPEcho(id, 2, payload), 0, sockaddr(e.PeerAddr4, 0)); err != nil {
		t.Fatalf("sendto: %v", err)
	}
	bRecvMatch(t, e.API, fd, func(b []byte) bool { return bIsEchoReply(b, e.PeerAddr4, id, 2, payload) })
}

// seed 004: raw sockets "let us read and write ... ICMPv6 packets". Unlike
// IPv4, an IPv6 raw socket never sees the IPv6 header, and RFC 3542 §3.1:
// "The kernel will calculate and insert the ICMPv6 checksum for ICMPv6 raw
// sockets" — the request is sent with a zero checksum.
func rawICMPv6Echo(t T, e *Env) {
	e.RequireRaw(t)
	fd := bSock(t, e.API, unix.AF_INET6, unix.SOCK_RAW, unix.IPPROTO_ICMPV6)
	id, payload := bEchoID(t), []byte("v6 echo "+bUnique(t))
	req := bICMPEcho(id, 7, payload)
	req[0], req[2], req[3] = 128, 0, 0 // RFC 4443 §4.1: Echo Request, type 128
	if err := e.API.Sendto(fd, req, 0, sockaddr(e.PeerAddr6, 0)); err != nil {
		t.Fatalf("sendto: %v", err)
	}
	_, from := bRecvMatch(t, e.API, fd, func(m []byte) bool {
		// RFC 4443 §4.2: Echo Reply, type 129, same identifier and sequence.
		return len(m) >= 8 && m[0] == 129 && binary.BigEndian.Uint16(m[4:]) == id &&
			binary.BigEndian.Uint16(m[6:]) == 7 && bytes.Equal(m[8:], payload)
	})
	if a, ok := from.(*unix.SockaddrInet6); !ok || netip.AddrFrom16(a.Addr) != e.PeerAddr6 {
		t.Fatalf("reply source = %s, want %v", bFmt(from), e.PeerAddr6)
	}
}

// ip(7) errors: "EADDRNOTAVAIL A nonexistent interface was requested or the
// requested source address was not local." 192.0.2.1 (TEST-NET-1, RFC 5737)
// is no host's address.
func rawBindNonlocal(t T, e *Env) {
	e.RequireRaw(t)
	fd := bSock(t, e.API, unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_ICMP)
	err := e.API.Bind(fd, sockaddr(netip.MustParseAddr("192.0.2.1"), 0))
	bWantErr(t, "bind a raw socket to a non-local address", err, unix.EADDRNOTAVAIL)
	if err := e.API.Bind(fd, sockaddr(e.Addr4, 0)); err != nil {
		t.Fatalf("bind to %v: %v", e.Addr4, err)
	}
	if sa, err := e.API.Getsockname(fd); err != nil || bAddrOf(sa) != e.Addr4 {
		t.Fatalf("getsockname = %s, %v; want %v", bFmt(sa), err, e.Addr4)
	}
}
