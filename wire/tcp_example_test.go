package wire_test

import (
	"fmt"
	"net/netip"

	"sockstack/wire"
)

// Build a SYN with Linux's option layout into the headroom in front of the
// (empty) payload, set its checksum, then parse it back.
func ExampleTCPFields_Encode() {
	src, dst := netip.MustParseAddr("10.213.50.1"), netip.MustParseAddr("10.213.50.2")
	buf := make([]byte, 128)
	end := len(buf) // the payload would start here

	opts := wire.TCPOptions{HasMSS: true, MSS: 1460, SACKPermitted: true,
		HasTimestamps: true, TSVal: 1000, HasWindowScale: true, WindowScale: 7}
	hdr := buf[end-wire.TCPMinHeaderLen-opts.Len() : end]
	n, _ := opts.Encode(hdr[wire.TCPMinHeaderLen:])
	f := wire.TCPFields{SrcPort: 40000, DstPort: 80, Seq: 1, Flags: wire.TCPFlagSYN, Window: 64240,
		Options: hdr[wire.TCPMinHeaderLen : wire.TCPMinHeaderLen+n]}
	if _, err := f.Encode(hdr); err != nil {
		panic(err)
	}
	seg, _ := wire.ParseTCP(buf[end-len(hdr):])
	seg.SetChecksum(src, dst)

	fmt.Println(seg.Flags(), seg.HeaderLen(), seg.VerifyChecksum(src, dst))
	it := seg.OptionIter()
	for it.Next() {
		fmt.Print(it.Option().Kind, " ")
	}
	fmt.Println()
	// Output:
	// [S] 40 true
	// 2 4 8 1 3
}
