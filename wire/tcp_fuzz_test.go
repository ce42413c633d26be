package wire

import (
	"bytes"
	"errors"
	"testing"
)

// The seed corpora live in testdata/fuzz/FuzzUDP, FuzzTCP and FuzzTCPOptions
// as well as in the f.Add calls, which hold the layouts the table tests use.

func FuzzUDP(f *testing.F) {
	f.Add([]byte{0x30, 0x39, 0x00, 0x35, 0x00, 0x0b, 0xab, 0xcd, 'h', 'e', 'y', 0, 0})
	f.Add([]byte{0, 1, 0, 2, 0, 8, 0, 0})
	f.Add([]byte{0, 1, 0, 2, 0, 7, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		u, err := ParseUDP(b)
		if err != nil {
			return
		}
		if int(u.Length()) != len(u.Bytes()) || len(u.Payload())+UDPHeaderLen != len(u.Bytes()) {
			t.Fatalf("length %d, view %d, payload %d", u.Length(), len(u.Bytes()), len(u.Payload()))
		}
		f := u.Fields()
		out := make([]byte, len(u.Bytes()))
		copy(out[UDPHeaderLen:], u.Payload())
		if n, err := f.Encode(out); err != nil || n != UDPHeaderLen {
			t.Fatalf("Encode(Fields()) = %d, %v", n, err)
		}
		if !bytes.Equal(out, u.Bytes()) {
			t.Fatalf("rebuilt % x, want % x", out, u.Bytes())
		}
		v, err := ParseUDP(out)
		if err != nil || v.Fields() != f {
			t.Fatalf("reparse: %v, %+v != %+v", err, v.Fields(), f)
		}
		// A checksum set for any addresses verifies for them.
		v.SetChecksum(udpSrc6, udpDst6)
		if !v.VerifyChecksum(udpSrc6, udpDst6) || v.Checksum() == 0 {
			t.Fatalf("checksum %#04x does not verify", v.Checksum())
		}
	})
}

func FuzzTCP(f *testing.F) {
	f.Add(append(append([]byte(nil), tcpSYN...), "payload"...))
	f.Add([]byte{0, 80, 0x9c, 0x40, 0, 0, 0, 1, 0, 0, 0, 2, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0, 'x'})
	f.Add([]byte{0, 80, 0x9c, 0x40, 0, 0, 0, 1, 0, 0, 0, 2, 0x60, 0x10, 0xff, 0xff, 0, 0, 0, 0, 2, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		seg, err := ParseTCP(b)
		if err != nil {
			return
		}
		if seg.HeaderLen()+len(seg.Payload()) != len(b) || len(seg.Options()) != seg.HeaderLen()-TCPMinHeaderLen {
			t.Fatalf("header %d, options %d, payload %d of %d",
				seg.HeaderLen(), len(seg.Options()), len(seg.Payload()), len(b))
		}
		// Build from the parsed fields into fresh bytes, parse again,
		// compare.
		f := seg.Fields()
		out := make([]byte, len(b))
		n, err := f.Encode(out)
		if err != nil || n != seg.HeaderLen() {
			t.Fatalf("Encode(Fields()) = %d, %v", n, err)
		}
		copy(out[n:], seg.Payload())
		if !bytes.Equal(out, b) {
			t.Fatalf("rebuilt\n% x\nwant\n% x", out, b)
		}
		again, err := ParseTCP(out)
		if err != nil {
			t.Fatal(err)
		}
		g := again.Fields()
		if g.SrcPort != f.SrcPort || g.Seq != f.Seq || g.Ack != f.Ack || g.Flags != f.Flags ||
			g.Window != f.Window || g.Urgent != f.Urgent || g.Reserved != f.Reserved ||
			g.Checksum != f.Checksum || !bytes.Equal(g.Options, f.Options) {
			t.Fatalf("reparse %+v != %+v", g, f)
		}
		_ = again.Flags().String()
		checkTCPOptionsFuzz(t, seg.Options())
	})
}

func FuzzTCPOptions(f *testing.F) {
	f.Add(tcpSYN[20:40])
	f.Add([]byte{1, 1, 8, 10, 0, 0, 0, 3, 0, 0, 0, 4, 1, 1, 5, 10, 0, 0, 0, 100, 0, 0, 0, 200})
	f.Add([]byte{30, 4, 0xaa, 0xbb, 1, 0, 9, 9})
	f.Add([]byte{2, 0, 5, 0xb4})
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) > TCPMaxOptionsLen {
			raw = raw[:TCPMaxOptionsLen]
		}
		checkTCPOptionsFuzz(t, raw)
	})
}

// checkTCPOptionsFuzz checks the option iterator and the typed round trip on
// any option bytes: no panic, options tile the bytes they cover, and
// ParseTCPOptions, Encode, ParseTCPOptions gives back the same options.
func checkTCPOptionsFuzz(t *testing.T, raw []byte) {
	it := IterTCPOptions(raw)
	used := 0
	for it.Next() {
		o := it.Option()
		used += o.Len()
		if used > len(raw) {
			t.Fatalf("options cover %d of %d bytes", used, len(raw))
		}
		o.MSS()
		o.WindowScale()
		o.Timestamps()
		o.SACKPermitted()
		if s, ok := o.SACKBlocks(); ok {
			for i := range s.Len() + 1 {
				s.At(i)
			}
		}
	}
	if it.Err() != nil && !errors.Is(it.Err(), ErrBadOption) {
		t.Fatalf("iterator error %v does not wrap ErrBadOption", it.Err())
	}
	if it.Next() {
		t.Fatal("Next after the end")
	}
	o, err := ParseTCPOptions(raw)
	if err != nil {
		return
	}
	enc := make([]byte, TCPMaxOptionsLen)
	n, err := o.Encode(enc)
	if err != nil {
		// Only a combination too long for the NOP-aligned layout.
		if !errors.Is(err, ErrBadOption) || o.Len() <= TCPMaxOptionsLen {
			t.Fatalf("Encode(%+v): %v", o, err)
		}
		return
	}
	if n != o.Len() || n%4 != 0 {
		t.Fatalf("Encode wrote %d, Len %d", n, o.Len())
	}
	back, err := ParseTCPOptions(enc[:n])
	if err != nil || back != o {
		t.Fatalf("round trip %+v, %v; want %+v", back, err, o)
	}
}
