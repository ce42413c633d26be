package tcp

import (
	"bytes"
	"testing"

	"sockstack/seqnum"
	"sockstack/wire"
)

func TestRing_WrapGrowAndSlice(t *testing.T) {
	r := ring{max: 10000}
	src := pattern(30000, 1)
	var got []byte
	scratch := make([]byte, 5000)
	w := 0
	for len(got) < len(src) {
		w += r.write(src[w:min(w+3333, len(src))])
		if r.n > r.max || len(r.buf) > r.max {
			t.Fatalf("ring over its limit: n %d buf %d", r.n, len(r.buf))
		}
		p := r.slice(0, min(r.n, 2500), scratch)
		got = append(got, p...)
		r.discard(len(p))
	}
	if !bytes.Equal(got, src) {
		t.Fatal("ring corrupted the stream")
	}
}

func TestRing_WriteAtBeyondHeld(t *testing.T) {
	r := ring{max: 100}
	r.writeAt(10, []byte("later"))
	r.writeAt(0, []byte("0123456789"))
	r.n = 15
	b := make([]byte, 20)
	if n := r.read(0, b); string(b[:n]) != "0123456789later" {
		t.Fatalf("read %q", b[:n])
	}
}

func TestOOOQueue_MergeAndPop(t *testing.T) {
	var q oooQueue
	q.add(30, 40)
	q.add(10, 20)
	q.add(50, 60)
	q.add(20, 30) // joins the first two
	if q.n != 2 || q.s[0] != (span{10, 40}) || q.s[1] != (span{50, 60}) {
		t.Fatalf("ranges %v", q.s[:q.n])
	}
	q.add(35, 55) // joins both
	if q.n != 1 || q.s[0] != (span{10, 60}) {
		t.Fatalf("ranges %v", q.s[:q.n])
	}
	if nxt := q.pop(5); nxt != 5 || q.n != 1 {
		t.Fatalf("pop before the range: %d, %d left", nxt, q.n)
	}
	if nxt := q.pop(10); nxt != 60 || q.n != 0 {
		t.Fatalf("pop at the range: %d, %d left", nxt, q.n)
	}
}

func TestOOOQueue_SACKOrderMostRecentFirst(t *testing.T) {
	var q oooQueue
	q.add(100, 110)
	q.add(300, 310)
	q.add(200, 210)
	var b [3]span
	n := q.sackBlocks(b[:])
	if n != 3 || b[0] != (span{200, 210}) {
		t.Fatalf("blocks %v, want the latest (200) first (RFC 2018 §4)", b[:n])
	}
}

func TestOOOQueue_WrapsSequenceSpace(t *testing.T) {
	var q oooQueue
	base := seqnum.Value(0xfffffff0)
	q.add(base.Add(0x20), base.Add(0x30))
	q.add(base, base.Add(0x10))
	if q.n != 2 || q.s[0].start != base {
		t.Fatalf("ranges across the wrap %v", q.s[:q.n])
	}
}

func TestSegment_EncodeRoundTrip(t *testing.T) {
	s := Segment{SrcPort: 1, DstPort: 2, Seq: 3, Ack: 4, Flags: fACK | fPSH, Window: 5, Payload: []byte("xyz")}
	s.Options.HasTimestamps, s.Options.TSVal, s.Options.TSEcr = true, 7, 8
	s.Options.NumSACKBlocks, s.Options.SACKBlocks[0] = 1, wire.TCPSACKBlock{Left: 10, Right: 20}
	v := view(t, s)
	o, err := wire.ParseTCPOptions(v.Options())
	if err != nil || v.Seq() != 3 || v.Ack() != 4 || v.Window() != 5 || string(v.Payload()) != "xyz" ||
		o.TSVal != 7 || o.NumSACKBlocks != 1 || o.SACKBlocks[0].Right != 20 {
		t.Fatalf("round trip: %v %+v %v", v.Fields(), o, err)
	}
	if s.Len() != 3 || (&Segment{Flags: fSYN | fFIN}).Len() != 2 {
		t.Fatal("Segment.Len")
	}
	if _, err := s.Encode(make([]byte, 10)); err == nil {
		t.Fatal("encode into a short buffer succeeded")
	}
}

func TestState_OrderPredicates(t *testing.T) {
	for s := Closed; s <= TimeWait; s++ {
		if s.String() == "STATE?" {
			t.Fatalf("state %d has no name", s)
		}
		if s.canSend() != (s == SynSent || s == SynReceived || s == Established || s == CloseWait) {
			t.Fatalf("%v canSend %v", s, s.canSend())
		}
	}
	if State(99).String() != "STATE?" {
		t.Fatal("unknown state name")
	}
}
