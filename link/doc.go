// Package link is sockstack's link layer: the Endpoint a host attaches to,
// and the links that implement it.
//
// # Contract
//
// An Endpoint carries whole frames: bare IP packets for KindIP links (TUN,
// loopback, IP pipes) or Ethernet II frames without FCS for KindEthernet
// links (TAP, AF_PACKET, Ethernet pipes). The host attaches a Dispatcher;
// the link calls DeliverFrame from its own delivery goroutine, one frame at
// a time and in order, and the frame is valid only during the call, so the
// stack can run IP, TCP and the socket buffer copy synchronously on that
// goroutine without a hand-off. The host transmits from its own goroutine
// with WritePackets, handing one or more frames at once; when the call
// returns the link no longer needs the bytes. Every frame starts with
// Headroom() bytes the link may use (zero for every link here; reserved for
// a virtio-net header). Frames a link drops by policy (full queue,
// impairment) count as taken and are counted in Stats under a DropReason;
// frames it rejects (too big, too short, closed) stop the batch with an
// error that works with errors.Is.
//
// Rules a Dispatcher must keep: DeliverFrame may call WritePackets on any
// link, but must not call Close on the link that delivers to it, and must
// not block for long (it holds up every later frame).
//
// # Links
//
//   - Pipe: an in-memory cable between two hosts. WritePackets copies each
//     frame once into a bounded ring of pre-allocated slots (that copy is
//     the wire) under one lock per batch; one goroutine per direction
//     drains everything queued as a batch and delivers it to the peer. A
//     full ring drops (DropQueueFull); a sleeping receiver is woken with a
//     sync.Cond signal only when it waits, so a busy pipe costs no wake-up
//     per frame.
//   - Loopback: the same ring looped back to its own Dispatcher, so a sender
//     that holds locks is never re-entered.
//   - Fault: wraps any Endpoint (pipe, TUN, AF_PACKET) and impairs each
//     direction with latency, jitter, rate limiting, Bernoulli and
//     Gilbert-Elliott loss, duplication, reordering and corruption, all
//     drawn from a seeded PCG stream per direction, so a test repeats
//     exactly. Frames due now pass straight through (copied only when
//     corrupted); delayed frames are copied into pooled buffers and held in
//     a heap ordered by release time, released by one goroutine per
//     direction. Time is time.Now and time.Timer, which testing/synctest
//     makes virtual and exact.
//   - Sniff: a capture tap on any Endpoint writing pcapng (PcapngWriter):
//     one Section Header Block, one Interface Description Block with
//     LINKTYPE_ETHERNET or LINKTYPE_RAW and nanosecond resolution, and an
//     Enhanced Packet Block per frame with its direction in epb_flags.
//   - OpenTUN, OpenTAP, OpenPacket (Linux): a non-blocking descriptor read
//     by one goroutine into one pre-allocated buffer; the goroutine polls
//     the descriptor and an eventfd, which Close signals, and Close closes
//     the descriptor only after the reader has exited and writers have left,
//     so no descriptor number is ever reused under a pending read.
//     AF_PACKET sends a WritePackets batch with one sendmmsg(2); TUN and TAP
//     write(2) each frame. The ...InNetns variants open the device or socket on a locked OS thread
//     switched into a network namespace with setns(2).
//
// # Costs
//
// In steady state no link allocates per frame: ring slots, fault buffers,
// the heap, the pcapng block buffer and the device read buffer are all
// reused (tests check with testing.AllocsPerRun). On a shared 2-core
// machine BenchmarkPipe moves 22 to 32 million 64-byte frames and about 13.5
// million 1514-byte frames per second between two goroutines, written in
// batches of 32.
//
// # Not yet here
//
// IFF_VNET_HDR offloads (GSO/GRO) on TUN/TAP, recvmmsg or PACKET_MMAP
// rings for AF_PACKET receive, and PACKET_AUXDATA checksum status (run the
// peer with tx offload off, as LAB.md says).
package link
