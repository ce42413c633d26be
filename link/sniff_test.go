package link

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

type capturedFrame struct {
	data []byte
	dir  Direction
}

// sniffTraffic sends frames both ways over a sniffed pipe end and returns
// the capture and the frames in capture order.
func sniffTraffic(t *testing.T, k Kind) ([]byte, []capturedFrame) {
	t.Helper()
	var buf bytes.Buffer
	a, b := Pipe(PipeOptions{Kind: k})
	sa := Sniff(a, &buf)
	var ra, rb recorder
	sa.Attach(&ra)
	b.Attach(&rb)
	var want []capturedFrame
	for i := range 3 {
		f := seqFrame(k, uint64(i), 60+i*500)
		if _, err := sa.WritePackets([][]byte{f}); err != nil {
			t.Fatal(err)
		}
		want = append(want, capturedFrame{f, DirOutbound})
		rb.waitFrames(t, i+1, 5*time.Second)
		g := seqFrame(k, uint64(100+i), 61+i)
		if _, err := b.WritePackets([][]byte{g}); err != nil {
			t.Fatal(err)
		}
		want = append(want, capturedFrame{g, DirInbound})
		ra.waitFrames(t, i+1, 5*time.Second)
	}
	sa.Close()
	b.Close()
	if err := sa.Err(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), want
}

func TestSniff_ReadBackWithPcapgo(t *testing.T) {
	for _, k := range []Kind{KindIP, KindEthernet} {
		t.Run(k.String(), func(t *testing.T) {
			before := time.Now()
			capture, want := sniffTraffic(t, k)
			r, err := pcapgo.NewNgReader(bytes.NewReader(capture), pcapgo.DefaultNgReaderOptions)
			if err != nil {
				t.Fatal(err)
			}
			wantLT := layers.LinkTypeRaw
			if k == KindEthernet {
				wantLT = layers.LinkTypeEthernet
			}
			if r.LinkType() != wantLT {
				t.Errorf("link type %v, want %v", r.LinkType(), wantLT)
			}
			var last time.Time
			for i, w := range want {
				data, ci, err := r.ReadPacketData()
				if err != nil {
					t.Fatalf("packet %d: %v", i, err)
				}
				if !bytes.Equal(data, w.data) || ci.Length != len(w.data) || ci.CaptureLength != len(w.data) {
					t.Errorf("packet %d: got %d bytes (len %d), want %d", i, len(data), ci.Length, len(w.data))
				}
				if ci.Timestamp.Before(before) || ci.Timestamp.Before(last) || ci.Timestamp.After(time.Now()) {
					t.Errorf("packet %d: timestamp %v out of range", i, ci.Timestamp)
				}
				last = ci.Timestamp
			}
			if _, _, err := r.ReadPacketData(); !errors.Is(err, io.EOF) {
				t.Errorf("after last packet: %v, want EOF", err)
			}
			dirs := epbDirections(t, capture)
			for i, w := range want {
				if i < len(dirs) && dirs[i] != w.dir {
					t.Errorf("packet %d direction %d, want %d", i, dirs[i], w.dir)
				}
			}
			if len(dirs) != len(want) {
				t.Errorf("%d EPBs, want %d", len(dirs), len(want))
			}
		})
	}
}

// epbDirections walks the blocks of a little-endian pcapng file and
// returns the epb_flags direction of each Enhanced Packet Block.
func epbDirections(t *testing.T, b []byte) []Direction {
	t.Helper()
	var dirs []Direction
	for len(b) > 0 {
		if len(b) < 12 {
			t.Fatalf("trailing %d bytes", len(b))
		}
		typ, n := binary.LittleEndian.Uint32(b), int(binary.LittleEndian.Uint32(b[4:]))
		if n%4 != 0 || n > len(b) || binary.LittleEndian.Uint32(b[n-4:]) != uint32(n) {
			t.Fatalf("bad block length %d", n)
		}
		if typ == blockEPB {
			capLen := int(binary.LittleEndian.Uint32(b[20:]))
			opts := b[28+(capLen+3)&^3 : n-4]
			dir := DirUnknown
			for len(opts) >= 4 {
				code, l := binary.LittleEndian.Uint16(opts), int(binary.LittleEndian.Uint16(opts[2:]))
				if code == optEpbFlags && l == 4 {
					dir = Direction(binary.LittleEndian.Uint32(opts[4:]) & 3)
				}
				opts = opts[4+(l+3)&^3:]
			}
			dirs = append(dirs, dir)
		}
		b = b[n:]
	}
	return dirs
}

