package conformance

import (
	"bytes"
	"net/netip"

	"golang.org/x/sys/unix"
)

// ipv6Cases checks AF_INET6 sockets: ipv6(7), RFC 3493 (the basic socket
// interface for IPv6) and RFC 3542 (advanced options).
func ipv6Cases() []Case {
	return []Case{
		{"ipv6/tcp-echo", v6TCPEcho},
		{"ipv6/udp-sendto-recvfrom", v6UDPSendRecv},
		{"ipv6/v6only-default-0-and-settable", v6OnlyDefault},
		{"ipv6/v6only-after-bind-einval", v6OnlyAfterBind},
		{"ipv6/dual-stack-listener-accepts-ipv4-mapped", v6DualStackAccept},
		{"ipv6/v6only-listener-refuses-ipv4", v6OnlyRefusesIPv4},
		{"ipv6/dual-stack-shares-port-space", v6SharedPortSpace},
		{"ipv6/udp-send-to-v4-mapped", v6UDPToMapped},
		{"ipv6/udp-v6only-send-to-v4-mapped-enetunreach", v6OnlyUDPToMapped},
		{"ipv6/getsockname", v6Getsockname},
		{"ipv6/unicast-hops", v6UnicastHops},
		{"ipv6/tclass", v6TClass},
		{"ipv6/bind-v4-mapped", v6BindMapped},
		{"ipv6/inet-socket-with-inet6-address", v6InetWithInet6Addr},
		{"ipv6/inet6-socket-with-inet-address-einval", v6Inet6WithInetAddr},
		{"ipv6/scope-id", v6ScopeID},
		{"ipv6/so-domain", v6SoDomain},
	}
}

// bMapped returns the IPv4-mapped IPv6 address ::ffff:a.b.c.d of a.
func bMapped(a netip.Addr) netip.Addr {
	return netip.AddrFrom16(a.As16())
}

// ipv6(7): "AF_INET6 ... sockets ... The IPv6 API aims to be mostly
// compatible with the IPv4 API"; a TCP connection over e.PeerAddr6 carries
// data both ways.
func v6TCPEcho(t T, e *Env) {
	p := bConnectTCP(t, e, e.PeerAddr6)
	msg := []byte("hello over IPv6")
	bWriteAll(t, e.API, p.Client, msg)
	got := bReadN(t, e.Peer, p.Server, len(msg))
	bWriteAll(t, e.Peer, p.Server, got)
	if back := bReadN(t, e.API, p.Client, len(msg)); !bytes.Equal(back, msg) {
		t.Fatalf("echo = %q, want %q", back, msg)
	}
	sa, err := e.API.Getpeername(p.Client)
	if err != nil {
		t.Fatalf("getpeername: %v", err)
	}
	if a, ok := sa.(*unix.SockaddrInet6); !ok || netip.AddrFrom16(a.Addr) != e.PeerAddr6 {
		t.Fatalf("getpeername = %s, want %v", bFmt(sa), e.PeerAddr6)
	}
}

// ipv6(7) address format: recvfrom fills in a sockaddr_in6 with
// "sin6_family ... AF_INET6; sin6_port ... the protocol port; sin6_addr ...
// the IPv6 address" of the sender.
func v6UDPSendRecv(t T, e *Env) {
	srv, ssa := bBind(t, e.Peer, unix.SOCK_DGRAM, e.PeerAddr6)
	cli, csa := bBind(t, e.API, unix.SOCK_DGRAM, e.Addr6)
	if err := e.API.Sendto(cli, []byte("v6 datagram"), 0, ssa); err != nil {
		t.Fatalf("sendto: %v", err)
	}
	buf := make([]byte, 64)
	n, from, err := e.Peer.Recvfrom(srv, buf, 0)
	if err != nil {
		t.Fatalf("recvfrom: %v", err)
	}
	if string(buf[:n]) != "v6 datagram" {
		t.Fatalf("received %q", buf[:n])
	}
	f, ok := from.(*unix.SockaddrInet6)
	if !ok || netip.AddrFrom16(f.Addr) != e.Addr6 || f.Port != portOf(csa) {
		t.Fatalf("recvfrom source = %s, want [%v]:%d", bFmt(from), e.Addr6, portOf(csa))
	}
}

