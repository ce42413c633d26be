package wire

import (
	"bytes"
	"errors"
	"testing"
)

// collectTCPOptions iterates raw and returns every option and the error.
func collectTCPOptions(raw []byte) ([]TCPOption, error) {
	var opts []TCPOption
	it := IterTCPOptions(raw)
	for it.Next() {
		opts = append(opts, it.Option())
	}
	return opts, it.Err()
}

func TestTCPOptionIterLinuxSYN(t *testing.T) {
	seg, err := ParseTCP(tcpSYN)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := collectTCPOptions(seg.Options())
	if err != nil {
		t.Fatal(err)
	}
	kinds := []uint8{TCPOptMSS, TCPOptSACKPermitted, TCPOptTimestamps, TCPOptNOP, TCPOptWindowScale}
	if len(opts) != len(kinds) {
		t.Fatalf("%d options, want %d: %v", len(opts), len(kinds), opts)
	}
	total := 0
	for i, o := range opts {
		if o.Kind != kinds[i] {
			t.Errorf("option %d kind %d, want %d", i, o.Kind, kinds[i])
		}
		total += o.Len()
	}
	if total != 20 {
		t.Errorf("option lengths sum to %d, want 20", total)
	}
	// RFC 9293 §3.2: MSS, kind 2 length 4.
	if mss, ok := opts[0].MSS(); !ok || mss != 1460 {
		t.Errorf("MSS = %d, %v", mss, ok)
	}
	// RFC 2018 §2: SACK-permitted, kind 4 length 2.
	if !opts[1].SACKPermitted() {
		t.Error("SACK-permitted not recognised")
	}
	// RFC 7323 §3.2: Timestamps, kind 8 length 10.
	if val, ecr, ok := opts[2].Timestamps(); !ok || val != 1995164795 || ecr != 0 {
		t.Errorf("Timestamps = %d %d %v", val, ecr, ok)
	}
	// RFC 7323 §2.2: Window Scale, kind 3 length 3.
	if ws, ok := opts[4].WindowScale(); !ok || ws != 10 {
		t.Errorf("WindowScale = %d, %v", ws, ok)
	}
	// Typed accessors refuse other kinds.
	if _, ok := opts[0].WindowScale(); ok {
		t.Error("MSS option read as window scale")
	}
	if _, _, ok := opts[4].Timestamps(); ok {
		t.Error("WS option read as timestamps")
	}
	if _, ok := opts[2].SACKBlocks(); ok || opts[3].SACKPermitted() {
		t.Error("wrong kinds accepted")
	}
}

func TestTCPOptionSACKBlocks(t *testing.T) {
	// RFC 2018 §3: kind 5, length 8*n+2, n left/right edge pairs; as Linux
	// sends it after two NOPs.
	raw := []byte{1, 1, 5, 18,
		0, 0, 0x10, 0, 0, 0, 0x20, 0,
		0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0x10}
	opts, err := collectTCPOptions(raw)
	if err != nil || len(opts) != 3 {
		t.Fatalf("options %v, err %v", opts, err)
	}
	blocks, ok := opts[2].SACKBlocks()
	if !ok || blocks.Len() != 2 {
		t.Fatalf("SACKBlocks ok=%v len=%d", ok, blocks.Len())
	}
	want := []TCPSACKBlock{{0x1000, 0x2000}, {0xfffffff0, 0x10}}
	for i, w := range want {
		if got := blocks.At(i); got != w {
			t.Errorf("block %d = %+v, want %+v", i, got, w)
		}
	}
	if blocks.At(2) != (TCPSACKBlock{}) || blocks.At(-1) != (TCPSACKBlock{}) {
		t.Error("out-of-range At not zero")
	}
}