func TestPcapng_MicrosecondsAndSnapLen(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewPcapngWriter(&buf, LinkTypeEthernet, PcapngOptions{SnapLen: 32, Microseconds: true, InterfaceName: "veth0"})
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.UTC)
	frame := seqFrame(KindEthernet, 9, 100)
	if err := w.WritePacket(ts, frame, DirUnknown); err != nil {
		t.Fatal(err)
	}
	r, err := pcapgo.NewNgReader(&buf, pcapgo.DefaultNgReaderOptions)
	if err != nil {
		t.Fatal(err)
	}
	data, ci, err := r.ReadPacketData()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, frame[:32]) || ci.Length != 100 || ci.CaptureLength != 32 {
		t.Errorf("got %d/%d bytes, want 32/100 and the frame's prefix", ci.CaptureLength, ci.Length)
	}
	if want := ts.Truncate(time.Microsecond); !ci.Timestamp.Equal(want) {
		t.Errorf("timestamp %v, want %v", ci.Timestamp, want)
	}
	if ifc, err := r.Interface(0); err != nil || ifc.Name != "veth0" {
		t.Errorf("interface name %q (%v), want veth0", ifc.Name, err)
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(b []byte) (int, error) {
	if f.n == 0 {
		return 0, errors.New("disk full")
	}
	f.n--
	return len(b), nil
}

func TestPcapng_WriteErrorSticks(t *testing.T) {
	w, err := NewPcapngWriter(&failWriter{n: 2}, LinkTypeRaw, PcapngOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WritePacket(time.Now(), []byte{0x45}, DirInbound); err == nil {
		t.Fatal("write to failing writer succeeded")
	}
	if w.Err() == nil || w.WritePacket(time.Now(), []byte{0x45}, DirInbound) == nil {
		t.Error("error did not stick")
	}
}

func TestPcapng_ConcurrentWritesAndNoAllocs(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewPcapngWriter(&buf, LinkTypeRaw, PcapngOptions{})
	if err != nil {
		t.Fatal(err)
	}
	frame := seqFrame(KindIP, 1, 1500)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for range 100 {
				w.WritePacket(time.Now(), frame, Direction(g%2+1))
			}
		})
	}
	wg.Wait()
	r, err := pcapgo.NewNgReader(&buf, pcapgo.DefaultNgReaderOptions)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 400 {
		if data, _, err := r.ReadPacketData(); err != nil || !bytes.Equal(data, frame) {
			t.Fatalf("packet %d: %v", i, err)
		}
	}
	wd, _ := NewPcapngWriter(io.Discard, LinkTypeRaw, PcapngOptions{})
	if a := testing.AllocsPerRun(500, func() { wd.WritePacket(time.Now(), frame, DirOutbound) }); a != 0 {
		t.Errorf("WritePacket allocates %v per packet, want 0", a)
	}
}

// TestSniff_TsharkReads checks that Wireshark's reader accepts the
// capture and decodes the frames. It needs tshark: in CI it fails when
// tshark is missing, elsewhere it skips.
func TestSniff_TsharkReads(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tshark not installed (required in CI)")
		}
		t.Skip("tshark not installed")
	}
	for _, k := range []Kind{KindIP, KindEthernet} {
		capture, want := sniffTraffic(t, k)
		path := filepath.Join(t.TempDir(), "cap.pcapng")
		if err := os.WriteFile(path, capture, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(tshark, "-r", path, "-T", "fields", "-e", "frame.len", "-e", "frame.p2p_dir")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("tshark: %v\n%s", err, stderr.Bytes())
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) != len(want) {
			t.Fatalf("%v: tshark read %d frames, want %d:\n%s\n%s", k, len(lines), len(want), out, stderr.Bytes())
		}
		for i, w := range want {
			// frame.p2p_dir: 0 sent, 1 received.
			dir := "0"
			if w.dir == DirInbound {
				dir = "1"
			}
			if got, want := lines[i], fmt.Sprintf("%d\t%s", len(w.data), dir); got != want {
				t.Errorf("%v frame %d: tshark says %q, want %q", k, i, got, want)
			}
		}
	}
}
