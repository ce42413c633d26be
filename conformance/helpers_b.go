package conformance

// Helpers of the poll, ipv6, unix, raw and timeout groups. Every name here
// starts with "b" so that it cannot clash with the other groups' helpers.

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net/netip"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/sock"
)

// bWait bounds every blocking step of these groups: a provider that never
// delivers fails the case after bWait instead of hanging the suite.
const bWait = 2 * time.Second

// bWaitMs is bWait in milliseconds, for poll(2).
const bWaitMs = int(bWait / time.Millisecond)

// bSock opens a socket with SO_RCVTIMEO and SO_SNDTIMEO of bWait, so that
// blocking reads, writes, accepts and connects end with EAGAIN rather than
// hang. socket(7) SO_RCVTIMEO: "If an input or output function blocks for
// this period of time ... -1 [is returned] with errno set to EAGAIN".
func bSock(t T, api sock.API, domain, typ, proto int) int {
	t.Helper()
	fd, _ := bSockC(t, api, domain, typ, proto)
	return fd
}

// bSockC is bSock that also returns a function closing the socket early;
// the case's cleanup then does not close the (possibly reused) number again.
func bSockC(t T, api sock.API, domain, typ, proto int) (int, func()) {
	t.Helper()
	fd, err := api.Socket(domain, typ, proto)
	if err != nil {
		t.Fatalf("socket(%d, %#x, %d): %v", domain, typ, proto, err)
	}
	closeFn := bOnce(t, api, fd)
	bBound(t, api, fd)
	return fd, closeFn
}

// bOnce returns a function that closes fd at most once and registers it as
// a cleanup of the case.
func bOnce(t T, api sock.API, fd int) func() {
	var once sync.Once
	f := func() { once.Do(func() { api.Close(fd) }) }
	t.Cleanup(f)
	return f
}

// bBound sets SO_RCVTIMEO and SO_SNDTIMEO of bWait on fd.
func bBound(t T, api sock.API, fd int) {
	t.Helper()
	bSetTimeo(t, api, fd, unix.SO_RCVTIMEO, bWait)
	bSetTimeo(t, api, fd, unix.SO_SNDTIMEO, bWait)
}

// bSetTimeo sets SO_RCVTIMEO or SO_SNDTIMEO to d.
func bSetTimeo(t T, api sock.API, fd, opt int, d time.Duration) {
	t.Helper()
	tv := unix.NsecToTimeval(d.Nanoseconds())
	if err := api.SetsockoptTimeval(fd, unix.SOL_SOCKET, opt, &tv); err != nil {
		t.Fatalf("setsockopt(SOL_SOCKET, %d, %v): %v", opt, d, err)
	}
}

// bGetTimeo reads SO_RCVTIMEO or SO_SNDTIMEO.
func bGetTimeo(t T, api sock.API, fd, opt int) time.Duration {
	t.Helper()
	tv, err := api.GetsockoptTimeval(fd, unix.SOL_SOCKET, opt)
	if err != nil {
		t.Fatalf("getsockopt(SOL_SOCKET, %d): %v", opt, err)
	}
	return time.Duration(tv.Nano())
}

// bDomain returns AF_INET or AF_INET6 for addr.
func bDomain(addr netip.Addr) int {
	if addr.Is4() {
		return unix.AF_INET
	}
	return unix.AF_INET6
}

// bBind opens a bounded socket of type typ on api, binds it to addr with an
// ephemeral port and returns it with its bound address.
func bBind(t T, api sock.API, typ int, addr netip.Addr) (int, unix.Sockaddr) {
	t.Helper()
	fd := bSock(t, api, bDomain(addr), typ, 0)
	if err := api.Bind(fd, sockaddr(addr, 0)); err != nil {
		t.Fatalf("bind(%v, 0): %v", addr, err)
	}
	sa, err := api.Getsockname(fd)
	if err != nil {
		t.Fatalf("getsockname: %v", err)
	}
	return fd, sa
}

// bListen opens a TCP listener on api at addr with an ephemeral port.
func bListen(t T, api sock.API, addr netip.Addr) (int, unix.Sockaddr) {
	t.Helper()
	fd, sa := bBind(t, api, unix.SOCK_STREAM, addr)
	if err := api.Listen(fd, 16); err != nil {
		t.Fatalf("listen: %v", err)
	}
	return fd, sa
}

// bDial opens a bounded TCP socket on api and connects it to to. A
// blocking connect honours SO_SNDTIMEO on Linux, so it cannot hang.
func bDial(t T, api sock.API, to unix.Sockaddr) int {
	t.Helper()
	domain := unix.AF_INET
	if _, ok := to.(*unix.SockaddrInet6); ok {
		domain = unix.AF_INET6
	}
	fd := bSock(t, api, domain, unix.SOCK_STREAM, 0)
	if err := api.Connect(fd, to); err != nil {
		t.Fatalf("connect(%v): %v", bFmt(to), err)
	}
	return fd
}

