package wire

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
)

func addr4(s string) netip.Addr { return netip.MustParseAddr(s) }

func TestIPv4OptionBuildersLayout(t *testing.T) {
	a, b := addr4("10.0.0.1"), addr4("10.0.0.2")
	must := func(x []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	tests := []struct {
		name string
		got  []byte
		want []byte
	}{
		// RFC 791 §3.1 Record Route: type 7, length, pointer (4 = empty).
		{"RR one recorded two free", must(AppendIPv4RecordRoute(nil, []netip.Addr{a}, 2)),
			[]byte{7, 15, 8, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}},
		// RFC 791 §3.1 Loose/Strict Source and Record Route: 131/137, ptr 4.
		{"LSRR", must(AppendIPv4Route(nil, IPv4OptLSRR, 4, []netip.Addr{a, b})),
			[]byte{131, 11, 4, 10, 0, 0, 1, 10, 0, 0, 2}},
		{"SSRR", must(AppendIPv4Route(nil, IPv4OptSSRR, 8, []netip.Addr{a})),
			[]byte{137, 7, 8, 10, 0, 0, 1}},
		// RFC 791 §3.1 Internet Timestamp: 68, length, pointer (5 = empty),
		// overflow/flag.
		{"TS flag 0", must(AppendIPv4Timestamp(nil, IPv4TSOnly, 0, []IPv4TSEntry{{Time: 0x01020304}}, 1, 1)),
			[]byte{68, 12, 9, 0x00, 1, 2, 3, 4, 0, 0, 0, 0}},
		{"TS flag 1", must(AppendIPv4Timestamp(nil, IPv4TSAddr, 2, []IPv4TSEntry{{Addr: a, Time: 7}}, 1, 0)),
			[]byte{68, 12, 13, 0x21, 10, 0, 0, 1, 0, 0, 0, 7}},
		{"TS flag 3", must(AppendIPv4Timestamp(nil, IPv4TSPrespec, 0, []IPv4TSEntry{{Addr: a}, {Addr: b}}, 0, 0)),
			[]byte{68, 20, 5, 0x03, 10, 0, 0, 1, 0, 0, 0, 0, 10, 0, 0, 2, 0, 0, 0, 0}},
		// RFC 2113 §2.1: 10010100 00000100 value.
		{"RA", AppendIPv4RouterAlert(nil, 0), []byte{0x94, 0x04, 0, 0}},
		// RFC 1108 §2: type 130, length, classification, authority flags.
		{"SEC", must(AppendIPv4Security(nil, 0x5a, []byte{0x80})), []byte{130, 4, 0x5a, 0x80}},
		{"NOP End pad", PadIPv4Options(AppendIPv4End(AppendIPv4NOP(nil))), []byte{1, 0, 0, 0}},
	}
	for _, tc := range tests {
		if !bytes.Equal(tc.got, tc.want) {
			t.Errorf("%s: % x, want % x", tc.name, tc.got, tc.want)
		}
	}
}

func TestIPv4OptionIterDecodes(t *testing.T) {
	a, b := addr4("192.0.2.9"), addr4("192.0.2.10")
	var opts []byte
	opts = AppendIPv4NOP(opts)
	opts, _ = AppendIPv4RecordRoute(opts, []netip.Addr{a}, 1)
	opts, _ = AppendIPv4Timestamp(opts, IPv4TSAddr, 3, []IPv4TSEntry{{Addr: b, Time: 99}}, 1, 0)
	opts = AppendIPv4RouterAlert(opts, 7)
	opts, _ = AppendIPv4Option(opts, 25, []byte{0xaa}) // unknown type kept
	opts = AppendIPv4End(opts)
	opts = PadIPv4Options(opts)
	if len(opts) != 32 {
		t.Fatalf("options length %d", len(opts))
	}
	var seen []IPv4Option
	it := IPv4Options(opts).Iter()
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		seen = append(seen, o)
	}
	if it.Err() != nil || len(seen) != 6 {
		t.Fatalf("iterated %v, err %v", seen, it.Err())
	}
	if o := seen[1]; o.Type != IPv4OptRecordRoute || o.Pointer() != 8 || o.NumAddrs() != 2 || o.Addr(0) != a ||
		o.Addr(1) != addr4("0.0.0.0") || o.Addr(2).IsValid() || o.Offset != 1 || o.Type.Copied() {
		t.Errorf("RR %v", o)
	}
	if o := seen[2]; o.TSFlag() != IPv4TSAddr || o.Overflow() != 3 || o.NumEntries() != 1 ||
		o.Entry(0) != (IPv4TSEntry{Addr: b, Time: 99}) || o.Pointer() != 13 {
		t.Errorf("TS %v", o)
	}
	if o := seen[3]; o.RouterAlert() != 7 || !o.Type.Copied() {
		t.Errorf("RA %v", o)
	}
	if o := seen[4]; o.Type != 25 || !bytes.Equal(o.Data, []byte{0xaa}) || o.Len() != 3 {
		t.Errorf("unknown %v", o)
	}
	if seen[5].Type != IPv4OptEnd {
		t.Errorf("last %v", seen[5])
	}
	if s := seen[1].String(); s != "RR ptr 8 192.0.2.9 0.0.0.0" {
		t.Errorf("RR String %q", s)
	}
	// Timestamp flag 0 entries are 4 bytes; flag 3 carries addresses.
	ts0, _ := AppendIPv4Timestamp(nil, IPv4TSOnly, 0, []IPv4TSEntry{{Time: 5}, {Time: 6}}, 2, 0)
	it = IPv4Options(ts0).Iter()
	if o, ok := it.Next(); !ok || o.NumEntries() != 2 || o.Entry(1).Time != 6 || o.Entry(1).Addr.IsValid() {
		t.Errorf("TS flag 0: %v", o)
	}
	sec, _ := AppendIPv4Security(nil, 0xab, []byte{0x81, 0x00})
	it = IPv4Options(sec).Iter()
	if o, ok := it.Next(); !ok || o.Classification() != 0xab || !bytes.Equal(o.Authority(), []byte{0x81, 0}) {
		t.Errorf("SEC: %v", o)
	}
}

