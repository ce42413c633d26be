package resolv

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"sockstack/kernel"
)

// etcFiles returns absolute paths of the test databases and the Config
// that reads them.
func etcFiles(t *testing.T, hostConf string) (map[string]string, Config) {
	t.Helper()
	dir, err := filepath.Abs("testdata/etc")
	if err != nil {
		t.Fatal(err)
	}
	binds := map[string]string{
		"/etc/hosts":         filepath.Join(dir, "hosts"),
		"/etc/services":      filepath.Join(dir, "services"),
		"/etc/protocols":     filepath.Join(dir, "protocols"),
		"/etc/resolv.conf":   filepath.Join(dir, "resolv.conf"),
		"/etc/nsswitch.conf": filepath.Join(dir, "nsswitch.conf"),
		"/etc/host.conf":     filepath.Join(dir, hostConf),
	}
	cfg := Config{
		HostsPath:      binds["/etc/hosts"],
		ServicesPath:   binds["/etc/services"],
		ProtocolsPath:  binds["/etc/protocols"],
		ResolvConfPath: binds["/etc/resolv.conf"],
		NsswitchPath:   binds["/etc/nsswitch.conf"],
		HostConfPath:   binds["/etc/host.conf"],
	}
	return binds, cfg
}

// needNamespace fails in CI and skips elsewhere when private mount
// namespaces are not available (not root, no unshare).
func needNamespace(t *testing.T) {
	t.Helper()
	needTool(t, "unshare")
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("the glibc differential tests need root for bind mounts in CI")
		}
		t.Skip("not root: cannot bind-mount over /etc")
	}
}

// gaiQueries: node, service, family, socktype, protocol, flags ("-" is
// NULL).
var gaiQueries = []string{
	"localhost\t-\t0\t0\t0\t0", "localhost\thttp\t0\t1\t0\t0", "localhost\t80\t2\t0\t0\t0",
	"localhost\t-\t10\t0\t0\t0", "localhost\t-\t10\t0\t0\t0x8", "localhost\t-\t2\t0\t0\t0x2",
	"alpha\t-\t0\t1\t0\t0x2", "alpha\t-\t2\t1\t0\t0x2", "alpha\t-\t10\t1\t0\t0x2", "ALPHA\t22\t0\t0\t0\t0",
	"Alpha.example.com\tssh\t2\t0\t0\t0x2", "mapped\t-\t0\t1\t0\t0", "mapped\t-\t2\t1\t0\t0", "mapped\t-\t10\t1\t0\t0x8",
	"dual\thttp\t0\t1\t0\t0x2", "dual\t-\t2\t0\t0\t0", "dual\t-\t10\t0\t0\t0", "dual\t-\t10\t2\t0\t0x18",
	"dual\t-\t10\t2\t0\t0x8", "v6only\t-\t2\t1\t0\t0", "v6only\t-\t10\t1\t0\t0x2", "v6only\t-\t0\t1\t0\t0x20",
	"multi\t-\t0\t1\t0\t0x2", "multi\t-\t2\t2\t0\t0", "t2\techo\t0\t0\t0\t0", "www\thttp\t2\t1\t0\t0x2",
	"nosuch\t-\t0\t0\t0\t0", "nosuch\thttp\t0\t1\t0\t0", "broken\t-\t0\t0\t0\t0", "localhost\t-\t10\t0\t0\t0x4",
	"127.0.0.1\t-\t0\t0\t0\t0", "127.0.0.1\t-\t10\t0\t0\t0", "127.0.0.1\t-\t10\t0\t0\t0x8", "127.0.0.1\t-\t0\t0\t0\t0x2",
	"1.2.3\t-\t2\t1\t0\t0", "0x7f.1\t-\t2\t1\t0\t0x2", "1.2.3.4 junk\t-\t0\t1\t0\t0x4", "::1\t-\t0\t0\t0\t0",
	"::1\t-\t2\t0\t0\t0", "::ffff:1.2.3.4\t-\t2\t1\t0\t0", "fe80::1%2\t-\t10\t1\t0\t0", "fe80::1%x\t-\t10\t1\t0\t0",
	"2001:db8::1\t-\t0\t1\t0\t0x4", "-\thttp\t0\t0\t0\t0", "-\thttp\t0\t0\t0\t0x1", "-\t80\t2\t0\t0\t0x1",
	"-\t80\t10\t2\t0\t0", "-\t-\t0\t0\t0\t0", "-\t80\t0\t0\t0\t0x2", "localhost\t-\t1\t0\t0\t0",
	"localhost\t-\t0\t0\t0\t0x800", "localhost\t-\t0\t99\t0\t0", "localhost\t-\t0\t0\t99\t0", "localhost\t80\t0\t3\t0\t0",
	"localhost\t-\t0\t3\t0\t0", "localhost\t-\t0\t3\t200\t0", "localhost\thttp\t0\t3\t0\t0", "localhost\thttp\t0\t2\t0\t0",
	"localhost\tnosuchserv\t0\t0\t0\t0", "localhost\thttp\t0\t0\t0\t0x400", "localhost\t80\t0\t0\t0\t0x400",
	"localhost\tsctponly\t0\t0\t0\t0", "localhost\tsctponly\t2\t1\t132\t0", "localhost\tsctponly\t2\t5\t0\t0",
	"localhost\tdccponly\t2\t0\t0\t0", "localhost\tdccponly\t2\t6\t0\t0", "localhost\tulite\t2\t0\t0\t0",
	"localhost\tulite\t2\t2\t136\t0", "localhost\tudponly\t2\t0\t0\t0", "localhost\tmdns\t2\t2\t0\t0",
	"localhost\t0\t2\t0\t0\t0", "localhost\t65535\t2\t1\t0\t0", "localhost\t65536\t2\t1\t0\t0",
	"localhost\tboth\t2\t0\t0\t0", "localhost\tb2\t2\t0\t0\t0", "localhost\techo\t2\t0\t17\t0",
	"localhost\techo\t2\t0\t6\t0", "localhost\techo\t2\t1\t17\t0", "localhost\t7\t2\t0\t33\t0",
	"crlf\t-\t2\t1\t0\t0x2", "dosline\t-\t2\t1\t0\t0x2", "loc\t-\t0\t1\t0\t0x22", "ip6-loopback\t-\t0\t1\t0\t0x2",
	"localhost\t-\t2\t1\t0\t0x1", "-\t53\t2\t2\t0\t0x5",
}

