package resolv

import (
	"net/netip"
	"testing"
)

func entry(dst, src string) sortEntry {
	e := sortEntry{dst: netip.MustParseAddr(dst)}
	if src != "" {
		e.src = netip.MustParseAddr(src)
	}
	return e
}

// TestCompareDestRules exercises each RFC 6724 §6 rule that sock.API lets
// us apply, with the sources given.
func TestCompareDestRules(t *testing.T) {
	for _, c := range []struct {
		rule string
		a, b sortEntry // a must be preferred
	}{
		{"1 usable", entry("2001:db8::1", "2001:db8::2"), entry("fe80::1", "")},
		{"2 matching scope", entry("198.51.100.1", "198.51.100.2"), entry("2001:db8::1", "fe80::2")},
		{"5 matching label", entry("198.51.100.1", "198.51.100.2"), entry("2001:db8::1", "fd00::2")},
		{"6 precedence ::1 over IPv4", entry("::1", "::1"), entry("127.0.0.1", "127.0.0.1")},
		{"6 precedence IPv6 over IPv4", entry("2001:db8::1", "2001:db8::2"), entry("198.51.100.1", "198.51.100.2")},
		// RFC 6724 §10.3 example: ULA (precedence 3) sorts after IPv4 (35).
		{"6 IPv4 over ULA", entry("198.51.100.1", "198.51.100.2"), entry("fd00::1", "fd00::2")},
		{"8 smaller scope", entry("fe80::1", "fe80::2"), entry("2001:db8::1", "2001:db8::2")},
		{"9 longest prefix", entry("2001:db8:1::1", "2001:db8:1::2"), entry("2001:db8:2::1", "2001:db8:1::2")},
	} {
		if got := compareDest(c.a, c.b); got >= 0 {
			t.Errorf("rule %s: compareDest(a, b) = %d, want a first", c.rule, got)
		}
		if got := compareDest(c.b, c.a); got <= 0 {
			t.Errorf("rule %s: compareDest(b, a) = %d, want a first", c.rule, got)
		}
	}
	// Rule 10: IPv4 destinations differing only in bits are left in order.
	if got := compareDest(entry("10.0.0.1", "192.0.2.2"), entry("192.0.2.9", "192.0.2.2")); got != 0 {
		t.Errorf("rule 10: compareDest = %d, want 0", got)
	}
}

func TestPolicyTable(t *testing.T) {
	for _, c := range []struct {
		addr        string
		prec, label int
	}{
		{"::1", 50, 0}, {"2001:db8::1", 40, 1}, {"10.1.2.3", 35, 4}, {"2002:c000:204::1", 30, 2},
		{"2001:0:1::1", 5, 5}, {"fd12::1", 3, 13}, {"::1.2.3.4", 1, 3}, {"fec0::1", 1, 11}, {"3ffe::1", 1, 12},
	} {
		p := policyOf(netip.MustParseAddr(c.addr))
		if p.precedence != c.prec || p.label != c.label {
			t.Errorf("%s: precedence %d label %d, want %d %d", c.addr, p.precedence, p.label, c.prec, c.label)
		}
	}
	for addr, scope := range map[string]int{"127.0.0.1": 2, "169.254.1.1": 2, "10.0.0.1": 14, "fe80::1": 2, "::1": 2,
		"fec0::1": 5, "ff05::1": 5, "ff02::1": 2, "2001:db8::1": 14} {
		if got := scopeOf(netip.MustParseAddr(addr)); got != scope {
			t.Errorf("scope(%s) = %d, want %d", addr, got, scope)
		}
	}
}
