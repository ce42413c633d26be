package stack

import (
	"golang.org/x/sys/unix"

	"sockstack/link"
	"sockstack/wire"
)

// output sends p under an IP header of o's family. The caller keeps
// ownership of p.
func (n *netState) output(rt routeResult, o *outMeta, p *pkt) error {
	if o.dst.Is6() {
		return n.output6(rt, o, p)
	}
	return n.output4(rt, o, p)
}

// output4 prepends the IPv4 header to p and sends it on its route,
// fragmenting when it exceeds the NIC's MTU (RFC 791 §3.2, RFC 1122
// §3.3.3).
func (n *netState) output4(rt routeResult, o *outMeta, p *pkt) error {
	id := o.id
	if !o.keepID || id == 0 {
		id = uint16(n.ipID.Add(1))
	}
	dst := o.dst
	if o.firstHop.IsValid() {
		dst = o.firstHop
	}
	f := wire.IPv4Fields{
		TOS: uint8(o.tos), ID: id, TTL: uint8(o.ttl), Protocol: o.proto,
		Src: o.src, Dst: dst, Options: o.options, PayloadLen: p.len(),
	}
	if o.df {
		f.Flags = wire.IPv4FlagDF
	}
	mtu := rt.nic.mtu
	if f.Len()+p.len() <= mtu {
		if _, err := f.Encode(p.prepend(f.Len())); err != nil {
			return err
		}
		return n.transmit(rt, p)
	}
	if o.df {
		// ip(7) IP_MTU_DISCOVER: with IP_PMTUDISC_DO, "... datagrams
		// bigger than the MTU ... fail with EMSGSIZE".
		return unix.EMSGSIZE
	}
	return n.fragment(rt, &f, p.data(), mtu)
}

// fragment sends payload as fragments of at most mtu bytes. RFC 791 §3.2:
// every fragment but the last carries a multiple of 8 data octets and MF;
// only options whose copied flag is set are repeated after the first.
func (n *netState) fragment(rt routeResult, f *wire.IPv4Fields, payload []byte, mtu int) error {
	first := *f
	rest := *f
	rest.Options = copiedOptions(f.Options)
	baseOff := int(f.FragOffset) * 8
	moreAfter := f.Flags&wire.IPv4FlagMF != 0
	off := 0
	for off < len(payload) {
		h := &rest
		if off == 0 {
			h = &first
		}
		chunk := (mtu - h.Len()) &^ 7
		if chunk <= 0 {
			return unix.EMSGSIZE
		}
		last := off+chunk >= len(payload)
		if last {
			chunk = len(payload) - off
		}
		h.FragOffset = uint16((baseOff + off) / 8)
		h.Flags = f.Flags &^ wire.IPv4FlagMF
		if !last || moreAfter {
			h.Flags |= wire.IPv4FlagMF
		}
		h.PayloadLen = chunk
		fp := n.pkts.get(chunk)
		copy(fp.data(), payload[off:off+chunk])
		_, err := h.Encode(fp.prepend(h.Len()))
		if err == nil {
			err = n.transmit(rt, fp)
		}
		n.pkts.put(fp)
		if err != nil {
			return err
		}
		off += chunk
	}
	return nil
}

// copiedOptions returns the options with the copied flag (RFC 791 §3.1:
// the high bit of the option type) that every fragment repeats.
func copiedOptions(opts []byte) []byte {
	if len(opts) == 0 {
		return nil
	}
	var out []byte
	for i := 0; i < len(opts); {
		t := opts[i]
		if t == 0 {
			break
		}
		if t == 1 {
			i++
			continue
		}
		if i+1 >= len(opts) || opts[i+1] < 2 || i+int(opts[i+1]) > len(opts) {
			break
		}
		l := int(opts[i+1])
		if t&0x80 != 0 {
			out = append(out, opts[i:i+l]...)
		}
		i += l
	}
	return out
}

// transmit hands an IP packet to its NIC, resolving the link-layer
// address on Ethernet.
func (n *netState) transmit(rt routeResult, p *pkt) error {
	c := rt.nic
	if rt.loop {
		n.input4(c, p.data()) // the local members' copy
	}
	if c.ep.Kind() == link.KindIP {
		return c.write(p.data())
	}
	return c.neigh.send(rt.nextHop, p)
}

// write sends one frame on the NIC's link.
func (c *nic) write(frame []byte) error {
	hr := c.ep.Headroom()
	if hr != 0 {
		return unix.EOPNOTSUPP
	}
	c.n.packets.tap(c, frame, true)
	v := c.n.vecs.get()
	v[0] = frame
	_, err := c.ep.WritePackets(v[:])
	v[0] = nil
	c.n.vecs.put(v)
	if err != nil {
		c.n.drops.add(dropLinkWrite)
		return unix.ENOBUFS
	}
	return nil
}
