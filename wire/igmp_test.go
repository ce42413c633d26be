package wire

import (
	"bytes"
	"errors"
	"net/netip"
	"reflect"
	"testing"
	"time"
)

func igmpBuild(t testing.TB, f IGMPFields) IGMP {
	t.Helper()
	b := make([]byte, f.Len())
	if _, err := f.Encode(b); err != nil {
		t.Fatalf("Encode(%+v): %v", f, err)
	}
	m, err := ParseIGMP(b)
	if err != nil {
		t.Fatal(err)
	}
	if !m.ChecksumValid() {
		t.Fatalf("checksum of %v does not verify", m)
	}
	return m
}

func TestIGMPQueryVersions(t *testing.T) {
	// RFC 3376 §7.1: 8 octets and Max Resp Code 0 is v1; 8 octets and
	// non-zero is v2; 12 or more is v3.
	m := igmpBuild(t, IGMPFields{Type: IGMPMembershipQuery})
	if m.QueryVersion() != 1 || m.MaxRespTime() != 10*time.Second || len(m) != 8 {
		t.Errorf("v1 %v", m)
	}
	m = igmpBuild(t, IGMPFields{Type: IGMPMembershipQuery, MaxRespCode: 100, Group: addr4("239.1.2.3")})
	if m.QueryVersion() != 2 || m.MaxRespTime() != 10*time.Second || m.Group() != addr4("239.1.2.3") {
		t.Errorf("v2 %v", m)
	}
	// RFC 3376 §4.1: Resv|S|QRV, QQIC, Number of Sources, sources. Max Resp
	// Code 0x8f = mant 15, exp 0: (0x1f) << 3 = 248 tenths (§4.1.1); QQIC
	// 0x90 = mant 0, exp 1: 0x10 << 4 = 256 s (§4.1.7).
	m = igmpBuild(t, IGMPFields{Type: IGMPMembershipQuery, V3: true, MaxRespCode: 0x8f, S: true, QRV: 2,
		QQIC: 0x90, Group: addr4("232.1.1.1"), Sources: []netip.Addr{addr4("10.0.0.1"), addr4("10.0.0.2")}})
	if len(m) != 20 || m[8] != 0x0a || m[9] != 0x90 || m[11] != 2 {
		t.Fatalf("v3 layout % x", []byte(m))
	}
	if m.QueryVersion() != 3 || !m.SFlag() || m.QRV() != 2 || m.MaxRespTime() != 24800*time.Millisecond ||
		m.QQI() != 256*time.Second || m.NumSources() != 2 || m.Source(1) != addr4("10.0.0.2") || m.Source(2).IsValid() {
		t.Errorf("v3 %v", m)
	}
}

func TestIGMPv3Report(t *testing.T) {
	// RFC 3376 §4.2: type 0x22, reserved, checksum, reserved, Number of
	// Group Records; each record: type, aux len, number of sources,
	// multicast address, sources, aux data.
	f := IGMPFields{Type: IGMPv3Report, Records: []IGMPRecordFields{
		{Type: IGMPChangeToExclude, Group: addr4("239.0.0.1")},
		{Type: IGMPAllowNewSources, Group: addr4("232.0.0.2"), Sources: []netip.Addr{addr4("192.0.2.1")}, AuxData: []byte{1, 2, 3, 4}},
	}}
	m := igmpBuild(t, f)
	want := []byte{0x22, 0, m[2], m[3], 0, 0, 0, 2,
		4, 0, 0, 0, 239, 0, 0, 1,
		5, 1, 0, 1, 232, 0, 0, 2, 192, 0, 2, 1, 1, 2, 3, 4}
	if !bytes.Equal(m, want) {
		t.Fatalf("report % x\nwant   % x", []byte(m), want)
	}
	if m.NumRecords() != 2 || !reflect.DeepEqual(m.Fields(), IGMPFields{Type: IGMPv3Report, Records: []IGMPRecordFields{
		{Type: IGMPChangeToExclude, Group: addr4("239.0.0.1"), AuxData: []byte{}},
		f.Records[1]}}) {
		t.Errorf("fields %+v", m.Fields())
	}
	if s := m.String(); s != "igmp v3 report, TO_EX 239.0.0.1 [], ALLOW 232.0.0.2 [192.0.2.1]" {
		t.Errorf("String %q", s)
	}
	n := testing.AllocsPerRun(100, func() {
		m, err := ParseIGMP(want)
		if err != nil {
			t.Fatal(err)
		}
		it := m.Records()
		c := 0
		for r, ok := it.Next(); ok; r, ok = it.Next() {
			c += r.NumSources() + len(r.AuxData())
			_ = r.Source(0)
		}
		if c != 5 {
			t.Fatal("bad records")
		}
	})
	if n != 0 {
		t.Fatalf("IGMP parse and record iteration allocate %v times", n)
	}
}

func TestIGMPReportsAndLeave(t *testing.T) {
	// RFC 2236 §2: type, max resp time (0 in reports), checksum, group.
	for _, typ := range []IGMPType{IGMPv1Report, IGMPv2Report, IGMPLeaveGroup} {
		m := igmpBuild(t, IGMPFields{Type: typ, Group: addr4("224.0.0.251")})
		if len(m) != 8 || m[0] != byte(typ) || m.Group() != addr4("224.0.0.251") || m.QueryVersion() != 0 {
			t.Errorf("%v", m)
		}
	}
}

func TestIGMPParseErrors(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"short", make([]byte, 7), ErrTruncated},
		{"query of 10 octets (RFC 3376 §7.1)", []byte{0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0}, ErrBadLength},
		{"v3 query sources missing", []byte{0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, ErrTruncated},
		{"v3 report record missing", []byte{0x22, 0, 0, 0, 0, 0, 0, 1}, ErrTruncated},
		{"v3 report aux data missing", []byte{0x22, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 239, 0, 0, 1}, ErrTruncated},
	}
	for _, tc := range tests {
		if _, err := ParseIGMP(tc.b); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	f := IGMPFields{Type: IGMPv3Report, Records: []IGMPRecordFields{{AuxData: []byte{1}}}}
	if _, err := f.Encode(make([]byte, 64)); !errors.Is(err, ErrBadLength) {
		t.Errorf("aux data of 1 byte: %v", err)
	}
}

func FuzzIGMP(f *testing.F) {
	f.Add([]byte{0x11, 0x64, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0x11, 0x8f, 0, 0, 232, 1, 1, 1, 0x0a, 0x90, 0, 1, 10, 0, 0, 1})
	f.Add([]byte{0x22, 0, 0, 0, 0, 0, 0, 2, 4, 0, 0, 0, 239, 0, 0, 1, 5, 1, 0, 1, 232, 0, 0, 2, 192, 0, 2, 1, 1, 2, 3, 4})
	f.Add([]byte{0x17, 0, 0, 0, 239, 1, 1, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseIGMP(b)
		if err != nil {
			return
		}
		_ = m.String()
		fl := m.Fields()
		out := make([]byte, fl.Len())
		if _, err := fl.Encode(out); err != nil {
			t.Fatalf("Encode(%+v): %v", fl, err)
		}
		m2, err := ParseIGMP(out)
		if err != nil || !m2.ChecksumValid() {
			t.Fatalf("reparse %v: %v", m2, err)
		}
		if !reflect.DeepEqual(m2.Fields(), fl) {
			t.Fatalf("round trip %+v, want %+v", m2.Fields(), fl)
		}
	})
}