var gniQueries = []string{
	"10.0.0.1\t80\t0", "10.0.0.1\t80\t1", "10.0.0.99\t80\t0", "10.0.0.99\t80\t8", "10.0.0.1\t53\t16",
	"10.0.0.1\t1234\t0", "::1\t22\t0", "fe80::1\t7\t0", "2001:db8::10\t80\t2", "10.0.0.1\t80\t256",
	"127.0.0.1\t9\t16", "10.0.0.1\t80\t4", "10.0.0.9\t5353\t16", "2001:db8::50\t443\t3", "10.0.0.6\t1\t0",
}

var hostQueries = []string{
	"ghbn\talpha", "ghbn\tlocalhost", "ghbn\tloc", "ghbn\tmapped", "ghbn\tmulti", "ghbn\tALPHA", "ghbn\tt2",
	"ghbn\tbroken", "ghbn\tnosuch", "ghbn\tdual", "ghbn\tv6only", "ghbn\t10.0.0.1", "ghbn\twww", "ghbn\tMULTI",
	"ghbn2\talpha\t10", "ghbn2\tlocalhost\t10", "ghbn2\tdual\t10", "ghbn2\tv6only\t10", "ghbn2\tmapped\t10",
	"ghbn2\t::1\t10", "ghbn2\tnosuch\t10", "ghbn2\tlocalhost\t2",
	"ghba\t10.0.0.1", "ghba\t127.0.0.1", "ghba\t::1", "ghba\t10.0.0.6", "ghba\t10.0.0.99", "ghba\t2001:db8::50",
	"ghba\t10.0.0.9", "ghba\tfe80::1",
	"gsbn\thttp\ttcp", "gsbn\thttp\tudp", "gsbn\thttp\t-", "gsbn\twww\t-", "gsbn\techo\t-", "gsbn\techo\tudp",
	"gsbn\tnull\tudp", "gsbn\tsctponly\t-", "gsbn\tnosuch\t-", "gsbn\tslashes\t-", "gsbn\talt\ttcp",
	"gsbn\tnoproto\t-", "gsbn\tweird\t-", "gsbn\tHTTP\t-", "gsbn\tbad\t-",
	"gsbp\t80\ttcp", "gsbp\t7\t-", "gsbp\t7\tudp", "gsbp\t9\tudp", "gsbp\t4464\ttcp", "gsbp\t9999\t-",
	"gsbp\t1\tudp", "gsbp\t8080\t-",
	"gpbn\ttcp", "gpbn\tTCP", "gpbn\tIPv6", "gpbn\tnosuch", "gpbn\tneg", "gpbn\tbad", "gpbn\tTCPAGAIN",
	"gpbnum\t6", "gpbnum\t17", "gpbnum\t255", "gpbnum\t-1", "gpbnum\t99",
}

func field(s string) string {
	if s == "-" {
		return ""
	}
	return s
}

func atoi(s string) int {
	v, _ := strconv.ParseInt(s, 0, 64)
	return int(v)
}

