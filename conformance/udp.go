package conformance

import (
	"net/netip"

	"golang.org/x/sys/unix"

	"sockstack/sock"
)

func udpCases() []Case {
	return []Case{
		{Name: "udp/sendto-recvfrom-source", Run: udpSendtoRecvfrom},
		{Name: "udp/connected-send-recv", Run: udpConnectedSendRecv},
		{Name: "udp/connected-filters-sources", Run: udpConnectedFilters},
		{Name: "udp/reconnect-changes-peer", Run: udpReconnect},
		{Name: "udp/connected-econnrefused", Run: udpConnectedRefused},
		{Name: "udp/unconnected-no-icmp-error", Run: udpUnconnectedNoError},
		{Name: "udp/msg-peek", Run: udpMsgPeek},
		{Name: "udp/msg-trunc-recvfrom", Run: udpMsgTruncRecvfrom},
		{Name: "udp/msg-trunc-recvflag", Run: udpMsgTruncRecvflag},
		{Name: "udp/datagram-boundaries", Run: udpBoundaries},
		{Name: "udp/zero-length-datagram", Run: udpZeroLength},
		{Name: "udp/ephemeral-port-on-sendto", Run: udpEphemeralOnSendto},
		{Name: "udp/broadcast-needs-so-broadcast", Run: udpBroadcastEACCES},
		{Name: "udp/fionread-next-datagram", Run: udpFIONREAD},
		{Name: "udp/recv-dontwait-eagain", Run: udpDontwait},
		{Name: "udp/max-datagram-emsgsize", Run: udpMaxDatagram},
	}
}

// recvDatagram receives one datagram of at most size bytes within the I/O
// bound (the socket has SO_RCVTIMEO set) and returns it with its source.
func recvDatagram(t T, api sock.API, fd, size int) ([]byte, unix.Sockaddr) {
	t.Helper()
	buf := make([]byte, size)
	n, from, err := api.Recvfrom(fd, buf, 0)
	if err != nil {
		t.Fatalf("recvfrom: %v", err)
	}
	return buf[:n], from
}

// sendDatagram sends p to to, or fails the case.
func sendDatagram(t T, api sock.API, fd int, p []byte, to unix.Sockaddr) {
	t.Helper()
	if err := api.Sendto(fd, p, 0, to); err != nil {
		t.Fatalf("sendto(%v): %v", inetAddrPort(to), err)
	}
}

// seed 003: "sendto(2) is for both connection oriented and connectionless;
// dest_addr need to be specified in connectionless mode"; recvfrom(2):
// "src_addr ... is filled in with the source address".
func udpSendtoRecvfrom(t T, e *Env) {
	cfd, csa := udpBoundOn(t, e.API, e.Addr4)
	sfd, ssa := udpBoundOn(t, e.Peer, e.PeerAddr4)
	sendDatagram(t, e.API, cfd, []byte("question"), ssa)
	got, from := recvDatagram(t, e.Peer, sfd, 64)
	expectBytes(t, "server got", got, []byte("question"))
	if !sameInet(from, csa) {
		t.Errorf("server's source = %v, want client %v", inetAddrPort(from), inetAddrPort(csa))
	}
	sendDatagram(t, e.Peer, sfd, []byte("answer"), from)
	got, from = recvDatagram(t, e.API, cfd, 64)
	expectBytes(t, "client got", got, []byte("answer"))
	if !sameInet(from, ssa) {
		t.Errorf("client's source = %v, want server %v", inetAddrPort(from), inetAddrPort(ssa))
	}
}

