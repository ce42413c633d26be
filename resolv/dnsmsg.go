package resolv

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/net/dns/dnsmessage"
)

// ednsPayload is the UDP payload size advertised in the OPT record: the
// 1232 bytes that avoid IP fragmentation on any IPv6 path (DNS Flag Day
// 2020), RFC 6891 §6.2.5.
const ednsPayload = 1232

// maxCNAMEChain bounds how many CNAMEs of one answer are followed.
const maxCNAMEChain = 16

// Errors of a DNS exchange. errNotAccepted marks a datagram that is not the
// response to our query; the caller keeps waiting.
var (
	errNotAccepted = errors.New("resolv: not a response to the query")
	// ErrNXDomain reports that the name does not exist (RCODE 3, RFC 1035
	// §4.1.1).
	ErrNXDomain = errors.New("resolv: name does not exist")
	// ErrNoData reports that the name exists but has no record of the
	// type asked (RFC 2308 §2.2).
	ErrNoData = errors.New("resolv: no data of the requested type")
	// ErrServFail reports a server failure, refusal or timeout: the
	// answer may exist but could not be had (TRY_AGAIN).
	ErrServFail = errors.New("resolv: temporary failure in name resolution")
)

// query is one question to one server.
type query struct {
	id    uint16
	name  dnsmessage.Name
	qtype dnsmessage.Type
}

// buildQuery encodes a recursive query with an EDNS0 OPT record: RFC 1035
// §4.1, RFC 6891 §6.1.
func buildQuery(q query, edns bool) ([]byte, error) {
	b := dnsmessage.NewBuilder(make([]byte, 0, 512), dnsmessage.Header{ID: q.id, RecursionDesired: true})
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(dnsmessage.Question{Name: q.name, Type: q.qtype, Class: dnsmessage.ClassINET}); err != nil {
		return nil, err
	}
	if edns {
		if err := b.StartAdditionals(); err != nil {
			return nil, err
		}
		var rh dnsmessage.ResourceHeader
		// RFC 6891 §6.1.2, §6.1.3: CLASS holds the payload size, TTL the
		// extended RCODE, version 0 and the DO bit.
		if err := rh.SetEDNS0(ednsPayload, dnsmessage.RCodeSuccess, false); err != nil {
			return nil, err
		}
		if err := b.OPTResource(rh, dnsmessage.OPTResource{}); err != nil {
			return nil, err
		}
	}
	return b.Finish()
}

// answer is what an accepted response says about the question.
type answer struct {
	rcode     dnsmessage.RCode
	truncated bool
	canonical string   // the last name of the CNAME chain, without the root dot
	aliases   []string // the names that were CNAMEs, in chain order
	addrs     []netip.Addr
	ptrs      []string
}

// acceptResponse decides whether msg, received from from, answers q sent to
// server, and parses it. RFC 5452 §4.1-§4.3 (and RFC 1035 §7.3): a response
// is accepted only if it comes from the address and port the query went to,
// carries the query's ID, is a response (QR=1) and repeats the question
// (name compared case-insensitively, type and class). Anything else yields
// errNotAccepted and the caller keeps waiting.
func acceptResponse(q query, server, from netip.AddrPort, msg []byte) (*answer, error) {
	if from != server {
		return nil, errNotAccepted
	}
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil || h.ID != q.id || !h.Response || h.OpCode != 0 {
		return nil, errNotAccepted
	}
	qs, err := p.AllQuestions()
	if err != nil || len(qs) != 1 || qs[0].Type != q.qtype || qs[0].Class != dnsmessage.ClassINET ||
		!strings.EqualFold(qs[0].Name.String(), q.name.String()) {
		return nil, errNotAccepted
	}
	ans := &answer{rcode: h.RCode, truncated: h.Truncated, canonical: trimDot(q.name.String())}
	if h.Truncated {
		return ans, nil
	}
	rrs, err := p.AllAnswers()
	if err != nil {
		return nil, errNotAccepted
	}
	followAnswers(ans, q, rrs)
	return ans, nil
}

// followAnswers walks the CNAME chain from the question's name through the
// answer section (RFC 1034 §3.6.2, §4.3.2 step 3a) and collects the records
// of the asked type owned by the chain's last name.
func followAnswers(ans *answer, q query, rrs []dnsmessage.Resource) {
	cur := q.name.String()
	for range maxCNAMEChain {
		next := ""
		for _, rr := range rrs {
			if rr.Header.Class == dnsmessage.ClassINET && rr.Header.Type == dnsmessage.TypeCNAME &&
				strings.EqualFold(rr.Header.Name.String(), cur) {
				next = rr.Body.(*dnsmessage.CNAMEResource).CNAME.String()
				break
			}
		}
		if next == "" || q.qtype == dnsmessage.TypeCNAME {
			break
		}
		ans.aliases = append(ans.aliases, trimDot(cur))
		cur = next
	}
	ans.canonical = trimDot(cur)
	for _, rr := range rrs {
		if rr.Header.Class != dnsmessage.ClassINET || rr.Header.Type != q.qtype ||
			!strings.EqualFold(rr.Header.Name.String(), cur) {
			continue
		}
		switch b := rr.Body.(type) {
		case *dnsmessage.AResource:
			ans.addrs = append(ans.addrs, netip.AddrFrom4(b.A))
		case *dnsmessage.AAAAResource:
			ans.addrs = append(ans.addrs, netip.AddrFrom16(b.AAAA))
		case *dnsmessage.PTRResource:
			ans.ptrs = append(ans.ptrs, trimDot(b.PTR.String()))
		}
	}
}

// result turns an accepted, complete answer into data or the negative
// answer's error: RFC 2308 §2.1 (NXDOMAIN) and §2.2 (NODATA).
func (a *answer) result() error {
	switch a.rcode {
	case dnsmessage.RCodeSuccess:
		if len(a.addrs) == 0 && len(a.ptrs) == 0 {
			return ErrNoData
		}
		return nil
	case dnsmessage.RCodeNameError:
		return ErrNXDomain
	}
	return ErrServFail
}

func trimDot(s string) string {
	if len(s) > 1 {
		return strings.TrimSuffix(s, ".")
	}
	return s
}

// reverseName is the PTR owner name of an address: RFC 1035 §3.5
// (in-addr.arpa) and RFC 3596 §2.5 (ip6.arpa).
func reverseName(a netip.Addr) string {
	var b strings.Builder
	if a.Is4() {
		v := a.As4()
		for i := 3; i >= 0; i-- {
			b.WriteString(strconv.Itoa(int(v[i])))
			b.WriteByte('.')
		}
		b.WriteString("in-addr.arpa.")
		return b.String()
	}
	const hex = "0123456789abcdef"
	v := a.As16()
	for i := 15; i >= 0; i-- {
		b.WriteByte(hex[v[i]&0xf])
		b.WriteByte('.')
		b.WriteByte(hex[v[i]>>4])
		b.WriteByte('.')
	}
	b.WriteString("ip6.arpa.")
	return b.String()
}