func TestTCPOptionIterEndAndUnknown(t *testing.T) {
	// An unknown option (kind 30, MPTCP) is kept whole; End stops the walk
	// and the padding after it is ignored even if not zero.
	raw := []byte{30, 4, 0xaa, 0xbb, 1, 0, 9, 9}
	opts, err := collectTCPOptions(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(opts) != 3 || opts[0].Kind != 30 || !bytes.Equal(opts[0].Data, []byte{0xaa, 0xbb}) ||
		opts[1].Kind != TCPOptNOP || opts[2].Kind != TCPOptEnd {
		t.Errorf("options %+v", opts)
	}
	if opts[0].Len() != 4 || opts[1].Len() != 1 || opts[2].Len() != 1 {
		t.Error("wrong Len")
	}
}

func TestTCPOptionIterMalformed(t *testing.T) {
	tests := []struct {
		name  string
		raw   []byte
		valid int // options yielded before the error
	}{
		// RFC 9293 §3.2: be prepared to handle an illegal option length
		// (e.g., zero).
		{"length zero", []byte{2, 0, 5, 0xb4}, 0},
		{"length one", []byte{1, 30, 1, 0}, 1},
		{"kind without length", []byte{1, 1, 1, 8}, 3},
		{"length past end", []byte{8, 10, 0, 0}, 0},
		{"MSS length 3", []byte{2, 3, 5, 1}, 0},
		{"MSS length 5", []byte{2, 5, 5, 0xb4, 0}, 0},
		{"WS length 4", []byte{3, 4, 7, 0}, 0},
		{"SACK-permitted length 3", []byte{4, 3, 0, 1}, 0},
		{"Timestamps length 6", []byte{8, 6, 0, 0, 0, 0}, 0},
		{"SACK no blocks", []byte{1, 1, 5, 2}, 2},
		{"SACK length 14", append([]byte{5, 14}, make([]byte, 12)...), 0},
	}
	for _, tt := range tests {
		opts, err := collectTCPOptions(tt.raw)
		if !errors.Is(err, ErrBadOption) {
			t.Errorf("%s: err = %v, want ErrBadOption", tt.name, err)
		}
		if len(opts) != tt.valid {
			t.Errorf("%s: %d options before the error, want %d", tt.name, len(opts), tt.valid)
		}
		if _, err := ParseTCPOptions(tt.raw); !errors.Is(err, ErrBadOption) {
			t.Errorf("%s: ParseTCPOptions err = %v", tt.name, err)
		}
	}
}

func TestTCPOptionAccessorsOnHandMadeOptions(t *testing.T) {
	// TCPOption's fields are exported, so accessors must check lengths
	// themselves rather than trust the iterator.
	bad := []TCPOption{{Kind: TCPOptMSS}, {Kind: TCPOptWindowScale}, {Kind: TCPOptTimestamps, Data: []byte{1}},
		{Kind: TCPOptSACK, Data: make([]byte, 7)}, {Kind: TCPOptSACK, Data: make([]byte, 40)}, {Kind: TCPOptSACKPermitted, Data: []byte{0}}}
	for _, o := range bad {
		_, ok1 := o.MSS()
		_, ok2 := o.WindowScale()
		_, _, ok3 := o.Timestamps()
		_, ok4 := o.SACKBlocks()
		if ok1 || ok2 || ok3 || ok4 || o.SACKPermitted() {
			t.Errorf("%+v accepted", o)
		}
	}
}

func TestTCPOptionsEncodeLinuxLayouts(t *testing.T) {
	tests := []struct {
		name string
		o    TCPOptions
		want []byte
	}{
		{"SYN like Linux", TCPOptions{HasMSS: true, MSS: 1460, SACKPermitted: true, HasTimestamps: true,
			TSVal: 1995164795, HasWindowScale: true, WindowScale: 10},
			tcpSYN[20:40]},
		{"data with timestamps", TCPOptions{HasTimestamps: true, TSVal: 1, TSEcr: 2},
			[]byte{1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2}},
		{"SYN without timestamps", TCPOptions{HasMSS: true, MSS: 536, SACKPermitted: true, HasWindowScale: true, WindowScale: 7},
			[]byte{2, 4, 2, 0x18, 1, 1, 4, 2, 1, 3, 3, 7}},
		{"SACK after timestamps", TCPOptions{HasTimestamps: true, TSVal: 3, TSEcr: 4, NumSACKBlocks: 1,
			SACKBlocks: [4]TCPSACKBlock{{100, 200}}},
			[]byte{1, 1, 8, 10, 0, 0, 0, 3, 0, 0, 0, 4, 1, 1, 5, 10, 0, 0, 0, 100, 0, 0, 0, 200}},
		{"four SACK blocks", TCPOptions{NumSACKBlocks: 4, SACKBlocks: [4]TCPSACKBlock{{1, 2}, {3, 4}, {5, 6}, {7, 8}}},
			[]byte{1, 1, 5, 34, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0, 8}},
		{"nothing", TCPOptions{}, []byte{}},
	}
	for _, tt := range tests {
		if tt.o.Len() != len(tt.want) {
			t.Errorf("%s: Len = %d, want %d", tt.name, tt.o.Len(), len(tt.want))
		}
		b := make([]byte, 40)
		n, err := tt.o.Encode(b)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !bytes.Equal(b[:n], tt.want) {
			t.Errorf("%s: encoded\n% x\nwant\n% x", tt.name, b[:n], tt.want)
		}
		back, err := ParseTCPOptions(b[:n])
		if err != nil || back != tt.o {
			t.Errorf("%s: parsed back %+v, %v; want %+v", tt.name, back, err, tt.o)
		}
	}
}

func TestTCPOptionsEncodeErrors(t *testing.T) {
	full := TCPOptions{HasMSS: true, HasTimestamps: true, NumSACKBlocks: 3}
	if full.Len() != 44 {
		t.Errorf("Len = %d, want 44", full.Len())
	}
	if _, err := full.Encode(make([]byte, 60)); !errors.Is(err, ErrBadOption) {
		t.Errorf("44 bytes: err = %v", err)
	}
	for _, n := range []int{-1, 5} {
		o := TCPOptions{NumSACKBlocks: n}
		o.Len() // must not panic
		if _, err := o.Encode(make([]byte, 60)); !errors.Is(err, ErrBadOption) {
			t.Errorf("%d blocks: err = %v", n, err)
		}
	}
	o := TCPOptions{HasMSS: true}
	if _, err := o.Encode(make([]byte, 3)); !errors.Is(err, ErrTruncated) {
		t.Errorf("short buffer: err = %v", err)
	}
}

func TestParseTCPOptionsDuplicatesAndUnknown(t *testing.T) {
	raw := []byte{2, 4, 0, 100, 30, 3, 0, 2, 4, 0, 200, 3, 3, 20, 0, 0}
	o, err := ParseTCPOptions(raw)
	if err != nil {
		t.Fatal(err)
	}
	// The later MSS wins; a shift above 14 is reported as sent
	// (RFC 7323 §2.3 tells the receiver to use 14).
	want := TCPOptions{HasMSS: true, MSS: 200, HasWindowScale: true, WindowScale: 20}
	if o != want {
		t.Errorf("got %+v, want %+v", o, want)
	}
}

func TestTCPOptionIterAllocs(t *testing.T) {
	raw := tcpSYN[20:40]
	var sink int
	allocs := testing.AllocsPerRun(100, func() {
		it := IterTCPOptions(raw)
		for it.Next() {
			o := it.Option()
			if v, ok := o.MSS(); ok {
				sink += int(v)
			}
			if v, _, ok := o.Timestamps(); ok {
				sink += int(v)
			}
		}
		if it.Err() != nil {
			panic(it.Err())
		}
		p, _ := ParseTCPOptions(raw)
		sink += int(p.MSS)
	})
	if allocs != 0 {
		t.Errorf("option iteration allocates %v times", allocs)
	}
	_ = sink
}
