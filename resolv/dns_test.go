package resolv

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
	"golang.org/x/sys/unix"

	"sockstack/kernel"
	"sockstack/sock"
)

const bigCount = 100

// startDnsmasq runs dnsmasq on 127.0.0.1 at a random high port with the
// test zone and returns the port.
func startDnsmasq(t *testing.T) uint16 {
	t.Helper()
	return runDnsmasq(t, "", "127.0.0.1", 0)
}

// runDnsmasq runs dnsmasq with the test zone on listen:port (port 0: a
// random high one), inside network namespace netns when it is not "", and
// returns the port.
func runDnsmasq(t *testing.T, netns, listen string, fixedPort uint16) uint16 {
	t.Helper()
	bin := needTool(t, "dnsmasq")
	dir := t.TempDir()
	var hosts strings.Builder
	for i := range bigCount {
		fmt.Fprintf(&hosts, "10.2.%d.%d big.test\n", i/250, i%250+1)
	}
	addn := filepath.Join(dir, "big.hosts")
	if err := os.WriteFile(addn, []byte(hosts.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for try := 0; try < 5; try++ {
		port := fixedPort
		if port == 0 {
			port = uint16(20000 + rand.IntN(40000))
		}
		argv := []string{bin}
		if netns != "" {
			argv = []string{"ip", "netns", "exec", netns, bin}
		}
		cmd := exec.Command(argv[0], append(argv[1:], "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
			"--no-ping", fmt.Sprintf("--port=%d", port), "--listen-address="+listen, "--bind-interfaces",
			"--user=root", "--group=root", "--local=/test/", "--local=/10.in-addr.arpa/", "--addn-hosts="+addn,
			"--host-record=a.test,10.1.0.1", "--host-record=aaaa.test,2001:db8::1",
			"--host-record=both.test,10.1.0.2,2001:db8::2", "--cname=c1.test,c2.test", "--cname=c2.test,a.test",
			"--ptr-record=9.0.1.10.in-addr.arpa,ptr.test", "--txt-record=txtonly.test,hello")...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		if waitListening(netns, listen, port, exited) {
			t.Cleanup(func() {
				cmd.Process.Kill()
				<-exited
			})
			return port
		}
		cmd.Process.Kill()
		<-exited
		t.Logf("dnsmasq on port %d: %s", port, stderr.String())
	}
	t.Fatal("dnsmasq did not start")
	return 0
}

// waitListening waits until a TCP connect to listen:port succeeds (from
// inside netns when it is not "").
func waitListening(netns, listen string, port uint16, exited chan error) bool {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			exited <- err
			return false
		default:
		}
		if netns != "" {
			// dnsmasq inside a namespace: ask ss there.
			out, _ := exec.Command("ip", "netns", "exec", netns, "ss", "-ltnH", fmt.Sprintf("sport = :%d", port)).Output()
			if strings.TrimSpace(string(out)) != "" {
				return true
			}
		} else if fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0); err == nil {
			err = unix.Connect(fd, &unix.SockaddrInet4{Port: int(port), Addr: netip.MustParseAddr(listen).As4()})
			unix.Close(fd)
			if err == nil {
				return true
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// dnsConfig is a Config with no hosts file, "hosts: files dns", the search
// list "test" and the nameserver at port.
func dnsConfig(t *testing.T, port uint16, resolvConf string) Config {
	t.Helper()
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return Config{
		HostsPath:      filepath.Join(dir, "no-hosts"),
		ServicesPath:   write("services", "http 80/tcp\n"),
		ProtocolsPath:  write("protocols", "tcp 6 TCP\n"),
		NsswitchPath:   write("nsswitch.conf", "hosts: files dns\n"),
		ResolvConfPath: write("resolv.conf", resolvConf),
		Nameservers:    []netip.AddrPort{netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port)},
	}
}

func TestDNSAgainstDnsmasq(t *testing.T) {
	port := startDnsmasq(t)
	cfg := dnsConfig(t, port, "search test\noptions timeout:2 attempts:2\n")
	dnsChecks(t, cfg, kernel.New())
}

// dnsChecks runs the resolver, over api, against dnsmasq serving the test
// zone at cfg.Nameservers[0].
func dnsChecks(t *testing.T, cfg Config, api sock.API) {
	r := NewResolver(cfg, api)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v4 := &Hints{Family: unix.AF_INET, SockType: unix.SOCK_STREAM, Flags: AI_CANONNAME}

	t.Run("A", func(t *testing.T) {
		ais, err := r.GetAddrInfo(ctx, "a.test", "http", v4)
		if err != nil || len(ais) != 1 || ais[0].Addr != netip.MustParseAddrPort("10.1.0.1:80") || ais[0].CanonName != "a.test" {
			t.Fatalf("a.test: %+v, %v", ais, err)
		}
	})
	t.Run("AAAA", func(t *testing.T) {
		h, err := r.GetHostByName2(ctx, "aaaa.test", unix.AF_INET6)
		if err != nil || h.AddrType != unix.AF_INET6 || len(h.AddrList) != 1 || h.AddrList[0] != netip.MustParseAddr("2001:db8::1") {
			t.Fatalf("aaaa.test: %+v, %v", h, err)
		}
	})
	t.Run("BothFamilies", func(t *testing.T) {
		ais, err := r.GetAddrInfo(ctx, "both.test", "", &Hints{SockType: unix.SOCK_DGRAM})
		if err != nil || len(ais) != 2 {
			t.Fatalf("both.test: %+v, %v", ais, err)
		}
		got := []netip.Addr{ais[0].Addr.Addr(), ais[1].Addr.Addr()}
		if !slices.Contains(got, netip.MustParseAddr("10.1.0.2")) || !slices.Contains(got, netip.MustParseAddr("2001:db8::2")) {
			t.Fatalf("both.test: %v", got)
		}
	})
	t.Run("CNAMEChain", func(t *testing.T) {
		h, err := r.GetHostByName(ctx, "c1.test")
		if err != nil || h.Name != "a.test" || !slices.Equal(h.Aliases, []string{"c1.test", "c2.test"}) ||
			len(h.AddrList) != 1 || h.AddrList[0] != netip.MustParseAddr("10.1.0.1") {
			t.Fatalf("c1.test: %+v, %v", h, err)
		}
		ais, err := r.GetAddrInfo(ctx, "c1.test", "", v4)
		if err != nil || ais[0].CanonName != "a.test" {
			t.Fatalf("c1.test canonname: %+v, %v", ais, err)
		}
	})
	t.Run("PTR", func(t *testing.T) {
		h, err := r.GetHostByAddr(ctx, netip.MustParseAddr("10.1.0.9"))
		if err != nil || h.Name != "ptr.test" {
			t.Fatalf("10.1.0.9: %+v, %v", h, err)
		}
		host, serv, err := r.GetNameInfo(ctx, netip.MustParseAddrPort("10.1.0.9:80"), NI_NAMEREQD)
		if err != nil || host != "ptr.test" || serv != "http" {
			t.Fatalf("getnameinfo: %q %q %v", host, serv, err)
		}
		if _, _, err := r.GetNameInfo(ctx, netip.MustParseAddrPort("10.9.9.9:80"), NI_NAMEREQD); !errors.Is(err, EAI_NONAME) {
			t.Fatalf("getnameinfo NI_NAMEREQD of an unknown address: %v", err)
		}
	})
	t.Run("NXDOMAIN", func(t *testing.T) {
		if _, err := r.GetAddrInfo(ctx, "nosuch.test", "", v4); !errors.Is(err, EAI_NONAME) {
			t.Fatalf("getaddrinfo: %v, want EAI_NONAME", err)
		}
		if _, err := r.GetHostByName(ctx, "nosuch.test"); !errors.Is(err, HOST_NOT_FOUND) {
			t.Fatalf("gethostbyname: %v, want HOST_NOT_FOUND", err)
		}
	})
	t.Run("NODATA", func(t *testing.T) {
		if _, err := r.GetAddrInfo(ctx, "aaaa.test", "", v4); !errors.Is(err, EAI_NODATA) {
			t.Fatalf("getaddrinfo: %v, want EAI_NODATA", err)
		}
		if _, err := r.GetHostByName(ctx, "txtonly.test"); !errors.Is(err, NO_DATA) {
			t.Fatalf("gethostbyname: %v, want NO_DATA", err)
		}
	})
	t.Run("TruncatedFallsBackToTCP", func(t *testing.T) {
		h, err := r.GetHostByName(ctx, "big.test")
		if err != nil || len(h.AddrList) != bigCount {
			t.Fatalf("big.test: %d addresses, %v", len(h.AddrList), err)
		}
		// The UDP answer alone is truncated: the same exchange over UDP
		// must report TC=1.
		qn := dnsmessage.MustNewName("big.test.")
		ans, err := exchangeUDP(ctx, api, query{id: 7, name: qn, qtype: dnsmessage.TypeA},
			cfg.Nameservers[0], time.Now().Add(2*time.Second))
		if err != nil || !ans.truncated {
			t.Fatalf("UDP answer for big.test not truncated: %+v %v", ans, err)
		}
	})
	t.Run("SearchList", func(t *testing.T) {
		h, err := r.GetHostByName(ctx, "a")
		if err != nil || h.Name != "a.test" {
			t.Fatalf("a via search list: %+v, %v", h, err)
		}
	})
	t.Run("Getent", func(t *testing.T) {
		var out strings.Builder
		status, err := Getent(ctx, cfg, api, "ahostsv4", []string{"c1.test"}, &out)
		want := "10.1.0.1        STREAM a.test\n10.1.0.1        DGRAM  \n10.1.0.1        RAW    \n"
		if err != nil || status != 0 || out.String() != want {
			t.Fatalf("getent ahostsv4 c1.test: %d %v\n%s", status, err, out.String())
		}
	})
}

func TestCandidates(t *testing.T) {
	rc := ResolvConf{Ndots: 1, Search: []string{"a.example", "b.example"}}
	for _, c := range []struct {
		name  string
		ndots int
		want  []string
	}{
		{"host", 1, []string{"host.a.example.", "host.b.example.", "host."}},
		{"www.x", 1, []string{"www.x.", "www.x.a.example.", "www.x.b.example."}},
		{"www.x", 2, []string{"www.x.a.example.", "www.x.b.example.", "www.x."}},
		{"abs.", 1, []string{"abs."}},
	} {
		rc.Ndots = c.ndots
		if got, _ := candidates(rc, c.name); !slices.Equal(got, c.want) {
			t.Errorf("candidates(%q, ndots:%d) = %v, want %v", c.name, c.ndots, got, c.want)
		}
	}
}