func TestIPv4OptionIterErrors(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		off  int
	}{
		{"length octet missing", []byte{1, 7}, 1},
		{"length 1", []byte{7, 1, 4, 0}, 0},
		{"length beyond options", []byte{1, 1, 7, 9, 4, 0, 0, 0}, 2},
		{"RR pointer 3 (RFC 791: minimum 4)", []byte{7, 7, 3, 0, 0, 0, 0, 0}, 0},
		{"LSRR without pointer", []byte{131, 2, 0, 0}, 0},
		{"TS pointer 4 (minimum 5)", []byte{68, 8, 4, 0, 0, 0, 0, 0}, 0},
		{"TS flag 2", []byte{68, 8, 5, 2, 0, 0, 0, 0}, 0},
		{"RA length 6 (RFC 2113: 4)", []byte{148, 6, 0, 0, 0, 0, 0, 0}, 0},
		{"SEC length 2", []byte{130, 2, 0, 0}, 0},
	}
	for _, tc := range tests {
		it := IPv4Options(tc.b).Iter()
		for _, ok := it.Next(); ok; _, ok = it.Next() {
		}
		if !errors.Is(it.Err(), ErrBadOption) || it.ErrOffset() != tc.off {
			t.Errorf("%s: err %v at %d, want ErrBadOption at %d", tc.name, it.Err(), it.ErrOffset(), tc.off)
		}
	}
}

func TestIPv4OptionBuilderErrors(t *testing.T) {
	many := make([]netip.Addr, 10) // 3+40 bytes > 40
	if _, err := AppendIPv4Route(nil, IPv4OptLSRR, 4, many); !errors.Is(err, ErrBadOption) {
		t.Errorf("10 hops: %v", err)
	}
	if _, err := AppendIPv4Route(nil, IPv4OptTimestamp, 4, nil); !errors.Is(err, ErrBadOption) {
		t.Errorf("TS as route: %v", err)
	}
	if _, err := AppendIPv4RecordRoute(nil, nil, 10); !errors.Is(err, ErrBadOption) {
		t.Errorf("RR 10 slots: %v", err)
	}
	if _, err := AppendIPv4Timestamp(nil, 2, 0, nil, 0, 1); !errors.Is(err, ErrBadOption) {
		t.Errorf("TS flag 2: %v", err)
	}
	if _, err := AppendIPv4Timestamp(nil, IPv4TSAddr, 0, nil, 0, 5); !errors.Is(err, ErrBadOption) {
		t.Errorf("TS 5 pairs (44 bytes): %v", err)
	}
	if _, err := AppendIPv4Option(nil, IPv4OptNOP, []byte{1}); !errors.Is(err, ErrBadOption) {
		t.Errorf("NOP with data: %v", err)
	}
}

func TestIPv4OptionAppendAllocs(t *testing.T) {
	buf := make([]byte, 0, IPv4MaxOptionsLen)
	hops := []netip.Addr{addr4("10.0.0.1"), addr4("10.0.0.2")}
	n := testing.AllocsPerRun(100, func() {
		b, err := AppendIPv4Route(buf[:0], IPv4OptLSRR, 4, hops)
		if err != nil {
			t.Fatal(err)
		}
		b = AppendIPv4RouterAlert(b, 0)
		if len(PadIPv4Options(b)) != 16 {
			t.Fatal("bad length")
		}
	})
	if n != 0 {
		t.Fatalf("option builders allocate %v times", n)
	}
}