// ipv6(7) IPV6_V6ONLY: "The default value for this flag is defined by the
// contents of the file /proc/sys/net/ipv6/bindv6only. The default value for
// that file is 0 (false)."
func v6OnlyDefault(t T, e *Env) {
	for _, typ := range []int{unix.SOCK_STREAM, unix.SOCK_DGRAM} {
		fd := bSock(t, e.API, unix.AF_INET6, typ, 0)
		if v, err := e.API.GetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY); err != nil || v != 0 {
			t.Fatalf("type %d: default IPV6_V6ONLY = %d, %v; want 0", typ, v, err)
		}
		if err := e.API.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 1); err != nil {
			t.Fatalf("set IPV6_V6ONLY: %v", err)
		}
		if v, err := e.API.GetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY); err != nil || v != 1 {
			t.Fatalf("type %d: IPV6_V6ONLY after set = %d, %v; want 1", typ, v, err)
		}
	}
}

// ipv6(7) IPV6_V6ONLY restricts which packets the bound socket takes, so
// Linux refuses to change it once the socket has a local port: EINVAL.
func v6OnlyAfterBind(t T, e *Env) {
	fd, _ := bBind(t, e.API, unix.SOCK_DGRAM, e.Addr6)
	err := e.API.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 1)
	bWantErr(t, "IPV6_V6ONLY after bind", err, unix.EINVAL)
}

// bDualListener listens on e.Peer at [::]:0 with IPV6_V6ONLY = v6only.
func bDualListener(t T, e *Env, v6only int) (int, int) {
	t.Helper()
	lfd := bSock(t, e.Peer, unix.AF_INET6, unix.SOCK_STREAM, 0)
	if err := e.Peer.SetsockoptInt(lfd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, v6only); err != nil {
		t.Fatalf("IPV6_V6ONLY: %v", err)
	}
	if err := e.Peer.Bind(lfd, &unix.SockaddrInet6{}); err != nil {
		t.Fatalf("bind [::]:0: %v", err)
	}
	if err := e.Peer.Listen(lfd, 8); err != nil {
		t.Fatalf("listen: %v", err)
	}
	sa, err := e.Peer.Getsockname(lfd)
	if err != nil {
		t.Fatalf("getsockname: %v", err)
	}
	return lfd, portOf(sa)
}

// ipv6(7): "IPv4 connections can be handled with the v6 API by using the
// v4-mapped-on-v6 address type"; "When you get an IPv4 connection or packet
// to an IPv6 socket, its source address will be mapped to v6."
func v6DualStackAccept(t T, e *Env) {
	lfd, port := bDualListener(t, e, 0)
	cli := bDial(t, e.API, sockaddr(e.PeerAddr4, port))
	nfd, from := bAccept(t, e.Peer, lfd)
	csa, err := e.API.Getsockname(cli)
	if err != nil {
		t.Fatalf("client getsockname: %v", err)
	}
	want := bMapped(bAddrOf(csa))
	for what, sa := range map[string]unix.Sockaddr{"accept": from, "getpeername": bPeerName(t, e, nfd)} {
		a, ok := sa.(*unix.SockaddrInet6)
		if !ok || netip.AddrFrom16(a.Addr) != want || a.Port != portOf(csa) {
			t.Errorf("%s address = %s, want [%v]:%d", what, bFmt(sa), want, portOf(csa))
		}
	}
	local, err := e.Peer.Getsockname(nfd)
	if err != nil {
		t.Fatalf("getsockname: %v", err)
	}
	if a, ok := local.(*unix.SockaddrInet6); !ok || netip.AddrFrom16(a.Addr) != bMapped(e.PeerAddr4) {
		t.Errorf("accepted getsockname = %s, want [%v]:%d", bFmt(local), bMapped(e.PeerAddr4), port)
	}
}

// bPeerName is Getpeername on e.Peer, failing the case on error.
func bPeerName(t T, e *Env, fd int) unix.Sockaddr {
	t.Helper()
	sa, err := e.Peer.Getpeername(fd)
	if err != nil {
		t.Fatalf("getpeername: %v", err)
	}
	return sa
}

// ipv6(7) IPV6_V6ONLY: "If this flag is set to true (nonzero), then the
// socket is restricted to sending and receiving IPv6 packets only." An IPv4
// SYN to its port finds no listener: ECONNREFUSED.
func v6OnlyRefusesIPv4(t T, e *Env) {
	_, port := bDualListener(t, e, 1)
	fd := bSock(t, e.API, unix.AF_INET, unix.SOCK_STREAM, 0)
	err := e.API.Connect(fd, sockaddr(e.PeerAddr4, port))
	bWantErr(t, "IPv4 connect to a V6ONLY listener's port", err, unix.ECONNREFUSED)
}