// bAccept waits (bounded) for a pending connection on lfd and accepts it.
func bAccept(t T, api sock.API, lfd int) (int, unix.Sockaddr) {
	t.Helper()
	fd, sa, _ := bAcceptC(t, api, lfd)
	return fd, sa
}

// bAcceptC is bAccept that also returns a function closing the new socket.
func bAcceptC(t T, api sock.API, lfd int) (int, unix.Sockaddr, func()) {
	t.Helper()
	if re := bAwait(t, api, lfd, unix.POLLIN, unix.POLLIN); re&unix.POLLIN == 0 {
		t.Fatalf("no connection to accept within %v", bWait)
	}
	fd, sa, err := api.Accept4(lfd, 0)
	if err != nil {
		t.Fatalf("accept4: %v", err)
	}
	closeFn := bOnce(t, api, fd)
	bBound(t, api, fd)
	return fd, sa, closeFn
}

// bTCPPair is a connected TCP pair: Client on e.API, Server (the accepted
// end) on e.Peer.
type bTCPPair struct {
	Client, Server int
	// CloseServer closes Server early (once).
	CloseServer func()
}

// bConnectTCP connects a client on e.API to a listener on e.Peer at addr
// (e.PeerAddr4 or e.PeerAddr6).
func bConnectTCP(t T, e *Env, addr netip.Addr) bTCPPair {
	t.Helper()
	lfd, lsa := bListen(t, e.Peer, addr)
	c := bDial(t, e.API, lsa)
	s, _, closeS := bAcceptC(t, e.Peer, lfd)
	return bTCPPair{Client: c, Server: s, CloseServer: closeS}
}

// bPollOne polls one descriptor for events with timeout ms and returns n
// and revents.
func bPollOne(t T, api sock.API, fd int, events int16, timeout int) (int, int16) {
	t.Helper()
	pfd := []unix.PollFd{{Fd: int32(fd), Events: events}}
	n, err := api.Poll(pfd, timeout)
	if err != nil {
		t.Fatalf("poll(fd %d, %#x, %d ms): %v", fd, events, timeout, err)
	}
	return n, pfd[0].Revents
}

// bAwait polls fd for events until revents holds every bit of want or bWait
// passes, and returns the last revents seen (a caller checks the bits).
func bAwait(t T, api sock.API, fd int, events, want int16) int16 {
	t.Helper()
	deadline := time.Now().Add(bWait)
	for {
		left := int(time.Until(deadline) / time.Millisecond)
		if left < 0 {
			left = 0
		}
		_, re := bPollOne(t, api, fd, events, left)
		if re&want == want || left == 0 {
			return re
		}
		// Some bits arrived but not all of want: give the rest a moment.
		if re != 0 {
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// bWantErr fails the case unless err is the errno want.
func bWantErr(t T, what string, err error, want unix.Errno) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v (%d)", what, err, want, int(want))
	}
}

// bWriteAll writes p to fd, failing the case on a short or failed write.
func bWriteAll(t T, api sock.API, fd int, p []byte) {
	t.Helper()
	for len(p) > 0 {
		n, err := api.Write(fd, p)
		if err != nil {
			t.Fatalf("write: %v", err)
		}
		p = p[n:]
	}
}

// bReadN reads exactly n bytes from a stream socket (bounded by the
// socket's SO_RCVTIMEO) and returns them.
func bReadN(t T, api sock.API, fd, n int) []byte {
	t.Helper()
	buf := make([]byte, n)
	got := 0
	for got < n {
		m, err := api.Read(fd, buf[got:])
		if err != nil {
			t.Fatalf("read after %d of %d bytes: %v", got, n, err)
		}
		if m == 0 {
			t.Fatalf("EOF after %d of %d bytes", got, n)
		}
		got += m
	}
	return buf
}

// bRecvMatch receives datagrams on fd until match accepts one or bWait
// passes; it returns the matching datagram and its source. Raw sockets see
// every packet of their protocol, including other cases' traffic.
func bRecvMatch(t T, api sock.API, fd int, match func([]byte) bool) ([]byte, unix.Sockaddr) {
	t.Helper()
	buf := make([]byte, 65536)
	deadline := time.Now().Add(bWait)
	for time.Now().Before(deadline) {
		left := int(time.Until(deadline)/time.Millisecond) + 1
		if _, re := bPollOne(t, api, fd, unix.POLLIN, left); re&unix.POLLIN == 0 {
			break
		}
		n, from, err := api.Recvfrom(fd, buf, unix.MSG_DONTWAIT)
		if errors.Is(err, unix.EAGAIN) {
			continue
		}
		if err != nil {
			t.Fatalf("recvfrom: %v", err)
		}
		if match(buf[:n]) {
			return append([]byte(nil), buf[:n]...), from
		}
	}
	t.Fatalf("no matching packet within %v", bWait)
	return nil, nil
}

// bClosedPort returns a port of typ on addr that nothing listens on: it
// binds an ephemeral port and closes the socket again.
func bClosedPort(t T, api sock.API, typ int, addr netip.Addr) int {
	t.Helper()
	fd, err := api.Socket(bDomain(addr), typ, 0)
	if err != nil {
		t.Fatalf("socket: %v", err)
	}
	defer api.Close(fd)
	if err := api.Bind(fd, sockaddr(addr, 0)); err != nil {
		t.Fatalf("bind: %v", err)
	}
	sa, err := api.Getsockname(fd)
	if err != nil {
		t.Fatalf("getsockname: %v", err)
	}
	return portOf(sa)
}

// bAddrOf returns the IP address of an AF_INET or AF_INET6 sockaddr.
func bAddrOf(sa unix.Sockaddr) netip.Addr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrFrom4(a.Addr)
	case *unix.SockaddrInet6:
		return netip.AddrFrom16(a.Addr)
	}
	return netip.Addr{}
}

