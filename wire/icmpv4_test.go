package wire

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

func icmpBuild(t testing.TB, f ICMPv4Fields, payload []byte) ICMPv4 {
	t.Helper()
	b := make([]byte, f.Len()+len(payload))
	copy(b[f.Len():], payload)
	if _, err := f.Encode(b); err != nil {
		t.Fatalf("Encode(%+v): %v", f, err)
	}
	m, err := ParseICMPv4(b)
	if err != nil {
		t.Fatal(err)
	}
	if !m.ChecksumValid() {
		t.Fatalf("checksum of %v does not verify", m)
	}
	return m
}

func TestICMPv4Messages(t *testing.T) {
	quote := make([]byte, 28)
	quote[0] = 0x45
	// RFC 792 Echo: type 8, code 0, id, seq, data.
	m := icmpBuild(t, ICMPv4Fields{Type: ICMPv4Echo, ID: 0x1234, Seq: 7}, []byte("ping"))
	if !bytes.Equal(m[:8:8], []byte{8, 0, m[2], m[3], 0x12, 0x34, 0, 7}) || string(m.Data()) != "ping" {
		t.Errorf("echo % x", []byte(m))
	}
	if s := m.String(); s != "echo request id 4660 seq 7 len 12" {
		t.Errorf("String %q", s)
	}
	// RFC 1191 §4: Fragmentation Needed carries the next-hop MTU in the low
	// 16 bits of the second word.
	m = icmpBuild(t, ICMPv4Fields{Type: ICMPv4DestUnreachable, Code: ICMPv4FragmentationNeeded, NextHopMTU: 1400}, quote)
	if m[6] != 0x05 || m[7] != 0x78 || m.NextHopMTU() != 1400 || !bytes.Equal(m.OriginalDatagram(), quote) || m.Extension() != nil {
		t.Errorf("frag needed %v", m)
	}
	// RFC 792 Redirect: gateway in the second word.
	m = icmpBuild(t, ICMPv4Fields{Type: ICMPv4Redirect, Code: ICMPv4RedirectHost, Gateway: addr4("10.1.2.3")}, quote)
	if !bytes.Equal(m[4:8], []byte{10, 1, 2, 3}) || m.Gateway() != addr4("10.1.2.3") {
		t.Errorf("redirect %v", m)
	}
	// RFC 792 Parameter Problem: pointer in the fifth octet.
	m = icmpBuild(t, ICMPv4Fields{Type: ICMPv4ParamProblem, Pointer: 20}, quote)
	if m[4] != 20 || m.Pointer() != 20 {
		t.Errorf("param problem %v", m)
	}
	// RFC 792 Timestamp: originate, receive, transmit after id/seq.
	m = icmpBuild(t, ICMPv4Fields{Type: ICMPv4TimestampReply, ID: 1, Seq: 2, Originate: 3, Receive: 4, Transmit: 5}, nil)
	if len(m) != 20 || m[11] != 3 || m[15] != 4 || m[19] != 5 || m.Originate() != 3 || m.Receive() != 4 || m.Transmit() != 5 {
		t.Errorf("timestamp % x", []byte(m))
	}
	// RFC 950 Appendix I: address mask after id/seq.
	m = icmpBuild(t, ICMPv4Fields{Type: ICMPv4AddressMaskReply, Mask: addr4("255.255.255.0")}, nil)
	if len(m) != 12 || m.AddressMask() != addr4("255.255.255.0") {
		t.Errorf("mask % x", []byte(m))
	}
	// RFC 1256 §3: Num Addrs, Addr Entry Size 2, Lifetime, (address, preference) pairs.
	m = icmpBuild(t, ICMPv4Fields{Type: ICMPv4RouterAdvert, Lifetime: 1800,
		Routers: []ICMPv4RouterEntry{{addr4("10.0.0.1"), 0}, {addr4("10.0.0.2"), -1}}}, nil)
	if len(m) != 24 || m[4] != 2 || m[5] != 2 || m.Lifetime() != 1800 || m.NumAddrs() != 2 ||
		m.Router(1) != (ICMPv4RouterEntry{addr4("10.0.0.2"), -1}) || m.Router(2) != (ICMPv4RouterEntry{}) {
		t.Errorf("router advert %v", m)
	}
	m = icmpBuild(t, ICMPv4Fields{Type: ICMPv4RouterSolicit}, nil)
	if !bytes.Equal(m[4:], []byte{0, 0, 0, 0}) {
		t.Errorf("solicit % x", []byte(m))
	}
	for _, typ := range []ICMPv4Type{ICMPv4SourceQuench, ICMPv4InfoRequest, ICMPv4InfoReply, ICMPv4TimeExceeded} {
		m = icmpBuild(t, ICMPv4Fields{Type: typ, ID: 9}, quote)
		if m.Type() != typ || m.Type().String() == "" {
			t.Errorf("%v", m)
		}
	}
}

