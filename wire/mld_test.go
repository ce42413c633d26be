package wire

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
	"time"
)

const v6SolNodeHex = "ff0200000000000000000001ff000002" // ff02::1:ff00:2

var v6SolNode = netip.MustParseAddr("ff02::1:ff00:2")

func TestMLDv1_RFC2710Sec3(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want MLDFields
	}{
		// RFC 2710 §3.4, §3.6: a General Query has a zero address; delay 10000 ms.
		{"general query", "82 00 0000 2710 0000 00000000000000000000000000000000",
			MLDFields{Type: ICMPv6MLDQuery, MaxResponseDelay: 10000, MulticastAddr: netip.IPv6Unspecified()}},
		{"report", "83 00 0000 0000 0000" + v6SolNodeHex, MLDFields{Type: ICMPv6MLDReport, MulticastAddr: v6SolNode}},
		{"done", "84 00 0000 0000 0000" + v6SolNodeHex, MLDFields{Type: ICMPv6MLDDone, MulticastAddr: v6SolNode}},
	} {
		b := v6hex(t, tc.in)
		m, err := ParseMLD(b)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if m.Fields() != tc.want || m.IsV2Query() {
			t.Errorf("%s: %+v (v2 %v), want %+v", tc.name, m.Fields(), m.IsV2Query(), tc.want)
		}
		out := make([]byte, MLDLen)
		if n, err := tc.want.Encode(out); err != nil || n != MLDLen || !bytes.Equal(out, b) {
			t.Errorf("%s: Encode = %x, %v", tc.name, out, err)
		}
	}
	for _, tc := range []struct {
		in   string
		want error
	}{
		{"82 00 0000 2710 0000 0000", ErrTruncated},
		{"80 00 0000 0000 0000" + v6SolNodeHex, ErrUnsupported},
	} {
		if _, err := ParseMLD(v6hex(t, tc.in)); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.in, err, tc.want)
		}
	}
}

func TestMLDv2Query_RFC3810Sec5_1(t *testing.T) {
	// Multicast-Address-and-Source-Specific Query for ff05::1 from two
	// sources; Max Resp Code 10000, S set, QRV 2, QQIC 125.
	b := v6hex(t, "82 00 0000 2710 0000 ff050000000000000000000000000001 0a 7d 0002"+v6AddrHex)
	q, err := ParseMLDv2Query(b)
	if err != nil {
		t.Fatal(err)
	}
	if q.MaxRespCode() != 10000 || q.MaxRespDelay() != 10*time.Second || q.MulticastAddr() != netip.MustParseAddr("ff05::1") ||
		!q.SuppressRouterSide() || q.QRV() != 2 || q.QQIC() != 125 || q.QQI() != 125*time.Second || q.NumSources() != 2 ||
		q.Source(0) != v6Src || q.Source(1) != v6Dst || q.Source(2).IsValid() || q.Source(-1).IsValid() {
		t.Errorf("query fields wrong: code %d S %v QRV %d QQIC %d n %d", q.MaxRespCode(), q.SuppressRouterSide(), q.QRV(), q.QQIC(), q.NumSources())
	}
	if m, _ := ParseMLD(b); !m.IsV2Query() {
		t.Error("IsV2Query false for a 60-byte query")
	}
	f := MLDv2QueryFields{MaxRespCode: 10000, MulticastAddr: q.MulticastAddr(), SuppressRouterSide: true, QRV: 2, QQIC: 125,
		Sources: []netip.Addr{v6Src, v6Dst}}
	out := make([]byte, f.Len())
	if n, err := f.Encode(out); err != nil || n != 60 || !bytes.Equal(out, b) {
		t.Errorf("Encode = %x, %v", out, err)
	}
	// RFC 3810 §5.1.10: Number of Sources larger than the message.
	if _, err := ParseMLDv2Query(b[:59]); !errors.Is(err, ErrBadLength) {
		t.Errorf("sources past end: %v", err)
	}
	if _, err := ParseMLDv2Query(b[:27]); !errors.Is(err, ErrTruncated) {
		t.Errorf("27 bytes: %v", err)
	}
}