// bFmt formats a sockaddr for failure messages.
func bFmt(sa unix.Sockaddr) string {
	switch a := sa.(type) {
	case *unix.SockaddrInet4, *unix.SockaddrInet6:
		return netip.AddrPortFrom(bAddrOf(a), uint16(portOf(a))).String()
	case *unix.SockaddrUnix:
		return "unix:" + a.Name
	case nil:
		return "<nil>"
	}
	return "<other sockaddr>"
}

// bUnique returns a random hex string for names that must be unique per
// case, such as abstract AF_UNIX names.
func bUnique(t T) string {
	t.Helper()
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("rand: %v", err)
	}
	return hex.EncodeToString(b[:])
}

// bPath returns a pathname AF_UNIX address under e.Dir.
func bPath(e *Env, name string) *unix.SockaddrUnix {
	return &unix.SockaddrUnix{Name: filepath.Join(e.Dir, name)}
}

// bAbstract returns an abstract AF_UNIX address unique to this case.
// unix(7): "an abstract socket address is distinguished ... by the fact
// that sun_path[0] is a null byte"; x/sys/unix spells it with a leading '@'.
func bAbstract(t T) *unix.SockaddrUnix {
	return &unix.SockaddrUnix{Name: "@sockstack-conf-" + bUnique(t)}
}

// bChecksum is the Internet checksum of RFC 1071 over b.
func bChecksum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// bICMPEcho builds an ICMPv4 echo request (RFC 792: type 8, code 0) with
// id, seq and payload, and its checksum.
func bICMPEcho(id, seq uint16, payload []byte) []byte {
	b := make([]byte, 8+len(payload))
	b[0] = 8
	binary.BigEndian.PutUint16(b[4:], id)
	binary.BigEndian.PutUint16(b[6:], seq)
	copy(b[8:], payload)
	binary.BigEndian.PutUint16(b[2:], bChecksum(b))
	return b
}

// bIPv4 is the part of an IPv4 header (RFC 791 §3.1) the raw cases check.
type bIPv4 struct {
	IHL      int
	TotalLen int
	ID       uint16
	Proto    int
	Src, Dst netip.Addr
	Payload  []byte
	SumOK    bool
}

// bParseIPv4 parses an IPv4 header at the front of b; ok is false when b
// is not a well-formed IPv4 datagram.
func bParseIPv4(b []byte) (h bIPv4, ok bool) {
	if len(b) < 20 || b[0]>>4 != 4 {
		return h, false
	}
	h.IHL = int(b[0]&0xf) * 4
	if h.IHL < 20 || len(b) < h.IHL {
		return h, false
	}
	h.TotalLen = int(binary.BigEndian.Uint16(b[2:]))
	h.ID = binary.BigEndian.Uint16(b[4:])
	h.Proto = int(b[9])
	h.Src = netip.AddrFrom4([4]byte(b[12:16]))
	h.Dst = netip.AddrFrom4([4]byte(b[16:20]))
	h.Payload = b[h.IHL:]
	h.SumOK = bChecksum(b[:h.IHL]) == 0
	return h, true
}

// bUDPInIPv4 builds an IPv4 header (with total length, ID and checksum
// zero, for the kernel to fill in: raw(7)) followed by a UDP header with
// checksum zero (RFC 768: "all zero ... means the transmitter generated no
// checksum") and payload.
func bUDPInIPv4(src, dst netip.Addr, sport, dport int, payload []byte) []byte {
	b := make([]byte, 28+len(payload))
	b[0] = 0x45
	b[8] = 64 // TTL
	b[9] = unix.IPPROTO_UDP
	if src.IsValid() { // an invalid src leaves 0.0.0.0: "Filled in when zero"
		s := src.As4()
		copy(b[12:16], s[:])
	}
	d := dst.As4()
	copy(b[16:20], d[:])
	binary.BigEndian.PutUint16(b[20:], uint16(sport))
	binary.BigEndian.PutUint16(b[22:], uint16(dport))
	binary.BigEndian.PutUint16(b[24:], uint16(8+len(payload)))
	copy(b[28:], payload)
	return b
}
