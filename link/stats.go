package link

import (
	"fmt"
	"strings"
	"sync/atomic"
)

// DropReason names why a link dropped a frame. Every drop is counted under
// exactly one reason.
type DropReason uint8

// Drop reasons.
const (
	// DropQueueFull: a bounded link queue had no room.
	DropQueueFull DropReason = iota
	// DropTooBig: the frame exceeded MTU plus link header.
	DropTooBig
	// DropShortFrame: the frame was shorter than the link header.
	DropShortFrame
	// DropClosed: the endpoint (or its peer) was closed with the frame
	// still queued or arriving.
	DropClosed
	// DropDetached: a frame arrived while no Dispatcher was attached.
	DropDetached
	// DropIOError: the operating system refused the frame (write error).
	DropIOError
	// DropFaultLoss: the fault layer's random (Bernoulli) loss.
	DropFaultLoss
	// DropFaultBurstLoss: the fault layer's Gilbert-Elliott burst loss.
	DropFaultBurstLoss
	// DropFaultQueueFull: the fault layer's delay queue was full.
	DropFaultQueueFull
	// NumDropReasons is the number of drop reasons.
	NumDropReasons
)

var dropNames = [NumDropReasons]string{
	DropQueueFull:      "queue-full",
	DropTooBig:         "too-big",
	DropShortFrame:     "short-frame",
	DropClosed:         "closed",
	DropDetached:       "detached",
	DropIOError:        "io-error",
	DropFaultLoss:      "fault-loss",
	DropFaultBurstLoss: "fault-burst-loss",
	DropFaultQueueFull: "fault-queue-full",
}

// String returns the reason's short name, such as "queue-full".
func (r DropReason) String() string {
	if r < NumDropReasons {
		return dropNames[r]
	}
	return fmt.Sprintf("DropReason(%d)", uint8(r))
}

// Stats is a snapshot of a link's counters.
type Stats struct {
	TxPackets, TxBytes uint64 // frames handed to the medium
	RxPackets, RxBytes uint64 // frames delivered to the dispatcher
	// Drops counts dropped frames, indexed by DropReason.
	Drops [NumDropReasons]uint64
}

// TotalDrops sums Drops over every reason.
func (s Stats) TotalDrops() uint64 {
	var n uint64
	for _, d := range s.Drops {
		n += d
	}
	return n
}

// String formats the non-zero counters on one line.
func (s Stats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tx %d/%dB rx %d/%dB", s.TxPackets, s.TxBytes, s.RxPackets, s.RxBytes)
	for r, d := range s.Drops {
		if d != 0 {
			fmt.Fprintf(&b, " %s=%d", DropReason(r), d)
		}
	}
	return b.String()
}

// counters is the lock-free, live form of Stats.
type counters struct {
	txPackets, txBytes atomic.Uint64
	rxPackets, rxBytes atomic.Uint64
	drops              [NumDropReasons]atomic.Uint64
}

func (c *counters) tx(pkts, bytes int) {
	c.txPackets.Add(uint64(pkts))
	c.txBytes.Add(uint64(bytes))
}

func (c *counters) rx(pkts, bytes int) {
	c.rxPackets.Add(uint64(pkts))
	c.rxBytes.Add(uint64(bytes))
}

func (c *counters) drop(r DropReason, n int) {
	c.drops[r].Add(uint64(n))
}

func (c *counters) snapshot() Stats {
	s := Stats{
		TxPackets: c.txPackets.Load(),
		TxBytes:   c.txBytes.Load(),
		RxPackets: c.rxPackets.Load(),
		RxBytes:   c.rxBytes.Load(),
	}
	for i := range c.drops {
		s.Drops[i] = c.drops[i].Load()
	}
	return s
}