func TestICMPv4Extension(t *testing.T) {
	// RFC 4884 §4.1: the length attribute counts 32-bit words of the
	// original datagram, padded to at least 128 octets (§5.1), and the
	// extension structure follows (§7: version 2).
	orig := make([]byte, 128)
	orig[0] = 0x45
	ext := []byte{0x20, 0, 0, 0, 0, 8, 1, 1, 0, 0, 0, 5}
	m := icmpBuild(t, ICMPv4Fields{Type: ICMPv4TimeExceeded, Length: 32}, append(orig, ext...))
	if m[5] != 32 || m.Length() != 32 || !bytes.Equal(m.OriginalDatagram(), orig) || !bytes.Equal(m.Extension(), ext) {
		t.Fatalf("extension: len %d orig %d ext % x", m.Length(), len(m.OriginalDatagram()), m.Extension())
	}
	// RFC 4884 §5.5: a length beyond the message, or below 128 octets, is
	// ignored: all of the body is the original datagram.
	for _, l := range []uint8{40, 8} {
		m = icmpBuild(t, ICMPv4Fields{Type: ICMPv4DestUnreachable, Length: l}, append(orig, ext...))
		if len(m.OriginalDatagram()) != 140 || m.Extension() != nil {
			t.Errorf("length %d: orig %d ext % x", l, len(m.OriginalDatagram()), m.Extension())
		}
	}
	if m := icmpBuild(t, ICMPv4Fields{Type: ICMPv4Echo, Seq: 32}, orig); m.Length() != 0 || m.Extension() != nil {
		t.Errorf("echo has no length attribute: %d", m.Length())
	}
}

func TestICMPv4ParseErrors(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"short", make([]byte, 7), ErrTruncated},
		{"timestamp short (RFC 792: 20 bytes)", []byte{13, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, ErrTruncated},
		{"mask short (RFC 950: 12 bytes)", []byte{17, 0, 0, 0, 0, 0, 0, 0, 0}, ErrTruncated},
		{"advert entries missing", []byte{9, 0, 0, 0, 2, 2, 0, 30, 10, 0, 0, 1, 0, 0, 0, 0}, ErrTruncated},
		{"advert entry size 1 (RFC 1256: 2)", []byte{9, 0, 0, 0, 1, 1, 0, 30, 10, 0, 0, 1}, ErrBadLength},
	}
	for _, tc := range tests {
		if _, err := ParseICMPv4(tc.b); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestICMPv4CodeStrings(t *testing.T) {
	if s := ICMPv4DestUnreachable.CodeString(ICMPv4PortUnreachable); s != "port unreachable" {
		t.Error(s)
	}
	if s := ICMPv4DestUnreachable.CodeString(ICMPv4PrecedenceCutoff); s != "precedence cutoff" {
		t.Error(s)
	}
	if s := ICMPv4TimeExceeded.CodeString(ICMPv4ReassemblyTimeout); s != "reassembly timeout" {
		t.Error(s)
	}
	if s := ICMPv4Type(200).String(); s != "ICMPv4Type(200)" {
		t.Error(s)
	}
	if !ICMPv4Redirect.IsError() || ICMPv4Echo.IsError() || !ICMPv4AddressMaskReply.IsQuery() {
		t.Error("IsError/IsQuery")
	}
}

func TestICMPv4Allocs(t *testing.T) {
	b := make([]byte, 64)
	b[0] = byte(ICMPv4Echo)
	n := testing.AllocsPerRun(100, func() {
		m, err := ParseICMPv4(b)
		if err != nil || m.Type() != ICMPv4Echo || len(m.Data()) != 56 {
			t.Fatal("bad parse")
		}
	})
	if n != 0 {
		t.Fatalf("ParseICMPv4 allocates %v times", n)
	}
}

func FuzzICMPv4(f *testing.F) {
	f.Add([]byte{8, 0, 0xf7, 0xf8, 0, 1, 0, 6, 'h', 'i'})
	f.Add([]byte{3, 4, 0, 0, 0, 0, 5, 0x78, 0x45, 0, 0, 20})
	f.Add([]byte{9, 0, 0, 0, 1, 3, 0, 30, 10, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0})
	f.Add([]byte{13, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5})
	f.Add(append([]byte{11, 0, 0, 0, 0, 32, 0, 0}, make([]byte, 140)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseICMPv4(b)
		if err != nil {
			return
		}
		_ = m.String()
		_, _ = m.OriginalDatagram(), m.Extension()
		fl := m.Fields()
		body := b[min(fl.Len(), len(b)):]
		out := make([]byte, fl.Len()+len(body))
		copy(out[fl.Len():], body)
		if _, err := fl.Encode(out); err != nil {
			t.Fatalf("Encode(%+v): %v", fl, err)
		}
		m2, err := ParseICMPv4(out)
		if err != nil || !m2.ChecksumValid() {
			t.Fatalf("reparse %v: %v", m2, err)
		}
		if !reflect.DeepEqual(m2.Fields(), fl) || !bytes.Equal(m2.Extension(), m.Extension()) {
			t.Fatalf("round trip %+v, want %+v", m2.Fields(), fl)
		}
	})
}
