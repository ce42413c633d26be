package wire

import (
	"bytes"
	"errors"
	"testing"
)

// tcpSYN is a SYN as Linux 6.x sends it (from wire/testdata/pcap/tcp4-http):
// RFC 9293 §3.1 header with data offset 10 and the options MSS 1460,
// SACK-permitted, Timestamps, NOP, Window Scale 10.
var tcpSYN = []byte{
	0xa2, 0xd6, 0x1f, 0x90, // ports 41686 -> 8080
	0xc0, 0xcb, 0xca, 0x54, // seq 3234581076
	0x00, 0x00, 0x00, 0x00, // ack 0
	0xa0, 0x02, 0xfa, 0xf0, // offset 10, SYN, window 64240
	0x12, 0x34, 0x00, 0x00, // checksum, urgent
	0x02, 0x04, 0x05, 0xb4, // MSS 1460
	0x04, 0x02, 0x08, 0x0a, // SACK-permitted, Timestamps
	0x76, 0xeb, 0xcc, 0x7b, // TSval 1995164795
	0x00, 0x00, 0x00, 0x00, // TSecr 0
	0x01, 0x03, 0x03, 0x0a, // NOP, WS 10
}

func TestParseTCPLayout(t *testing.T) {
	b := append(append([]byte(nil), tcpSYN...), "payload"...)
	seg, err := ParseTCP(b)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want uint64
	}{
		{"SrcPort", uint64(seg.SrcPort()), 41686},
		{"DstPort", uint64(seg.DstPort()), 8080},
		{"Seq", uint64(seg.Seq()), 3234581076},
		{"Ack", uint64(seg.Ack()), 0},
		{"DataOffset", uint64(seg.DataOffset()), 10},
		{"HeaderLen", uint64(seg.HeaderLen()), 40},
		{"Reserved", uint64(seg.Reserved()), 0},
		{"Flags", uint64(seg.Flags()), uint64(TCPFlagSYN)},
		{"Window", uint64(seg.Window()), 64240},
		{"Checksum", uint64(seg.Checksum()), 0x1234},
		{"Urgent", uint64(seg.Urgent()), 0},
		{"len(Options)", uint64(len(seg.Options())), 20},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if string(seg.Payload()) != "payload" {
		t.Errorf("Payload = %q", seg.Payload())
	}
	if !bytes.Equal(seg.Bytes(), b) {
		t.Error("Bytes is not the whole segment")
	}
}

func TestParseTCPErrors(t *testing.T) {
	hdr := func(off byte, n int) []byte {
		b := make([]byte, n)
		b[12] = off << 4
		return b
	}
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"19 bytes", hdr(5, 19), ErrTruncated},
		// RFC 9293 §3.1: the header is at least 5 words.
		{"offset 0", hdr(0, 20), ErrBadHeaderLength},
		{"offset 4", hdr(4, 40), ErrBadHeaderLength},
		{"offset 6, 20 bytes", hdr(6, 20), ErrTruncated},
		{"offset 15, 59 bytes", hdr(15, 59), ErrTruncated},
	}
	for _, tt := range tests {
		if _, err := ParseTCP(tt.b); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	for _, ok := range [][]byte{hdr(5, 20), hdr(15, 60), hdr(5, 1500)} {
		if _, err := ParseTCP(ok); err != nil {
			t.Errorf("offset %d len %d: %v", ok[12]>>4, len(ok), err)
		}
	}
}