// ipv6(7): "IPv4 and IPv6 share the local port space." A dual-stack socket
// on [::]:P holds the IPv4 port P too; with IPV6_V6ONLY (ipv6(7): "an IPv4
// and an IPv6 application can bind to a single port at the same time") it
// does not.
func v6SharedPortSpace(t T, e *Env) {
	for _, v6only := range []int{0, 1} {
		fd := bSock(t, e.API, unix.AF_INET6, unix.SOCK_DGRAM, 0)
		if err := e.API.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, v6only); err != nil {
			t.Fatalf("IPV6_V6ONLY: %v", err)
		}
		if err := e.API.Bind(fd, &unix.SockaddrInet6{}); err != nil {
			t.Fatalf("bind [::]:0: %v", err)
		}
		sa, err := e.API.Getsockname(fd)
		if err != nil {
			t.Fatalf("getsockname: %v", err)
		}
		fd4 := bSock(t, e.API, unix.AF_INET, unix.SOCK_DGRAM, 0)
		err = e.API.Bind(fd4, sockaddr(e.Addr4, portOf(sa)))
		if v6only == 0 {
			bWantErr(t, "IPv4 bind to a dual-stack socket's port", err, unix.EADDRINUSE)
		} else if err != nil {
			t.Fatalf("IPv4 bind to a V6ONLY socket's port: %v, want success", err)
		}
	}
}

// ipv6(7): a socket with IPV6_V6ONLY false "can be used to send and receive
// packets to and from an IPv6 address or an IPv4-mapped IPv6 address."
func v6UDPToMapped(t T, e *Env) {
	srv, ssa := bBind(t, e.Peer, unix.SOCK_DGRAM, e.PeerAddr4)
	cli := bSock(t, e.API, unix.AF_INET6, unix.SOCK_DGRAM, 0)
	to := &unix.SockaddrInet6{Port: portOf(ssa), Addr: e.PeerAddr4.As16()}
	if err := e.API.Sendto(cli, []byte("mapped"), 0, to); err != nil {
		t.Fatalf("sendto %s: %v", bFmt(to), err)
	}
	buf := make([]byte, 16)
	n, from, err := e.Peer.Recvfrom(srv, buf, 0)
	if err != nil || string(buf[:n]) != "mapped" {
		t.Fatalf("recvfrom = %q, %v", buf[:n], err)
	}
	if _, ok := from.(*unix.SockaddrInet4); !ok {
		t.Fatalf("IPv4 receiver saw source %s, want an AF_INET address", bFmt(from))
	}
	if err := e.Peer.Sendto(srv, []byte("reply"), 0, from); err != nil {
		t.Fatalf("reply: %v", err)
	}
	n, back, err := e.API.Recvfrom(cli, buf, 0)
	if err != nil || string(buf[:n]) != "reply" {
		t.Fatalf("recvfrom reply = %q, %v", buf[:n], err)
	}
	b, ok := back.(*unix.SockaddrInet6)
	if !ok || netip.AddrFrom16(b.Addr) != bMapped(e.PeerAddr4) || b.Port != portOf(ssa) {
		t.Fatalf("reply source = %s, want [%v]:%d", bFmt(back), bMapped(e.PeerAddr4), portOf(ssa))
	}
}

// ipv6(7) IPV6_V6ONLY: a V6ONLY socket is "restricted to sending and
// receiving IPv6 packets only"; Linux fails a send to a v4-mapped address
// with ENETUNREACH.
func v6OnlyUDPToMapped(t T, e *Env) {
	fd := bSock(t, e.API, unix.AF_INET6, unix.SOCK_DGRAM, 0)
	if err := e.API.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 1); err != nil {
		t.Fatalf("IPV6_V6ONLY: %v", err)
	}
	port := bClosedPort(t, e.Peer, unix.SOCK_DGRAM, e.PeerAddr4)
	err := e.API.Sendto(fd, []byte("x"), 0, &unix.SockaddrInet6{Port: port, Addr: e.PeerAddr4.As16()})
	bWantErr(t, "V6ONLY sendto a v4-mapped address", err, unix.ENETUNREACH)
}

