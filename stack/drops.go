package stack

import (
	"sync"
	"sync/atomic"
	"time"
)

// DropReason names why the host dropped a packet (the analogue of Linux's
// skb drop reasons).
type DropReason uint8

// The drop reasons. Each has a counter in Stats.
const (
	dropNone DropReason = iota
	DropShortFrame
	DropEtherTypeUnknown
	DropIPHeaderError
	DropIPChecksum
	DropIPNotForUs
	DropIPNoRoute
	DropTTLExpired
	DropFragTooBig
	DropReasmOverlap
	DropReasmTimeout
	DropReasmMemory
	DropProtoUnreachable
	DropUDPChecksum
	DropUDPHeaderError
	DropUDPNoSocket
	DropUDPRcvbufFull
	DropRawRcvbufFull
	DropICMPHeaderError
	DropICMPChecksum
	DropICMPRateLimited
	DropARPInvalid
	DropNeighFailed
	DropNeighQueueFull
	dropLinkWrite
	DropForwardDisabled
	DropMartianSource
	DropTCPHeaderError
	DropTCPChecksum
	DropTCPBroadcast
	DropTCPNoSocket
	DropNDPInvalid
	DropFragUnsupported
	DropOtherHost
	DropMcastNotJoined
	DropSourceRoute
	numDropReasons
)

var dropNames = [numDropReasons]string{
	dropNone:             "none",
	DropShortFrame:       "short-frame",
	DropEtherTypeUnknown: "ethertype-unknown",
	DropIPHeaderError:    "ip-header-error",
	DropIPChecksum:       "ip-checksum",
	DropIPNotForUs:       "ip-not-for-us",
	DropIPNoRoute:        "ip-no-route",
	DropTTLExpired:       "ttl-expired",
	DropFragTooBig:       "frag-needed-df",
	DropReasmOverlap:     "reasm-overlap",
	DropReasmTimeout:     "reasm-timeout",
	DropReasmMemory:      "reasm-memory",
	DropProtoUnreachable: "proto-unreachable",
	DropUDPChecksum:      "udp-checksum",
	DropUDPHeaderError:   "udp-header-error",
	DropUDPNoSocket:      "udp-no-socket",
	DropUDPRcvbufFull:    "udp-rcvbuf-full",
	DropRawRcvbufFull:    "raw-rcvbuf-full",
	DropICMPHeaderError:  "icmp-header-error",
	DropICMPChecksum:     "icmp-checksum",
	DropICMPRateLimited:  "icmp-rate-limited",
	DropARPInvalid:       "arp-invalid",
	DropNeighFailed:      "neigh-failed",
	DropNeighQueueFull:   "neigh-queue-full",
	dropLinkWrite:        "link-write",
	DropForwardDisabled:  "forward-disabled",
	DropMartianSource:    "martian-source",
	DropTCPHeaderError:   "tcp-header-error",
	DropTCPChecksum:      "tcp-checksum",
	DropTCPBroadcast:     "tcp-broadcast",
	DropTCPNoSocket:      "tcp-no-socket",
	DropNDPInvalid:       "ndp-invalid",
	DropFragUnsupported:  "ipv6-fragment-unsupported",
	DropOtherHost:        "other-host",
	DropMcastNotJoined:   "mcast-not-joined",
	DropSourceRoute:      "source-routed",
}

// String returns the reason's name, e.g. "udp-no-socket".
func (r DropReason) String() string {
	if r < numDropReasons {
		return dropNames[r]
	}
	return "unknown"
}

// dropCounters counts drops by reason.
type dropCounters struct {
	c [numDropReasons]atomic.Uint64
}

func (d *dropCounters) add(r DropReason) { d.c[r].Add(1) }

// Drops returns the host's drop counters by reason, omitting zeros.
func (h *Host) Drops() map[DropReason]uint64 {
	m := make(map[DropReason]uint64)
	for r := DropReason(1); r < numDropReasons; r++ {
		if v := h.net.drops.c[r].Load(); v != 0 {
			m[r] = v
		}
	}
	return m
}

// Drop returns one drop counter.
func (h *Host) Drop(r DropReason) uint64 {
	if r >= numDropReasons {
		return 0
	}
	return h.net.drops.c[r].Load()
}

// ICMP error rate limit: Linux's net.ipv4.icmp_ratelimit is one token per
// second per destination with a burst; we keep one host-wide bucket
// (RFC 1812 §4.3.2.8 asks for a limit and leaves the shape open).
const (
	icmpRatePerSec = 1000
	icmpBurst      = 50
)

// tokenBucket is a thread-safe token bucket.
type tokenBucket struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newTokenBucket(rate, burst int) tokenBucket {
	return tokenBucket{rate: float64(rate), burst: float64(burst), tokens: float64(burst)}
}

// allow takes a token if one is available.
func (b *tokenBucket) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	if !b.last.IsZero() {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// vecPool recycles the one-element frame vectors passed to WritePackets.
type vecPool struct{ p sync.Pool }

func (vp *vecPool) get() *[1][]byte {
	if v, ok := vp.p.Get().(*[1][]byte); ok {
		return v
	}
	return new([1][]byte)
}

func (vp *vecPool) put(v *[1][]byte) { vp.p.Put(v) }
