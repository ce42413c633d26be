package wire

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
)

// arpRequestBytes is an Ethernet/IPv4 request laid out as RFC 826 "Packet
// format" lists the fields: hrd, pro, hln, pln, op, sha, spa, tha, tpa.
var arpRequestBytes = []byte{
	0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 10, 0, 0, 1,
	0, 0, 0, 0, 0, 0, 10, 0, 0, 2,
}

func TestARPParse(t *testing.T) {
	a, err := ParseARP(append(append([]byte(nil), arpRequestBytes...), make([]byte, 18)...)) // Ethernet padding
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != ARPLen || a.HardwareType() != 1 || a.ProtocolType() != EtherTypeIPv4 ||
		a.HardwareLen() != 6 || a.ProtocolLen() != 4 || a.Op() != ARPRequest {
		t.Errorf("fixed fields: %v", a)
	}
	if a.SHA() != (MAC{2, 0, 0, 0, 0, 1}) || a.SPA() != netip.MustParseAddr("10.0.0.1") ||
		a.THA() != (MAC{}) || a.TPA() != netip.MustParseAddr("10.0.0.2") {
		t.Errorf("addresses: %v", a)
	}
	if s := a.String(); s != "arp request who-has 10.0.0.2 tell 10.0.0.1 (02:00:00:00:00:01)" {
		t.Errorf("String = %q", s)
	}
	// RFC 826 "Packet Reception": swap sender and target, put local
	// addresses in the sender fields, opcode reply.
	rep := NewARPReply(a, MAC{2, 0, 0, 0, 0, 2})
	buf := make([]byte, rep.Len())
	if _, err := rep.Encode(buf); err != nil {
		t.Fatal(err)
	}
	r, err := ParseARP(buf)
	if err != nil {
		t.Fatal(err)
	}
	if r.Op() != ARPReply || r.SHA() != (MAC{2, 0, 0, 0, 0, 2}) || r.SPA() != a.TPA() ||
		r.THA() != a.SHA() || r.TPA() != a.SPA() {
		t.Errorf("reply %v", r)
	}
	req := NewARPRequest(a.SHA(), a.SPA(), a.TPA())
	if _, err := req.Encode(buf); err != nil || !bytes.Equal(buf, arpRequestBytes) {
		t.Errorf("request encode % x, %v", buf, err)
	}
}

func TestARPErrors(t *testing.T) {
	if _, err := ParseARP(arpRequestBytes[:27]); !errors.Is(err, ErrTruncated) {
		t.Errorf("short: %v", err)
	}
	if _, err := ParseARP(arpRequestBytes[:7]); !errors.Is(err, ErrTruncated) {
		t.Errorf("very short: %v", err)
	}
	b := append([]byte(nil), arpRequestBytes...)
	b[1] = 6 // IEEE 802 hardware
	if _, err := ParseARP(b); !errors.Is(err, ErrUnsupported) {
		t.Errorf("hrd 6: %v", err)
	}
	b = append([]byte(nil), arpRequestBytes...)
	b[5] = 16
	if _, err := ParseARP(b); !errors.Is(err, ErrUnsupported) {
		t.Errorf("pln 16: %v", err)
	}
	f := ARPFields{SPA: netip.MustParseAddr("::1"), TPA: netip.MustParseAddr("10.0.0.1")}
	if _, err := f.Encode(make([]byte, ARPLen)); !errors.Is(err, ErrUnsupported) {
		t.Errorf("IPv6 SPA: %v", err)
	}
}

func TestARPAllocs(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		a, err := ParseARP(arpRequestBytes)
		if err != nil || a.Op() != ARPRequest || !a.TPA().IsValid() {
			t.Fatal("bad parse")
		}
	})
	if n != 0 {
		t.Fatalf("ParseARP allocates %v times", n)
	}
}

func FuzzARP(f *testing.F) {
	f.Add(arpRequestBytes)
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseARP(b)
		if err != nil {
			return
		}
		_ = a.String()
		fl := a.Fields()
		out := make([]byte, ARPLen)
		if _, err := fl.Encode(out); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, b[:ARPLen]) {
			t.Fatalf("round trip % x, want % x", out, b[:ARPLen])
		}
	})
}