// getsockname(2) returns "the current address to which the socket sockfd is
// bound": [::]:0 before bind, the bound address and chosen port after, and
// for a connected socket the local end of the connection.
func v6Getsockname(t T, e *Env) {
	fd := bSock(t, e.API, unix.AF_INET6, unix.SOCK_STREAM, 0)
	sa, err := e.API.Getsockname(fd)
	if a, ok := sa.(*unix.SockaddrInet6); err != nil || !ok || a.Port != 0 || a.Addr != [16]byte{} {
		t.Fatalf("unbound getsockname = %s, %v; want [::]:0", bFmt(sa), err)
	}
	_, bsa := bBind(t, e.API, unix.SOCK_DGRAM, e.Addr6)
	if a, ok := bsa.(*unix.SockaddrInet6); !ok || netip.AddrFrom16(a.Addr) != e.Addr6 || a.Port == 0 {
		t.Fatalf("bound getsockname = %s, want [%v]:nonzero", bFmt(bsa), e.Addr6)
	}
	p := bConnectTCP(t, e, e.PeerAddr6)
	csa, err := e.API.Getsockname(p.Client)
	if err != nil {
		t.Fatalf("getsockname: %v", err)
	}
	ssa := bPeerName(t, e, p.Server)
	if bFmt(csa) != bFmt(ssa) {
		t.Fatalf("client getsockname %s != server getpeername %s", bFmt(csa), bFmt(ssa))
	}
	if a, ok := csa.(*unix.SockaddrInet6); !ok || netip.AddrFrom16(a.Addr) != e.Addr6 {
		t.Fatalf("connected getsockname = %s, want address %v", bFmt(csa), e.Addr6)
	}
}

// ipv6(7) IPV6_UNICAST_HOPS: "-1 in the value means use the route default,
// otherwise it should be between 0 and 255." The default hop limit is 64
// (RFC 8200 §3 suggests the default of the link; Linux uses 64).
func v6UnicastHops(t T, e *Env) {
	fd := bSock(t, e.API, unix.AF_INET6, unix.SOCK_DGRAM, 0)
	get := func() int {
		v, err := e.API.GetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS)
		if err != nil {
			t.Fatalf("get IPV6_UNICAST_HOPS: %v", err)
		}
		return v
	}
	if v := get(); v != 64 {
		t.Fatalf("default IPV6_UNICAST_HOPS = %d, want 64", v)
	}
	for _, c := range []struct{ set, want int }{{7, 7}, {0, 0}, {255, 255}, {-1, 64}} {
		if err := e.API.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, c.set); err != nil {
			t.Fatalf("set IPV6_UNICAST_HOPS %d: %v", c.set, err)
		}
		if v := get(); v != c.want {
			t.Fatalf("IPV6_UNICAST_HOPS after setting %d = %d, want %d", c.set, v, c.want)
		}
	}
	for _, bad := range []int{256, -2} {
		err := e.API.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, bad)
		bWantErr(t, "IPV6_UNICAST_HOPS out of range", err, unix.EINVAL)
	}
}

// RFC 3542 §6.5: the traffic class is "an integer between 0 and 255 ... -1
// ... to use the kernel default"; "if the value is outside that range,
// EINVAL is returned". The kernel default is 0.
func v6TClass(t T, e *Env) {
	fd := bSock(t, e.API, unix.AF_INET6, unix.SOCK_STREAM, 0)
	get := func() int {
		v, err := e.API.GetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_TCLASS)
		if err != nil {
			t.Fatalf("get IPV6_TCLASS: %v", err)
		}
		return v
	}
	if v := get(); v != 0 {
		t.Fatalf("default IPV6_TCLASS = %d, want 0", v)
	}
	for _, c := range []struct{ set, want int }{{0x28, 0x28}, {0xb8, 0xb8}, {-1, 0}} {
		if err := e.API.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_TCLASS, c.set); err != nil {
			t.Fatalf("set IPV6_TCLASS %d: %v", c.set, err)
		}
		if v := get(); v != c.want {
			t.Fatalf("IPV6_TCLASS after setting %#x = %#x, want %#x", c.set, v, c.want)
		}
	}
	err := e.API.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_TCLASS, 256)
	bWantErr(t, "IPV6_TCLASS 256", err, unix.EINVAL)
}