func TestTCPFlags(t *testing.T) {
	// RFC 9293 §3.1 control bits in octet 13: CWR ECE URG ACK PSH RST SYN FIN.
	b := make([]byte, 20)
	b[12] = 5 << 4
	for bit, f := range []TCPFlags{TCPFlagFIN, TCPFlagSYN, TCPFlagRST, TCPFlagPSH,
		TCPFlagACK, TCPFlagURG, TCPFlagECE, TCPFlagCWR} {
		b[13] = 1 << bit
		seg, err := ParseTCP(b)
		if err != nil {
			t.Fatal(err)
		}
		if seg.Flags() != f || !seg.Flags().Has(f) {
			t.Errorf("bit %d: Flags = %#x, want %#x", bit, seg.Flags(), f)
		}
	}
	tests := []struct {
		f    TCPFlags
		want string
	}{
		{0, "[none]"},
		{TCPFlagSYN, "[S]"},
		{TCPFlagSYN | TCPFlagACK, "[S.]"},
		{TCPFlagACK, "[.]"},
		{TCPFlagPSH | TCPFlagACK, "[P.]"},
		{TCPFlagFIN | TCPFlagACK, "[F.]"},
		{TCPFlagRST, "[R]"},
		{TCPFlagRST | TCPFlagACK, "[R.]"},
		{TCPFlagSYN | TCPFlagECE | TCPFlagCWR, "[SEW]"},
		{TCPFlagURG | TCPFlagACK, "[.U]"},
		{0xff, "[FSRP.UEW]"},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("%#02x.String() = %q, want %q", uint8(tt.f), got, tt.want)
		}
	}
	if (TCPFlagSYN | TCPFlagACK).Has(TCPFlagSYN | TCPFlagFIN) {
		t.Error("Has reports a missing flag")
	}
}

func TestTCPEncodeRoundTrip(t *testing.T) {
	seg, err := ParseTCP(tcpSYN)
	if err != nil {
		t.Fatal(err)
	}
	f := seg.Fields()
	buf := make([]byte, 100)
	off := 80
	n, err := f.Encode(buf[off-f.Len() : off])
	if err != nil || n != 40 {
		t.Fatalf("Encode = %d, %v", n, err)
	}
	if !bytes.Equal(buf[off-40:off], tcpSYN) {
		t.Errorf("re-encoded\n% x\nwant\n% x", buf[off-40:off], tcpSYN)
	}

	f2 := TCPFields{SrcPort: 1, DstPort: 2, Seq: 3, Ack: 4, Reserved: 0xf5,
		Flags: TCPFlagRST | TCPFlagACK, Window: 5, Checksum: 6, Urgent: 7}
	b := make([]byte, 20)
	if _, err := f2.Encode(b); err != nil {
		t.Fatal(err)
	}
	want := []byte{0, 1, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0x55, 0x14, 0, 5, 0, 6, 0, 7}
	if !bytes.Equal(b, want) {
		t.Errorf("encoded % x, want % x (reserved masked to 4 bits)", b, want)
	}
}

func TestTCPEncodeErrors(t *testing.T) {
	tests := []struct {
		name string
		opts int
		buf  int
		want error
	}{
		{"options not word-aligned", 3, 60, ErrBadOption},
		{"options too long", 44, 80, ErrBadOption},
		{"buffer short", 8, 27, ErrTruncated},
	}
	for _, tt := range tests {
		f := TCPFields{Options: make([]byte, tt.opts)}
		if _, err := f.Encode(make([]byte, tt.buf)); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestTCPChecksum(t *testing.T) {
	for _, fam := range []struct {
		name string
		v6   bool
	}{{"v4", false}, {"v6", true}} {
		src, dst := udpSrc4, udpDst4
		if fam.v6 {
			src, dst = udpSrc6, udpDst6
		}
		for _, n := range []int{0, 1, 1448} {
			b := make([]byte, 40+n)
			copy(b, tcpSYN)
			for i := 40; i < len(b); i++ {
				b[i] = byte(i)
			}
			seg, err := ParseTCP(b)
			if err != nil {
				t.Fatal(err)
			}
			seg.SetChecksum(src, dst)
			b2 := append([]byte(nil), b...)
			b2[16], b2[17] = 0, 0
			want := xportRefChecksum(xportRefPseudo(src, dst, 6, len(b)), b2)
			if seg.Checksum() != want {
				t.Errorf("%s/%d: checksum %#04x, want %#04x", fam.name, n, seg.Checksum(), want)
			}
			if !seg.VerifyChecksum(src, dst) {
				t.Errorf("%s/%d: own checksum does not verify", fam.name, n)
			}
			b[4] ^= 1
			if seg.VerifyChecksum(src, dst) {
				t.Errorf("%s/%d: corrupted segment verifies", fam.name, n)
			}
		}
	}
}