// connect(2): "If the socket sockfd is of type SOCK_DGRAM, then addr is the
// address to which datagrams are sent by default, and the only address from
// which datagrams are received."
func udpConnectedSendRecv(t T, e *Env) {
	cfd, csa := udpBoundOn(t, e.API, e.Addr4)
	sfd, ssa := udpBoundOn(t, e.Peer, e.PeerAddr4)
	if err := e.API.Connect(cfd, ssa); err != nil {
		t.Fatalf("connect: %v", err)
	}
	if !sameInet(mustName(t, e.API.Getpeername, cfd), ssa) {
		t.Error("getpeername does not name the connected peer")
	}
	if _, err := e.API.Write(cfd, []byte("by default")); err != nil {
		t.Fatalf("write on connected UDP: %v", err)
	}
	got, from := recvDatagram(t, e.Peer, sfd, 64)
	expectBytes(t, "server got", got, []byte("by default"))
	if !sameInet(from, csa) {
		t.Errorf("source %v, want %v", inetAddrPort(from), inetAddrPort(csa))
	}
	sendDatagram(t, e.Peer, sfd, []byte("reply"), csa)
	expectBytes(t, "client read", readDatagram(t, e.API, cfd), []byte("reply"))
}

// readDatagram reads one datagram with read(2) within the I/O bound.
func readDatagram(t T, api sock.API, fd int) []byte {
	t.Helper()
	buf := make([]byte, 2048)
	n, err := api.Read(fd, buf)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return buf[:n]
}

// connect(2): for SOCK_DGRAM the peer is "the only address from which
// datagrams are received": a datagram from another source is not delivered.
func udpConnectedFilters(t T, e *Env) {
	cfd, csa := udpBoundOn(t, e.API, e.Addr4)
	afd, asa := udpBoundOn(t, e.Peer, e.PeerAddr4)
	bfd, _ := udpBoundOn(t, e.Peer, e.PeerAddr4)
	if err := e.API.Connect(cfd, asa); err != nil {
		t.Fatalf("connect: %v", err)
	}
	sendDatagram(t, e.Peer, bfd, []byte("from a stranger"), csa)
	sendDatagram(t, e.Peer, afd, []byte("from the peer"), csa)
	got, from := recvDatagram(t, e.API, cfd, 64)
	expectBytes(t, "first datagram delivered", got, []byte("from the peer"))
	if !sameInet(from, asa) {
		t.Errorf("source %v, want the connected peer %v", inetAddrPort(from), inetAddrPort(asa))
	}
	_, _, err := e.API.Recvfrom(cfd, make([]byte, 64), unix.MSG_DONTWAIT)
	wantErrno(t, "nothing else queued", err, unix.EAGAIN)
}

// connect(2): "Some protocol sockets (e.g., datagram sockets in the UNIX and
// Internet domains) may use connect() multiple times to change their
// association."
func udpReconnect(t T, e *Env) {
	cfd, csa := udpBoundOn(t, e.API, e.Addr4)
	afd, asa := udpBoundOn(t, e.Peer, e.PeerAddr4)
	bfd, bsa := udpBoundOn(t, e.Peer, e.PeerAddr4)
	if err := e.API.Connect(cfd, asa); err != nil {
		t.Fatalf("connect to a: %v", err)
	}
	if err := e.API.Connect(cfd, bsa); err != nil {
		t.Fatalf("connect to b: %v", err)
	}
	writeAll(t, e.API, cfd, []byte("to b"))
	got, _ := recvDatagram(t, e.Peer, bfd, 64)
	expectBytes(t, "b got", got, []byte("to b"))
	sendDatagram(t, e.Peer, afd, []byte("from old peer"), csa)
	sendDatagram(t, e.Peer, bfd, []byte("from new peer"), csa)
	expectBytes(t, "client read", readDatagram(t, e.API, cfd), []byte("from new peer"))
}

// udp(7) ERRORS: "ECONNREFUSED No receiver was associated with the
// destination address. This might be caused by a previous packet sent over
// the socket." — reported on a connected socket after the ICMP port
// unreachable (RFC 1122 §4.1.3.3: UDP passes ICMP errors to the application).
func udpConnectedRefused(t T, e *Env) {
	cfd, _ := udpBoundOn(t, e.API, e.Addr4)
	to := closedPort(t, e.Peer, unix.SOCK_DGRAM, e.PeerAddr4)
	if err := e.API.Connect(cfd, to); err != nil {
		t.Fatalf("connect: %v", err)
	}
	if _, err := e.API.Write(cfd, []byte("anyone?")); err != nil {
		t.Fatalf("first send: %v", err)
	}
	_, _, err := e.API.Recvfrom(cfd, make([]byte, 64), 0)
	wantErrno(t, "recv after the port unreachable", err, unix.ECONNREFUSED)
	// socket(7) SO_ERROR: the error was reported once and cleared.
	if v := intOpt(t, e.API, cfd, unix.SOL_SOCKET, unix.SO_ERROR); v != 0 {
		t.Errorf("SO_ERROR after the error was reported = %v, want 0", unix.Errno(v))
	}
}

