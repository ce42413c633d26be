package wire

import (
	"bytes"
	"errors"
	"net/netip"
	"reflect"
	"testing"
)

func TestEthernetParse(t *testing.T) {
	tests := []struct {
		name    string
		b       []byte
		wantErr error
		typ     EtherType
		tags    []VLANTag
		hlen    int
	}{
		{
			// RFC 894: dst, src, type, data.
			name: "untagged IPv4",
			b:    []byte{1, 2, 3, 4, 5, 6, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0x08, 0x00, 0x45},
			typ:  EtherTypeIPv4, hlen: 14,
		},
		{
			// IEEE 802.1Q: TPID 0x8100, TCI = PCP(3) DEI(1) VID(12).
			name: "one 802.1Q tag",
			b:    []byte{1, 2, 3, 4, 5, 6, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0x81, 0x00, 0xb0, 0x05, 0x08, 0x06},
			typ:  EtherTypeARP, hlen: 18,
			tags: []VLANTag{{TPID: EtherTypeVLAN, PCP: 5, DEI: true, VID: 5}},
		},
		{
			name: "QinQ",
			b: []byte{1, 2, 3, 4, 5, 6, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0x88, 0xa8, 0x0f, 0xff,
				0x81, 0x00, 0x20, 0x64, 0x86, 0xdd},
			typ: EtherTypeIPv6, hlen: 22,
			tags: []VLANTag{{TPID: EtherTypeQinQ, VID: 4095}, {TPID: EtherTypeVLAN, PCP: 1, VID: 100}},
		},
		{name: "short", b: make([]byte, 13), wantErr: ErrTruncated},
		{name: "tag truncated", b: []byte{1, 2, 3, 4, 5, 6, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0x81, 0x00, 0, 1}, wantErr: ErrTruncated},
		{
			name: "three tags",
			b: []byte{1, 2, 3, 4, 5, 6, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0x81, 0, 0, 1, 0x81, 0, 0, 2,
				0x81, 0, 0, 3, 8, 0},
			wantErr: ErrUnsupported,
		},
		{name: "802.3 length", b: []byte{1, 2, 3, 4, 5, 6, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0x00, 0x2e}, wantErr: ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := ParseEthernet(tc.b)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if e.Dst() != (MAC{1, 2, 3, 4, 5, 6}) || e.Src() != (MAC{0xa, 0xb, 0xc, 0xd, 0xe, 0xf}) {
				t.Errorf("addresses %v", e)
			}
			if e.EtherType() != tc.typ || e.HeaderLen() != tc.hlen || e.NumTags() != len(tc.tags) {
				t.Errorf("got %v hlen %d tags %d", e, e.HeaderLen(), e.NumTags())
			}
			for i, want := range tc.tags {
				if got := e.Tag(i); got != want {
					t.Errorf("tag %d = %+v, want %+v", i, got, want)
				}
			}
			if !bytes.Equal(e.Payload(), tc.b[tc.hlen:]) {
				t.Errorf("payload % x", e.Payload())
			}
			// Rebuild and compare bytes.
			f := e.Fields()
			out := make([]byte, f.Len())
			if n, err := f.Encode(out); err != nil || !bytes.Equal(out[:n], tc.b[:tc.hlen]) {
				t.Errorf("Encode = % x, %v; want % x", out[:n], err, tc.b[:tc.hlen])
			}
		})
	}
}

func TestMAC(t *testing.T) {
	m := MAC{0x02, 0, 0x5e, 0x10, 0xab, 0xff}
	if m.String() != "02:00:5e:10:ab:ff" || m.IsMulticast() || m.IsBroadcast() {
		t.Errorf("%v", m)
	}
	if b := BroadcastMAC(); !b.IsBroadcast() || !b.IsMulticast() {
		t.Errorf("broadcast %v", b)
	}
	// RFC 1112 §6.4: 224.255.1.2 and 239.127.1.2 both map to 01:00:5e:7f:01:02.
	for _, g := range []string{"224.255.1.2", "239.127.1.2"} {
		if got := IPv4MulticastMAC(netip.MustParseAddr(g)); got != (MAC{1, 0, 0x5e, 0x7f, 1, 2}) {
			t.Errorf("%s -> %v", g, got)
		}
	}
	if got := IPv4MulticastMAC(netip.MustParseAddr("10.0.0.1")); got != (MAC{}) {
		t.Errorf("unicast -> %v", got)
	}
}

func TestEthernetEncodeErrors(t *testing.T) {
	f := EthernetFields{EtherType: EtherTypeIPv4, Tags: make([]VLANTag, 3)}
	if _, err := f.Encode(make([]byte, 64)); !errors.Is(err, ErrUnsupported) {
		t.Errorf("3 tags: %v", err)
	}
	f = EthernetFields{EtherType: EtherTypeIPv4}
	if _, err := f.Encode(make([]byte, 13)); !errors.Is(err, ErrTruncated) {
		t.Errorf("short: %v", err)
	}
	f = EthernetFields{EtherType: 0x05dc}
	if _, err := f.Encode(make([]byte, 14)); !errors.Is(err, ErrUnsupported) {
		t.Errorf("length as type: %v", err)
	}
}

func TestEthernetAllocs(t *testing.T) {
	b := []byte{1, 2, 3, 4, 5, 6, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0x81, 0x00, 0xb0, 0x05, 0x08, 0x06, 0}
	n := testing.AllocsPerRun(100, func() {
		e, err := ParseEthernet(b)
		if err != nil || e.Tag(0).VID != 5 || e.EtherType() != EtherTypeARP || len(e.Payload()) != 1 {
			t.Fatal("bad parse")
		}
	})
	if n != 0 {
		t.Fatalf("ParseEthernet allocates %v times", n)
	}
}

func FuzzEthernet(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0x08, 0x00, 0x45})
	f.Add([]byte{1, 2, 3, 4, 5, 6, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0x88, 0xa8, 0x0f, 0xff, 0x81, 0x00, 0x20, 0x64, 0x86, 0xdd})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseEthernet(b)
		if err != nil {
			return
		}
		_ = e.String()
		fl := e.Fields()
		out := make([]byte, fl.Len()+len(e.Payload()))
		n, err := fl.Encode(out)
		if err != nil {
			t.Fatalf("Encode(%+v): %v", fl, err)
		}
		copy(out[n:], e.Payload())
		if !bytes.Equal(out, b) {
			t.Fatalf("round trip % x, want % x", out, b)
		}
		e2, err := ParseEthernet(out)
		if err != nil || !reflect.DeepEqual(e2.Fields(), fl) {
			t.Fatalf("reparse %v %v", e2, err)
		}
	})
}