// goProbe answers one probe query with resolv, printing as the probe does.
func goProbe(ctx context.Context, r *Resolver, q string) string {
	f := strings.Split(q, "\t")
	switch f[0] {
	case "gai":
		h := Hints{Family: atoi(f[3]), SockType: atoi(f[4]), Protocol: atoi(f[5]), Flags: atoi(f[6])}
		ais, err := r.GetAddrInfo(ctx, field(f[1]), field(f[2]), &h)
		if err != nil {
			e := err.(GaiError)
			return fmt.Sprintf("gai error %d %s\n", int(e), GaiStrerror(int(e)))
		}
		var b strings.Builder
		for _, ai := range ais {
			canon := "-"
			if ai.Flags&AI_CANONNAME != 0 && ai == ais[0] {
				canon = ai.CanonName
			}
			a, _ := InetNtop(ai.Addr.Addr().WithZone(""))
			fmt.Fprintf(&b, "gai flags=%s family=%d socktype=%d protocol=%d addr=%s port=%d canon=%s\n",
				cHex(ai.Flags), ai.Family, ai.SockType, ai.Protocol, a, ai.Addr.Port(), canon)
		}
		return b.String()
	case "gaistr":
		return "gaistr " + GaiStrerror(atoi(f[1])) + "\n"
	case "gni":
		a, _ := netip.ParseAddr(f[1])
		host, serv, err := r.GetNameInfo(ctx, netip.AddrPortFrom(a, uint16(atoi(f[2]))), atoi(f[3]))
		if err != nil {
			e := err.(GaiError)
			return fmt.Sprintf("gni error %d %s\n", int(e), GaiStrerror(int(e)))
		}
		return fmt.Sprintf("gni host=%s serv=%s\n", host, serv)
	}
	return goDB(ctx, r, f)
}

// cHex prints as C's "%#x".
func cHex(v int) string {
	if v == 0 {
		return "0"
	}
	return fmt.Sprintf("%#x", v)
}

func goDB(ctx context.Context, r *Resolver, f []string) string {
	cfg := r.Config()
	switch f[0] {
	case "ghbn":
		h, err := r.GetHostByName(ctx, f[1])
		return hostentText("ghbn", h, err)
	case "ghbn2":
		h, err := r.GetHostByName2(ctx, f[1], atoi(f[2]))
		return hostentText("ghbn2", h, err)
	case "ghba":
		h, err := r.GetHostByAddr(ctx, netip.MustParseAddr(f[1]))
		return hostentText("ghba", h, err)
	case "gsbn":
		return serventText(cfg.GetServByName(f[1], field(f[2])))
	case "gsbp":
		return serventText(cfg.GetServByPort(atoi(f[1]), field(f[2])))
	case "gpbn":
		return protoentText(cfg.GetProtoByName(f[1]))
	case "gpbnum":
		return protoentText(cfg.GetProtoByNumber(atoi(f[1])))
	}
	return "unknown op\n"
}

func hostentText(what string, h *HostEnt, err error) string {
	if err != nil {
		return fmt.Sprintf("%s h_errno=%d\n", what, int(err.(HError)))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s name=%s type=%d len=%d aliases=", what, h.Name, h.AddrType, h.Length)
	for _, a := range h.Aliases {
		b.WriteString(a + ",")
	}
	b.WriteString(" addrs=")
	for _, a := range h.AddrList {
		s, _ := InetNtop(a)
		b.WriteString(s + ",")
	}
	return b.String() + "\n"
}

func serventText(s *ServEnt, err error) string {
	if err != nil {
		return "serv none\n"
	}
	return fmt.Sprintf("serv name=%s port=%d proto=%s aliases=%s\n", s.Name, s.Port, s.Proto, joinComma(s.Aliases))
}

func protoentText(p *ProtoEnt, err error) string {
	if err != nil {
		return "proto none\n"
	}
	return fmt.Sprintf("proto name=%s number=%d aliases=%s\n", p.Name, p.Proto, joinComma(p.Aliases))
}

func joinComma(ss []string) string {
	var b strings.Builder
	for _, s := range ss {
		b.WriteString(s + ",")
	}
	return b.String()
}

// TestDifferentialGlibc runs every query through glibc (the probe, inside a
// mount namespace whose /etc files are the test files) and through resolv
// on the kernel provider, and requires equal answers.
func TestDifferentialGlibc(t *testing.T) {
	needNamespace(t)
	probe := buildProbe(t)
	for _, hostConf := range []string{"host.conf.on", "host.conf.off"} {
		t.Run(hostConf, func(t *testing.T) {
			binds, cfg := etcFiles(t, hostConf)
			var queries []string
			for _, q := range gaiQueries {
				queries = append(queries, "gai\t"+q)
			}
			for _, q := range gniQueries {
				queries = append(queries, "gni\t"+q)
			}
			queries = append(queries, hostQueries...)
			for code := -13; code <= 1; code++ {
				queries = append(queries, fmt.Sprintf("gaistr\t%d", code))
			}
			for code := -106; code <= -99; code++ {
				queries = append(queries, fmt.Sprintf("gaistr\t%d", code))
			}
			got := runProbe(t, probe, binds, queries)
			if len(got) != len(queries) {
				t.Fatalf("probe answered %d of %d queries", len(got), len(queries))
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			r := NewResolver(cfg, kernel.New())
			bad := 0
			for i, q := range queries {
				if want := goProbe(ctx, r, q); got[i] != want {
					bad++
					t.Errorf("%q:\nglibc:\n%sresolv:\n%s", q, got[i], want)
				}
			}
			t.Logf("%d queries compared with glibc, %d differ", len(queries), bad)
		})
	}
}
