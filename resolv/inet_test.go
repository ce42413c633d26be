package resolv

import (
	"fmt"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

var inetInputs = []string{
	"1.2.3.4", "0.0.0.0", "255.255.255.255", "256.1.1.1", "1.2.3", "1.2", "1", "0x7f.1",
	"0177.0.0.1", "01.2.3.4", "08.1.1.1", "0x", "0xffffffff", "0x100000000", "4294967296",
	"1.2.3.4 junk", "1.2.3.4\tx", "1.2.3.4x", "1.2.3.4.", "1..2.3", ".1.2.3", "", " 1.2.3.4",
	"1.2.65535", "1.2.65536", "1.16777215", "1.16777216", "1.2.3.256", "0X1.0X2.0X3.0X4",
	"99999999999999999999", "1.2.3.04", "::", "::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::",
	"::1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", ":::", "1:", ":1", "::ffff:1.2.3.4",
	"::1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "::ffff:01.2.3.4", "ABCD::EF",
	"12345::", "1:0:0:1:0:0:0:1", "1:0:0:0:1:0:0:1", "0:0:1:0:0:0:0:0", "1:0:1:0:1:0:1:0",
	"::ffff:0.0.0.0", "::0.0.1.0", "2001:db8::1", "fe80::1%eth0", "1.2.3.4::", "::1.2.3",
	"1:2:3:4:5::1.2.3.4", "::ffff:1.2.3.4:1", "0:0:0:0:0:ffff:102:304", "64:ff9b::1.2.3.4",
	"1.2.3.4\n", "0x1.0x2.0x3.0x4", "00000000001.2.3.4",
}

// goInet prints our answers in the probe's format.
func goInet(op, s string) string {
	switch op {
	case "aton":
		a, ok := InetAton(s)
		if !ok {
			return "aton 0 00000000\n"
		}
		b := a.As4()
		return fmt.Sprintf("aton 1 %02x%02x%02x%02x\n", b[0], b[1], b[2], b[3])
	case "addr":
		return fmt.Sprintf("addr %08x\n", InetAddr(s))
	}
	af := unix.AF_INET
	if op == "pton6" {
		af = unix.AF_INET6
	}
	a, err := InetPton(af, s)
	if err != nil {
		return op + " 0 -\n"
	}
	txt, err := InetNtop(a)
	if err != nil {
		return op + " err\n"
	}
	return fmt.Sprintf("%s 1 %s\n", op, txt)
}

// TestInetAgainstGlibc compares inet_aton, inet_addr, inet_pton and
// inet_ntop with glibc's on a table of inputs.
func TestInetAgainstGlibc(t *testing.T) {
	probe := buildProbe(t)
	var queries, want []string
	for _, in := range inetInputs {
		if in == "1.2.3.4\n" {
			continue // the probe reads lines
		}
		for _, op := range []string{"aton", "addr", "pton4", "pton6"} {
			queries = append(queries, op+"\t"+in)
			want = append(want, goInet(op, in))
		}
	}
	got := runProbe(t, probe, nil, queries)
	if len(got) != len(queries) {
		t.Fatalf("probe answered %d of %d queries", len(got), len(queries))
	}
	for i := range queries {
		if got[i] != want[i] {
			t.Errorf("%q: glibc %q, resolv %q", queries[i], got[i], want[i])
		}
	}
	t.Logf("%d conversions compared with glibc", len(queries))
}

func TestInetNtopRFC5952(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},    // §4.2.3 first of equal runs
		{"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"}, // §4.2.2 no single group
		{"2001:0DB8::0001", "2001:db8::1"},               // §4.1, §4.3
		{"::ffff:c000:0280", "::ffff:192.0.2.128"},       // §5
		{"::", "::"},
	} {
		a := netip.MustParseAddr(c.in)
		if got, _ := InetNtop(a); got != c.want {
			t.Errorf("InetNtop(%s) = %s, want %s", c.in, got, c.want)
		}
	}
	if _, err := InetPton(unix.AF_UNIX, "1.2.3.4"); err != unix.EAFNOSUPPORT {
		t.Errorf("InetPton(AF_UNIX) err = %v, want EAFNOSUPPORT", err)
	}
	if InetAddr("255.255.255.255") != INADDR_NONE || InetAddr("x") != INADDR_NONE {
		t.Error("INADDR_NONE ambiguity not as documented")
	}
	if got := InetNtoa(netip.MustParseAddr("10.1.2.3")); got != "10.1.2.3" {
		t.Errorf("InetNtoa = %s", got)
	}
	if Htons(0x1234) != 0x3412 || Ntohl(Htonl(0x01020304)) != 0x01020304 || Htonl(0x01020304) != 0x04030201 || Ntohs(0x3412) != 0x1234 {
		t.Error("byte order on little-endian host")
	}
}