// Linux rule (udp_err; the oracle, observed): without IP_RECVERR an ICMP
// port unreachable is reported only on a connected UDP socket (udp(7)'s "even
// when the socket is not connected" is not what Linux does): an unconnected
// socket that sent to a closed port goes on receiving normally.
func udpUnconnectedNoError(t T, e *Env) {
	cfd, csa := udpBoundOn(t, e.API, e.Addr4)
	sfd, _ := udpBoundOn(t, e.Peer, e.PeerAddr4)
	to := closedPort(t, e.Peer, unix.SOCK_DGRAM, e.PeerAddr4)
	sendDatagram(t, e.API, cfd, []byte("anyone?"), to)
	sendDatagram(t, e.Peer, sfd, []byte("hello"), csa)
	got, _ := recvDatagram(t, e.API, cfd, 64)
	expectBytes(t, "datagram after the unreachable", got, []byte("hello"))
	if v := intOpt(t, e.API, cfd, unix.SOL_SOCKET, unix.SO_ERROR); v != 0 {
		t.Errorf("SO_ERROR on an unconnected socket = %v, want 0", unix.Errno(v))
	}
}

// seed 003 recv flags: "MSG_PEEK Return packet contents without consuming
// packet" — the next recv returns the same datagram and source.
func udpMsgPeek(t T, e *Env) {
	cfd, csa := udpBoundOn(t, e.API, e.Addr4)
	sfd, ssa := udpBoundOn(t, e.Peer, e.PeerAddr4)
	sendDatagram(t, e.Peer, sfd, []byte("look first"), csa)
	buf := make([]byte, 64)
	n, from, err := e.API.Recvfrom(cfd, buf, unix.MSG_PEEK)
	if err != nil {
		t.Fatalf("recv(MSG_PEEK): %v", err)
	}
	expectBytes(t, "peeked", buf[:n], []byte("look first"))
	if !sameInet(from, ssa) {
		t.Errorf("peek source %v, want %v", inetAddrPort(from), inetAddrPort(ssa))
	}
	got, from := recvDatagram(t, e.API, cfd, 64)
	expectBytes(t, "received after peek", got, []byte("look first"))
	if !sameInet(from, ssa) {
		t.Errorf("source %v, want %v", inetAddrPort(from), inetAddrPort(ssa))
	}
}

// udpPair returns a client on e.API and a server on e.Peer with the
// client's and server's addresses.
func udpPair(t T, e *Env) (cfd int, csa unix.Sockaddr, sfd int, ssa unix.Sockaddr) {
	t.Helper()
	cfd, csa = udpBoundOn(t, e.API, e.Addr4)
	sfd, ssa = udpBoundOn(t, e.Peer, e.PeerAddr4)
	return cfd, csa, sfd, ssa
}

// recv(2) MSG_TRUNC: "For raw (AF_PACKET), Internet datagram (since Linux
// 2.4.27/2.6.8) ... return the real length of the packet or datagram, even
// when it was longer than the passed buffer." The rest is discarded.
func udpMsgTruncRecvfrom(t T, e *Env) {
	cfd, csa, sfd, _ := udpPair(t, e)
	sendDatagram(t, e.Peer, sfd, []byte("0123456789"), csa)
	buf := make([]byte, 4)
	n, _, err := e.API.Recvfrom(cfd, buf, unix.MSG_TRUNC)
	if err != nil || n != 10 {
		t.Fatalf("recv(MSG_TRUNC) = %d, %v; want the real length 10", n, err)
	}
	expectBytes(t, "truncated data", buf, []byte("0123"))
	_, _, err = e.API.Recvfrom(cfd, buf, unix.MSG_DONTWAIT)
	wantErrno(t, "rest of a truncated datagram", err, unix.EAGAIN)
}