// ipv6(7): IPv4 is handled "by using the v4-mapped-on-v6 address type", so
// a dual-stack socket may bind ::ffff:a.b.c.d and getsockname reports it;
// a V6ONLY socket takes only IPv6 and Linux refuses the bind with EINVAL.
func v6BindMapped(t T, e *Env) {
	fd := bSock(t, e.API, unix.AF_INET6, unix.SOCK_DGRAM, 0)
	if err := e.API.Bind(fd, sockaddr(bMapped(e.Addr4), 0)); err != nil {
		t.Fatalf("dual-stack bind [%v]:0: %v", bMapped(e.Addr4), err)
	}
	sa, err := e.API.Getsockname(fd)
	if a, ok := sa.(*unix.SockaddrInet6); err != nil || !ok || netip.AddrFrom16(a.Addr) != bMapped(e.Addr4) || a.Port == 0 {
		t.Fatalf("getsockname = %s, %v; want [%v]:nonzero", bFmt(sa), err, bMapped(e.Addr4))
	}
	only := bSock(t, e.API, unix.AF_INET6, unix.SOCK_DGRAM, 0)
	if err := e.API.SetsockoptInt(only, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 1); err != nil {
		t.Fatalf("IPV6_V6ONLY: %v", err)
	}
	err = e.API.Bind(only, sockaddr(bMapped(e.Addr4), 0))
	bWantErr(t, "V6ONLY bind to a v4-mapped address", err, unix.EINVAL)
}

// ip(7): "sin_family is always set to AF_INET"; an AF_INET socket given an
// AF_INET6 address (long enough to hold a sockaddr_in) fails with
// EAFNOSUPPORT on connect and bind.
func v6InetWithInet6Addr(t T, e *Env) {
	for _, typ := range []int{unix.SOCK_STREAM, unix.SOCK_DGRAM} {
		fd := bSock(t, e.API, unix.AF_INET, typ, 0)
		err := e.API.Connect(fd, sockaddr(e.PeerAddr6, 9))
		bWantErr(t, "AF_INET connect to an AF_INET6 address", err, unix.EAFNOSUPPORT)
		err = e.API.Bind(fd, sockaddr(e.Addr6, 0))
		bWantErr(t, "AF_INET bind to an AF_INET6 address", err, unix.EAFNOSUPPORT)
	}
}

// ipv6(7) address format: the AF_INET6 calls take a struct sockaddr_in6;
// a sockaddr_in is shorter than that and Linux rejects it with EINVAL in
// bind and in a TCP connect. (A UDP connect is left out: Linux accepts an
// AF_INET address there on a dual-stack socket.)
func v6Inet6WithInetAddr(t T, e *Env) {
	for _, typ := range []int{unix.SOCK_STREAM, unix.SOCK_DGRAM} {
		fd := bSock(t, e.API, unix.AF_INET6, typ, 0)
		err := e.API.Bind(fd, sockaddr(e.Addr4, 0))
		bWantErr(t, "AF_INET6 bind to an AF_INET address", err, unix.EINVAL)
		if typ == unix.SOCK_STREAM {
			err = e.API.Connect(fd, sockaddr(e.PeerAddr4, 9))
			bWantErr(t, "AF_INET6 TCP connect to an AF_INET address", err, unix.EINVAL)
		}
	}
}

// ipv6(7): "sin6_scope_id is an ID depending on the scope of the address
// ... Linux supports it only for link-local addresses, in that case
// sin6_scope_id contains the interface index". A global or loopback bind
// reports scope 0; a link-local bind without an interface fails (EINVAL).
func v6ScopeID(t T, e *Env) {
	_, sa := bBind(t, e.API, unix.SOCK_DGRAM, e.Addr6)
	if a := sa.(*unix.SockaddrInet6); a.ZoneId != 0 {
		t.Fatalf("getsockname of [%v] has scope id %d, want 0", e.Addr6, a.ZoneId)
	}
	fd := bSock(t, e.API, unix.AF_INET6, unix.SOCK_DGRAM, 0)
	ll := &unix.SockaddrInet6{Addr: netip.MustParseAddr("fe80::1").As16()}
	bWantErr(t, "bind link-local without sin6_scope_id", e.API.Bind(fd, ll), unix.EINVAL)
}

// socket(7) SO_DOMAIN: "Retrieves the socket domain as an integer,
// returning a value such as AF_INET6."
func v6SoDomain(t T, e *Env) {
	for _, typ := range []int{unix.SOCK_STREAM, unix.SOCK_DGRAM} {
		fd := bSock(t, e.API, unix.AF_INET6, typ, 0)
		if v, err := e.API.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN); err != nil || v != unix.AF_INET6 {
			t.Fatalf("SO_DOMAIN = %d, %v; want AF_INET6", v, err)
		}
		if v, err := e.API.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE); err != nil || v != typ {
			t.Fatalf("SO_TYPE = %d, %v; want %d", v, err, typ)
		}
	}
}
