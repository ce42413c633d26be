package traceroute

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"sockstack/apps/ping/probe"
)

// open creates the sockets: a raw ICMP socket for answers (and ICMP
// probes) and, for UDP probes, a UDP socket bound to an ephemeral port whose
// number identifies our probes in the quoted headers.
func (tr *tracing) open(dataLen int) error {
	api := tr.t.API
	keep := []uint8{probe.ICMPv4EchoReply, probe.ICMPv4DestUnreach, probe.ICMPv4TimeExceeded}
	if tr.v6 {
		keep = []uint8{probe.ICMPv6EchoReply, probe.ICMPv6DestUnreach, probe.ICMPv6TimeExceeded, probe.ICMPv6PacketTooBig}
	}
	raw, err := probe.OpenICMP(api, tr.v6, keep...)
	if err != nil {
		return err
	}
	tr.raw = raw
	tr.rx = probe.NewReceiver(api, raw, tr.v6, 1500+tr.c.PacketLen)
	tr.to = probe.SockaddrOf(tr.c.Dst, 0)
	if tr.c.ICMP {
		tr.echo = probe.NewEcho(tr.v6, tr.c.ID, dataLen)
		return nil
	}
	dom := unix.AF_INET
	if tr.v6 {
		dom = unix.AF_INET6
	}
	tr.udp, err = api.Socket(dom, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		tr.close()
		return fmt.Errorf("socket(SOCK_DGRAM): %w", err)
	}
	var wild unix.Sockaddr = &unix.SockaddrInet4{}
	if tr.v6 {
		wild = &unix.SockaddrInet6{}
	}
	if err := api.Bind(tr.udp, wild); err != nil {
		tr.close()
		return fmt.Errorf("bind: %w", err)
	}
	sa, err := api.Getsockname(tr.udp)
	if err != nil {
		tr.close()
		return fmt.Errorf("getsockname: %w", err)
	}
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		tr.lport = uint16(sa.Port)
	case *unix.SockaddrInet6:
		tr.lport = uint16(sa.Port)
	}
	tr.payload = make([]byte, dataLen)
	for i := range tr.payload {
		tr.payload[i] = byte(0x40 + i)
	}
	return nil
}

func (tr *tracing) close() {
	if tr.udp >= 0 {
		tr.t.API.Close(tr.udp)
		tr.udp = -1
	}
	if tr.raw >= 0 {
		tr.t.API.Close(tr.raw)
		tr.raw = -1
	}
}

// probe sends one probe with the given TTL and waits for its answer.
func (tr *tracing) probe(ctx context.Context, ttl int) (Probe, error) {
	api := tr.t.API
	fd := tr.udp
	if tr.c.ICMP {
		fd = tr.raw
	}
	if err := probe.SetHopLimit(api, fd, tr.v6, ttl); err != nil {
		return Probe{}, fmt.Errorf("traceroute: set TTL %d: %w", ttl, err)
	}
	// Each probe gets the next port (UDP) or sequence number (ICMP).
	n := uint16(tr.c.Port + tr.sent)
	tr.sent++
	sent := time.Now()
	var err error
	if tr.c.ICMP {
		err = api.Sendto(fd, tr.echo.Packet(n, sent), 0, tr.to)
	} else {
		err = api.Sendto(fd, tr.payload, 0, probe.SockaddrOf(tr.c.Dst, int(n)))
	}
	if err != nil {
		return Probe{}, fmt.Errorf("traceroute: send: %w", err)
	}
	until := sent.Add(tr.c.Wait)
	for {
		readable, err := probe.Wait(ctx, api, tr.raw, until)
		if err != nil {
			return Probe{}, err
		}
		if !readable {
			return Probe{}, nil // "*"
		}
		if p, ok, err := tr.drain(n, sent); err != nil || ok {
			return p, err
		}
	}
}

// drain reads queued ICMP messages until one answers probe n.
func (tr *tracing) drain(n uint16, sent time.Time) (Probe, bool, error) {
	for {
		err := tr.rx.Recv(&tr.msg)
		switch {
		case errors.Is(err, unix.EAGAIN):
			return Probe{}, false, nil
		case errors.Is(err, unix.EINTR), errors.Is(err, probe.ErrMalformed):
			continue
		case err != nil:
			return Probe{}, false, fmt.Errorf("traceroute: recvmsg: %w", err)
		}
		if tr.matches(&tr.msg, n) {
			p := Probe{OK: true, From: tr.msg.From, RTT: time.Since(sent)}
			classify(&tr.msg, &p)
			return p, true, nil
		}
	}
}

// matches reports whether m answers probe n: an echo reply from the
// destination with our identifier and sequence number, or an ICMP error
// quoting our probe (RFC 792: the IP header and first 64 bits of its data;
// RFC 4443 §3: as much of the packet as fits), identified by its UDP ports
// or echo identifier and sequence number and its destination.
func (tr *tracing) matches(m *probe.Message, n uint16) bool {
	if !m.ChecksumOK {
		return false
	}
	if m.IsEchoReply() {
		return tr.c.ICMP && m.From == tr.c.Dst && m.ID() == tr.c.ID && m.Seq() == n
	}
	if !m.IsError() || m.Quote.Dst != tr.c.Dst {
		return false
	}
	if tr.c.ICMP {
		id, seq, ok := m.QuotedEcho()
		return ok && id == tr.c.ID && seq == n
	}
	src, dst, ok := m.QuotedUDP()
	return ok && src == tr.lport && dst == n
}
