//go:build linux

package tcp

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/wire"
)

// The interop tests run this package's TCP against Linux's over a TUN
// device in a network namespace of their own (no default route: nothing
// can leave the machine). Linux is at 10.213.77.1, we are 10.213.77.2.
var (
	linuxIP = netip.MustParseAddr("10.213.77.1")
	ourIP   = netip.MustParseAddr("10.213.77.2")
)

// requireLab fails in CI, and skips elsewhere, without root, /dev/net/tun
// or ip(8).
func requireLab(t *testing.T) {
	t.Helper()
	missing := ""
	if os.Geteuid() != 0 {
		missing = "root"
	} else if _, err := os.Stat("/dev/net/tun"); err != nil {
		missing = "/dev/net/tun"
	} else if _, err := exec.LookPath("ip"); err != nil {
		missing = "ip(8)"
	}
	if missing == "" {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("interop test needs %s (required in CI)", missing)
	}
	t.Skipf("interop test needs %s", missing)
}

func run(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%v: %v: %s", args, err, out)
	}
}

// inNetns runs fn on a locked OS thread switched into the namespace; the
// thread is discarded afterwards (never unlocked).
func inNetns(ns string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // not unlocked: the thread dies with the goroutine
		fd, err := unix.Open("/run/netns/"+ns, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- err
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			errc <- err
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// lab is a namespace with a TUN device whose far side is this test.
type lab struct {
	t    *testing.T
	rng  *rand.Rand
	loss float64 // fraction of our segments dropped before the TUN
	ns   string
	tun  int
	buf  []byte
	out  []byte
}

func newLab(t *testing.T) *lab {
	requireLab(t)
	l := &lab{t: t, rng: rand.New(rand.NewPCG(1, 2)), ns: fmt.Sprintf("tcpproto%d", os.Getpid()), buf: make([]byte, 65536), out: make([]byte, 2048)}
	run(t, "ip", "netns", "add", l.ns)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", l.ns).Run() })
	err := inNetns(l.ns, func() error {
		fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
		if err != nil {
			return err
		}
		ifr, err := unix.NewIfreq("tun0")
		if err != nil {
			return err
		}
		ifr.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
		if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
			unix.Close(fd)
			return err
		}
		l.tun = fd
		return nil
	})
	if err != nil {
		t.Fatalf("open TUN in %s: %v", l.ns, err)
	}
	t.Cleanup(func() { unix.Close(l.tun) })
	run(t, "ip", "-n", l.ns, "link", "set", "lo", "up")
	run(t, "ip", "-n", l.ns, "link", "set", "tun0", "mtu", "1500", "up")
	run(t, "ip", "-n", l.ns, "addr", "add", linuxIP.String()+"/24", "dev", "tun0")
	return l
}

// recv waits up to d for a TCP segment for us and returns it.
func (l *lab) recv(d time.Duration) (wire.TCP, netip.AddrPort, netip.AddrPort, bool) {
	pfd := []unix.PollFd{{Fd: int32(l.tun), Events: unix.POLLIN}}
	if n, _ := unix.Poll(pfd, int(max(d, time.Millisecond)/time.Millisecond)); n <= 0 {
		return wire.TCP{}, netip.AddrPort{}, netip.AddrPort{}, false
	}
	n, err := unix.Read(l.tun, l.buf)
	if err != nil || n < 20 || l.buf[0]>>4 != 4 || l.buf[9] != wire.TCPProtocolNumber {
		return wire.TCP{}, netip.AddrPort{}, netip.AddrPort{}, false // IPv6 RS and the like
	}
	hl := int(l.buf[0]&0xf) * 4
	total := int(binary.BigEndian.Uint16(l.buf[2:]))
	src, dst := netip.AddrFrom4([4]byte(l.buf[12:16])), netip.AddrFrom4([4]byte(l.buf[16:20]))
	seg, err := wire.ParseTCP(l.buf[hl:min(total, n)])
	if err != nil || dst != ourIP || !seg.VerifyChecksum(src, dst) {
		l.t.Errorf("bad segment from Linux: %v", err)
		return wire.TCP{}, netip.AddrPort{}, netip.AddrPort{}, false
	}
	return seg, netip.AddrPortFrom(src, seg.SrcPort()), netip.AddrPortFrom(dst, seg.DstPort()), true
}

// send writes s from us to Linux in an IPv4 packet.
func (l *lab) send(s Segment) {
	if l.loss > 0 && l.rng.Float64() < l.loss {
		return
	}
	b := l.out
	n, err := s.Encode(b[20:])
	if err != nil {
		l.t.Fatalf("encode %v: %v", &s, err)
	}
	tcpSeg, _ := wire.ParseTCP(b[20 : 20+n])
	tcpSeg.SetChecksum(ourIP, linuxIP)
	clear(b[:20])
	b[0], b[8], b[9] = 0x45, 64, wire.TCPProtocolNumber
	binary.BigEndian.PutUint16(b[2:], uint16(20+n))
	b[6] = 0x40 // DF
	copy(b[12:], ourIP.AsSlice())
	copy(b[16:], linuxIP.AsSlice())
	binary.BigEndian.PutUint16(b[10:], wire.Checksum(b[:20], 0))
	if _, err := unix.Write(l.tun, b[:20+n]); err != nil {
		l.t.Fatalf("write TUN: %v", err)
	}
}

// drive runs c against Linux until done reports true or the time runs out,
// writing src into c and collecting what c reads.
func (l *lab) drive(c *Conn, src []byte, done func(got []byte) bool) []byte {
	var got []byte
	rbuf := make([]byte, 32<<10)
	w := 0
	limit := time.Now().Add(20 * time.Second)
	for time.Now().Before(limit) {
		now := time.Now()
		if w < len(src) {
			n, _ := c.Write(src[w:])
			w += n
			if w == len(src) {
				c.Shutdown(unix.SHUT_WR)
			}
		}
		for {
			n, _ := c.Read(rbuf, false)
			if n == 0 {
				break
			}
			got = append(got, rbuf[:n]...)
		}
		c.Output(now, l.send)
		if done(got) {
			return got
		}
		wait := 20 * time.Millisecond
		if d := c.Deadline(); !d.IsZero() {
			wait = min(wait, time.Until(d))
		}
		if seg, _, _, ok := l.recv(wait); ok {
			c.Input(time.Now(), seg)
		}
		if d := c.Deadline(); !d.IsZero() && !time.Now().Before(d) {
			c.Tick(time.Now())
		}
	}
	l.t.Fatalf("timed out: state %v, got %d bytes, wrote %d of %d", c.State(), len(got), w, len(src))
	return nil
}

func TestInterop_DialLinuxEcho(t *testing.T) {
	l := newLab(t)
	echoWithLinux(t, l, 40001, 2<<20)
}

// TestInterop_DialLinuxEchoLossy drops 3% each way: Linux's side with
// nftables, ours before the TUN.
func TestInterop_DialLinuxEchoLossy(t *testing.T) {
	l := newLab(t)
	if _, err := exec.LookPath("nft"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("nft not installed (required in CI)")
		}
		t.Skip("nft not installed")
	}
	rules := "table inet lab {\n chain out {\n  type filter hook output priority 0;\n" +
		"  ip daddr " + ourIP.String() + " numgen random mod 100 < 3 counter drop\n }\n}\n"
	cmd := exec.Command("ip", "netns", "exec", l.ns, "nft", "-f", "-")
	cmd.Stdin = bytes.NewBufferString(rules)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nft: %v: %s", err, out)
	}
	l.loss = 0.03
	c := echoWithLinux(t, l, 40002, 1<<20)
	if c.Info().Total_retrans == 0 {
		t.Fatal("3% loss and no retransmissions")
	}
}