// recvmsg(2) msg_flags: "MSG_TRUNC indicates that the trailing portion of a
// datagram was discarded because the datagram was larger than the buffer".
func udpMsgTruncRecvflag(t T, e *Env) {
	cfd, csa, sfd, _ := udpPair(t, e)
	sendDatagram(t, e.Peer, sfd, []byte("0123456789"), csa)
	sendDatagram(t, e.Peer, sfd, []byte("fits"), csa)
	buf := make([]byte, 6)
	n, _, flags, _, err := e.API.Recvmsg(cfd, buf, nil, 0)
	if err != nil || n != 6 || flags&unix.MSG_TRUNC == 0 {
		t.Errorf("recvmsg of 10 into 6 = n %d, flags %#x, %v; want 6 with MSG_TRUNC", n, flags, err)
	}
	n, _, flags, _, err = e.API.Recvmsg(cfd, buf, nil, 0)
	if err != nil || n != 4 || flags&unix.MSG_TRUNC != 0 {
		t.Errorf("recvmsg of 4 into 6 = n %d, flags %#x, %v; want 4 without MSG_TRUNC", n, flags, err)
	}
	expectBytes(t, "second datagram", buf[:max(n, 0)], []byte("fits"))
}

// socket(2): "SOCK_DGRAM Supports datagrams (connectionless, unreliable
// messages of a fixed maximum length)": each recv returns exactly one
// datagram as sent.
func udpBoundaries(t T, e *Env) {
	cfd, csa, sfd, _ := udpPair(t, e)
	sizes := []int{1, 100, 1000, 7}
	for i, n := range sizes {
		sendDatagram(t, e.Peer, sfd, pattern(n, byte(i)), csa)
	}
	for i, n := range sizes {
		got, _ := recvDatagram(t, e.API, cfd, 2048)
		expectBytes(t, "datagram", got, pattern(n, byte(i)))
	}
}

// recv(2): "Datagram sockets in various domains (e.g., the UNIX and Internet
// domains) permit zero-length datagrams. When such a datagram is received,
// the return value is 0." Datagrams after it are still delivered.
func udpZeroLength(t T, e *Env) {
	cfd, csa, sfd, ssa := udpPair(t, e)
	sendDatagram(t, e.Peer, sfd, nil, csa)
	sendDatagram(t, e.Peer, sfd, []byte("after"), csa)
	got, from := recvDatagram(t, e.API, cfd, 64)
	if len(got) != 0 || !sameInet(from, ssa) {
		t.Errorf("empty datagram: got %d bytes from %v, want 0 from %v", len(got), inetAddrPort(from), inetAddrPort(ssa))
	}
	got, _ = recvDatagram(t, e.API, cfd, 64)
	expectBytes(t, "next datagram", got, []byte("after"))
}

// udp(7): "In order to receive packets, the socket can be bound to a local
// address first by using bind(2). Otherwise, the socket layer will
// automatically assign a free local port" — on the first sendto; getsockname
// then shows that port, and the receiver sees it as the source.
func udpEphemeralOnSendto(t T, e *Env) {
	cfd := open(t, e.API, inetDomain(e.Addr4), unix.SOCK_DGRAM, 0)
	sfd, ssa := udpBoundOn(t, e.Peer, e.PeerAddr4)
	if p := portOf(mustName(t, e.API.Getsockname, cfd)); p != 0 {
		t.Errorf("port before sendto = %d, want 0", p)
	}
	sendDatagram(t, e.API, cfd, []byte("hi"), ssa)
	local := mustName(t, e.API.Getsockname, cfd)
	if portOf(local) == 0 {
		t.Fatal("no ephemeral port after sendto")
	}
	_, from := recvDatagram(t, e.Peer, sfd, 16)
	if portOf(from) != portOf(local) {
		t.Errorf("receiver saw port %d, sender's getsockname %d", portOf(from), portOf(local))
	}
}

