package link

import (
	"io"
	"sync/atomic"
	"time"
)

// SniffEndpoint wraps an Endpoint and records every frame it transmits and
// delivers to a pcapng stream (LINKTYPE_ETHERNET for KindEthernet links,
// LINKTYPE_RAW for KindIP), with nanosecond timestamps and the direction
// in each packet's epb_flags. It is itself an Endpoint.
type SniffEndpoint struct {
	inner Endpoint
	pw    *PcapngWriter
	err   error // from writing the file header
	disp  atomic.Pointer[dispatcherRef]
	stats counters // frames dropped here for want of a dispatcher
}

// Sniff wraps inner, writes the pcapng header to w and attaches itself to
// inner as its Dispatcher. A write error stops the capture (see Err) but
// not the link. Wrap w in a bufio.Writer for speed and flush it after
// Close.
func Sniff(inner Endpoint, w io.Writer) *SniffEndpoint {
	s := &SniffEndpoint{inner: inner}
	s.pw, s.err = NewPcapngWriter(w, LinkTypeOf(inner.Kind()), PcapngOptions{})
	inner.Attach(s)
	return s
}

// Err returns the first error writing the capture.
func (s *SniffEndpoint) Err() error {
	if s.err != nil {
		return s.err
	}
	return s.pw.Err()
}

// Inner returns the wrapped endpoint.
func (s *SniffEndpoint) Inner() Endpoint { return s.inner }

// MTU implements Endpoint.
func (s *SniffEndpoint) MTU() int { return s.inner.MTU() }

// Kind implements Endpoint.
func (s *SniffEndpoint) Kind() Kind { return s.inner.Kind() }

// HardwareAddr implements Endpoint.
func (s *SniffEndpoint) HardwareAddr() [6]byte { return s.inner.HardwareAddr() }

// Headroom implements Endpoint.
func (s *SniffEndpoint) Headroom() int { return s.inner.Headroom() }

// Stats implements Endpoint: the inner link's counters plus frames that
// arrived while nothing was attached here (DropDetached).
func (s *SniffEndpoint) Stats() Stats {
	st := s.inner.Stats()
	st.Drops[DropDetached] += s.stats.drops[DropDetached].Load()
	return st
}

// Close implements Endpoint by closing inner.
func (s *SniffEndpoint) Close() error { return s.inner.Close() }

// Attach implements Endpoint.
func (s *SniffEndpoint) Attach(d Dispatcher) {
	if d == nil {
		s.disp.Store(nil)
		return
	}
	s.disp.Store(&dispatcherRef{d})
}

// WritePackets implements Endpoint: the frames the inner link took are
// recorded as outbound.
func (s *SniffEndpoint) WritePackets(pkts [][]byte) (int, error) {
	n, err := s.inner.WritePackets(pkts)
	if s.err == nil && n > 0 {
		h := s.inner.Headroom()
		now := time.Now()
		for _, p := range pkts[:n] {
			s.pw.WritePacket(now, p[h:], DirOutbound)
		}
	}
	return n, err
}

// DeliverFrame implements Dispatcher for the inner link: the frame is
// recorded as inbound, then passed up, or counted as DropDetached if
// nothing is attached here.
func (s *SniffEndpoint) DeliverFrame(frame []byte) {
	if s.err == nil {
		s.pw.WritePacket(time.Now(), frame, DirInbound)
	}
	if ref := s.disp.Load(); ref != nil {
		ref.d.DeliverFrame(frame)
		return
	}
	s.stats.drop(DropDetached, 1)
}