func TestMLDv2Report_RFC3810Sec5_2(t *testing.T) {
	// Two records: CHANGE_TO_EXCLUDE ff02::1:ff00:2 with no sources, and
	// ALLOW_NEW_SOURCES ff05::1 with one source and one word of aux data.
	b := v6hex(t, "8f 00 0000 0000 0002"+
		"04 00 0000"+v6SolNodeHex+
		"05 01 0001 ff050000000000000000000000000001"+v6AddrHex[:32]+"cafebabe")
	r, err := ParseMLDv2Report(b)
	if err != nil {
		t.Fatal(err)
	}
	if r.NumRecords() != 2 {
		t.Errorf("NumRecords %d", r.NumRecords())
	}
	var recs []MLDv2Record
	it := r.Records()
	for rec, ok := it.Next(); ok; rec, ok = it.Next() {
		recs = append(recs, rec)
	}
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	if recs[0].Type() != MLDv2ChangeToExclude || recs[0].MulticastAddr() != v6SolNode || recs[0].NumSources() != 0 || len(recs[0].AuxData()) != 0 {
		t.Errorf("record 0: %v %v", recs[0].Type(), recs[0].MulticastAddr())
	}
	if recs[1].Type() != MLDv2AllowNewSources || recs[1].NumSources() != 1 || recs[1].Source(0) != v6Src ||
		recs[1].AuxDataLen() != 1 || !bytes.Equal(recs[1].AuxData(), v6hex(t, "cafebabe")) || recs[1].Source(1).IsValid() {
		t.Errorf("record 1: %v %v", recs[1].Type(), recs[1].Source(0))
	}
	out := make([]byte, len(b))
	hf := MLDv2ReportFields{NumRecords: 2}
	n, _ := hf.Encode(out)
	for _, rf := range []MLDv2RecordFields{
		{Type: MLDv2ChangeToExclude, MulticastAddr: v6SolNode},
		{Type: MLDv2AllowNewSources, MulticastAddr: netip.MustParseAddr("ff05::1"), Sources: []netip.Addr{v6Src}, AuxData: v6hex(t, "cafebabe")},
	} {
		k, err := rf.Encode(out[n:])
		if err != nil {
			t.Fatal(err)
		}
		n += k
	}
	if n != len(b) || !bytes.Equal(out, b) {
		t.Errorf("Encode\n%x, want\n%x", out, b)
	}
	for _, l := range []int{7, 27, len(b) - 1} {
		if _, err := ParseMLDv2Report(b[:l]); err == nil {
			t.Errorf("%d bytes parsed", l)
		}
	}
	if _, err := ParseMLDv2Report(b[:len(b)-1]); !errors.Is(err, ErrBadLength) {
		t.Errorf("aux data past end: %v", err)
	}
	if MLDv2RecordType(4).String() != "to_ex" || MLDv2RecordType(9).String() != "record-type-9" {
		t.Error("MLDv2RecordType.String")
	}
}

func TestMLDv2_CodeEncodings_RFC3810Sec5_1_3And5_1_9(t *testing.T) {
	for _, tc := range []struct {
		code uint16
		want time.Duration
	}{
		{0, 0}, {32767, 32767 * time.Millisecond},
		{0x8000, 32768 * time.Millisecond},        // mant 0, exp 0: 0x1000 << 3
		{0xffff, 0x1fff << 10 * time.Millisecond}, // mant 0xfff, exp 7
		{0x9123, 0x1123 << 4 * time.Millisecond},  // exp 1
	} {
		if got := MLDv2MaxRespDelay(tc.code); got != tc.want {
			t.Errorf("MLDv2MaxRespDelay(%#x) = %v, want %v", tc.code, got, tc.want)
		}
	}
	for c := 0; c <= 0xffff; c++ {
		if got := MLDv2MaxRespCode(MLDv2MaxRespDelay(uint16(c))); got != uint16(c) {
			t.Fatalf("max resp code %#x round-trips to %#x", c, got)
		}
	}
	if MLDv2MaxRespCode(time.Hour*10) != 0xffff || MLDv2MaxRespCode(-time.Second) != 0 {
		t.Error("MLDv2MaxRespCode does not saturate")
	}
	if MLDv2MaxRespCode(32769*time.Millisecond) != 0x8000 {
		t.Error("MLDv2MaxRespCode does not round down")
	}
	if MLDv2QQI(0x80) != 128*time.Second || MLDv2QQI(0xff) != 0x1f<<10*time.Second {
		t.Errorf("QQI: %v %v", MLDv2QQI(0x80), MLDv2QQI(0xff))
	}
	for c := 0; c <= 0xff; c++ {
		if got := MLDv2QQIC(MLDv2QQI(uint8(c))); got != uint8(c) {
			t.Fatalf("QQIC %#x round-trips to %#x", c, got)
		}
	}
	if MLDv2QQIC(100*time.Hour) != 0xff {
		t.Error("MLDv2QQIC does not saturate")
	}
}

func TestMLD_ParseAllocs(t *testing.T) {
	b := v6hex(t, "8f 00 0000 0000 0002 04 00 0000"+v6SolNodeHex+
		"05 01 0001 ff050000000000000000000000000001"+v6AddrHex[:32]+"cafebabe")
	q := v6hex(t, "82 00 0000 2710 0000 ff050000000000000000000000000001 0a 7d 0002"+v6AddrHex)
	var sink int
	allocs := testing.AllocsPerRun(100, func() {
		r, err := ParseMLDv2Report(b)
		if err != nil {
			panic(err)
		}
		it := r.Records()
		for rec, ok := it.Next(); ok; rec, ok = it.Next() {
			sink += rec.NumSources() + int(rec.Type())
			if rec.NumSources() > 0 && rec.Source(0).Is6() {
				sink++
			}
		}
		mq, err := ParseMLDv2Query(q)
		if err != nil {
			panic(err)
		}
		sink += mq.NumSources()
		m, err := ParseMLD(q)
		if err != nil {
			panic(err)
		}
		sink += int(m.MaxResponseDelay())
	})
	if allocs != 0 {
		t.Errorf("MLD parse + record iteration: %v allocs, want 0", allocs)
	}
	_ = sink
}