// socket(7) SO_BROADCAST: "When enabled, datagram sockets are allowed to
// send packets to a broadcast address"; ip(7) ERRORS: "EACCES The user tried
// to execute an operation without the necessary permissions. These include:
// sending a packet to a broadcast address without having the SO_BROADCAST
// flag set". Only the refusal is asserted: nothing is broadcast.
func udpBroadcastEACCES(t T, e *Env) {
	cfd, _ := udpBoundOn(t, e.API, e.Addr4)
	to := sockaddr(netip.AddrFrom4([4]byte{255, 255, 255, 255}), 9)
	wantErrno(t, "sendto(255.255.255.255) without SO_BROADCAST", e.API.Sendto(cfd, []byte("x"), 0, to), unix.EACCES)
}

// udp(7) ioctls: "FIONREAD (SIOCINQ) Gets a pointer to an integer as
// argument. Returns the size of the next pending datagram in the integer in
// bytes, or 0 when no datagram is pending."
func udpFIONREAD(t T, e *Env) {
	cfd, csa, sfd, _ := udpPair(t, e)
	if n, err := e.API.IoctlGetInt(cfd, fionread); err != nil || n != 0 {
		t.Errorf("FIONREAD with nothing pending = %d, %v; want 0", n, err)
	}
	sendDatagram(t, e.Peer, sfd, pattern(10, 1), csa)
	sendDatagram(t, e.Peer, sfd, pattern(30, 2), csa)
	var n int
	if !waitUntil(func() bool { n, _ = e.API.IoctlGetInt(cfd, fionread); return n != 0 }) {
		t.Fatal("FIONREAD stayed 0")
	}
	if n != 10 {
		t.Errorf("FIONREAD with 10 then 30 queued = %d, want 10 (the next datagram)", n)
	}
	recvDatagram(t, e.API, cfd, 64)
	if !waitUntil(func() bool { n, _ = e.API.IoctlGetInt(cfd, fionread); return n != 0 }) || n != 30 {
		t.Errorf("FIONREAD after the first = %d, want 30", n)
	}
}

// seed 003: "MSG_DONTWAIT Enable non-blocking operation"; socket(7): would
// block → EAGAIN.
func udpDontwait(t T, e *Env) {
	cfd, _ := udpBoundOn(t, e.API, e.Addr4)
	_, _, err := e.API.Recvfrom(cfd, make([]byte, 8), unix.MSG_DONTWAIT)
	wantErrno(t, "recvfrom(MSG_DONTWAIT) with nothing queued", err, unix.EAGAIN)
	if err := e.API.SetNonblock(cfd, true); err != nil {
		t.Fatalf("SetNonblock: %v", err)
	}
	_, err = e.API.Read(cfd, make([]byte, 8))
	wantErrno(t, "read on O_NONBLOCK with nothing queued", err, unix.EAGAIN)
}

// ip(7) ERRORS: "EMSGSIZE Datagram is bigger than an MTU on the path and it
// cannot be fragmented" — here bigger than any IPv4 datagram (RFC 791 §3.1:
// Total Length is 16 bits, so at most 65535 - 20 - 8 = 65507 bytes of UDP
// payload); the largest one is delivered whole.
func udpMaxDatagram(t T, e *Env) {
	cfd, _, sfd, ssa := udpPair(t, e)
	err := e.API.Sendto(cfd, make([]byte, 65508), 0, ssa)
	wantErrno(t, "sendto of 65508 bytes over IPv4", err, unix.EMSGSIZE)
	big := pattern(65507, 3)
	if err := e.API.Sendto(cfd, big, 0, ssa); err != nil {
		t.Fatalf("sendto of 65507 bytes: %v", err)
	}
	got, _ := recvDatagram(t, e.Peer, sfd, 70000)
	expectBytes(t, "65507-byte datagram", got, big)
}