// echoWithLinux dials Linux's echo server from port, sends size bytes,
// half-closes and checks the echo and the close.
func echoWithLinux(t *testing.T, l *lab, port uint16, size int) *Conn {
	var ln net.Listener
	if err := inNetns(l.ns, func() (err error) {
		ln, err = net.Listen("tcp4", linuxIP.String()+":5001")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	echoed := make(chan error, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			echoed <- err
			return
		}
		defer conn.Close()
		_, err = io.Copy(conn, conn) // echo until our FIN, then close
		echoed <- err
	}()
	local, remote := netip.AddrPortFrom(ourIP, port), netip.AddrPortFrom(linuxIP, 5001)
	c := Dial(fullCfg(ISN([16]byte{1}, local, remote, time.Now())), local, remote, time.Now())
	src := pattern(size, 77)
	got := l.drive(c, src, func(got []byte) bool { return c.State() == TimeWait || c.State() == Closed })
	if err := <-echoed; err != nil {
		t.Fatalf("Linux echo: %v", err)
	}
	if !bytes.Equal(got, src) {
		t.Fatalf("echo differs: got %d bytes of %d", len(got), len(src))
	}
	i := c.Info()
	if i.Options&(tcpiOptTimestamps|tcpiOptSACK|tcpiOptWscale) != tcpiOptTimestamps|tcpiOptSACK|tcpiOptWscale {
		t.Fatalf("options not negotiated with Linux: %#x", i.Options)
	}
	t.Logf("%d bytes echoed: rtt %dµs cwnd %d retrans %d rtos %d", size, i.Rtt, i.Snd_cwnd, i.Total_retrans, i.Total_rto)
	return c
}

func TestInterop_LinuxDialsListener(t *testing.T) {
	l := newLab(t)
	ln := NewListener(fullCfg(0), netip.AddrPortFrom(ourIP, 80), 8)
	src := pattern(1<<20, 78)
	result := make(chan error, 1)
	go func() {
		// The dial runs on a thread inside the namespace, so the socket
		// is Linux's there; it completes once the loop below answers.
		result <- inNetns(l.ns, func() error { return linuxClient(src) })
	}()
	var c *Conn
	for deadline := time.Now().Add(5 * time.Second); c == nil && time.Now().Before(deadline); {
		seg, from, to, ok := l.recv(20 * time.Millisecond)
		if !ok {
			continue
		}
		reply, nc := ln.Input(time.Now(), to, from, seg, true)
		if reply != nil {
			l.send(*reply)
		}
		c = nc
	}
	if c == nil {
		t.Fatal("Linux never completed the handshake")
	}
	// Echo: everything read is written back; close after Linux's FIN.
	var echo []byte
	rbuf := make([]byte, 32<<10)
	limit := time.Now().Add(20 * time.Second)
	for c.State() != Closed && c.State() != TimeWait && time.Now().Before(limit) {
		for {
			n, _ := c.Read(rbuf, false)
			if n == 0 {
				break
			}
			echo = append(echo, rbuf[:n]...)
		}
		if len(echo) > 0 {
			n, _ := c.Write(echo)
			echo = echo[n:]
		}
		if len(echo) == 0 && c.State() == CloseWait {
			c.Close(time.Now())
		}
		c.Output(time.Now(), l.send)
		wait := 20 * time.Millisecond
		if d := c.Deadline(); !d.IsZero() {
			wait = min(wait, time.Until(d))
		}
		if seg, _, _, ok := l.recv(wait); ok {
			c.Input(time.Now(), seg)
		}
		if d := c.Deadline(); !d.IsZero() && !time.Now().Before(d) {
			c.Tick(time.Now())
		}
	}
	if err := <-result; err != nil {
		t.Fatal(err)
	}
	if s := c.State(); s != Closed && s != TimeWait && s != LastAck {
		t.Fatalf("server conn ended in %v", s)
	}
}

// linuxClient connects to our listener, sends src, half-closes and checks
// that the same bytes come back before our FIN.
func linuxClient(src []byte) error {
	conn, err := net.DialTimeout("tcp4", ourIP.String()+":80", 5*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	errc := make(chan error, 1)
	go func() {
		_, err := conn.Write(src)
		conn.(*net.TCPConn).CloseWrite()
		errc <- err
	}()
	back, err := io.ReadAll(conn)
	if werr := <-errc; werr != nil {
		err = werr
	}
	if err == nil && !bytes.Equal(back, src) {
		err = fmt.Errorf("Linux read back %d bytes, want %d equal", len(back), len(src))
	}
	return err
}

// TestInterop_LinuxManyClientsSYNCookies connects eight Linux clients at
// once to a listener with a backlog of one: all but the first handshake
// complete from SYN cookies (RFC 4987 §3.6), and every echo comes back.
func TestInterop_LinuxManyClientsSYNCookies(t *testing.T) {
	l := newLab(t)
	ln := NewListener(fullCfg(0), netip.AddrPortFrom(ourIP, 80), 1)
	const clients = 8
	result := make(chan error, clients)
	for i := range clients {
		src := pattern(20000+i, uint64(i))
		go func() { result <- inNetns(l.ns, func() error { return linuxClient(src) }) }()
	}
	conns := map[netip.AddrPort]*Conn{}
	done := 0
	limit := time.Now().Add(20 * time.Second)
	rbuf := make([]byte, 32<<10)
	// Hold the SYNs until every client has sent one, then answer them in
	// a row: the first fills the backlog-1 SYN queue and the rest need
	// cookies. Answered one by one as they came, a quick handshake could
	// end before the next SYN and no cookie would be sent.
	type heldSYN struct {
		b        []byte
		from, to netip.AddrPort
	}
	var syns []heldSYN
	for len(syns) < clients && time.Now().Before(limit) {
		if seg, from, to, ok := l.recv(10 * time.Millisecond); ok && seg.Flags().Has(wire.TCPFlagSYN) {
			syns = append(syns, heldSYN{append([]byte(nil), seg.Bytes()...), from, to})
		}
	}
	for _, h := range syns {
		seg, err := wire.ParseTCP(h.b)
		if err != nil {
			t.Fatal(err)
		}
		if reply, _ := ln.Input(time.Now(), h.to, h.from, seg, true); reply != nil {
			l.send(*reply)
		}
	}
	for done < clients && time.Now().Before(limit) {
		if seg, from, to, ok := l.recv(10 * time.Millisecond); ok {
			if c := conns[from]; c != nil {
				c.Input(time.Now(), seg)
			} else {
				reply, nc := ln.Input(time.Now(), to, from, seg, true)
				if reply != nil {
					l.send(*reply)
				}
				if nc != nil {
					conns[from] = nc
				}
			}
		}
		for _, c := range conns {
			echoStep(c, rbuf)
			c.Output(time.Now(), l.send)
			if d := c.Deadline(); !d.IsZero() && !time.Now().Before(d) {
				c.Tick(time.Now())
				c.Output(time.Now(), l.send)
			}
		}
		select {
		case err := <-result:
			if err != nil {
				t.Fatalf("client: %v", err)
			}
			done++
		default:
		}
	}
	if done < clients {
		t.Fatalf("%d of %d clients finished", done, clients)
	}
	if st := ln.Stats(); st.CookiesOK == 0 || len(conns) != clients {
		t.Fatalf("stats %+v, %d connections", st, len(conns))
	}
}

// echoStep writes back what c has read and closes after the peer's FIN.
// The echo is bounded by the send buffer, which these tests never fill.
func echoStep(c *Conn, rbuf []byte) {
	for {
		n, _ := c.Read(rbuf, false)
		if n == 0 {
			break
		}
		if w, _ := c.Write(rbuf[:n]); w != n {
			panic("echo: send buffer full")
		}
	}
	if c.State() == CloseWait {
		c.Close(time.Now())
	}
}
