package resolv

import (
	"context"
	crand "crypto/rand"
	"errors"
	"math/rand/v2"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"sockstack/sock"
)

// Resolver answers host lookups from the hosts file and DNS, in the order
// of nsswitch.conf's "hosts:" line, over one sock.API provider. It is safe
// for concurrent use.
type Resolver struct {
	cfg Config
	api sock.API

	mu   sync.Mutex
	rng  *rand.ChaCha8 // query IDs: RFC 5452 §9.2, unpredictable
	next int           // "options rotate": the next first server
}

// NewResolver returns a resolver reading cfg's files and sending its
// queries through api.
func NewResolver(cfg Config, api sock.API) *Resolver {
	var seed [32]byte
	crand.Read(seed[:]) // crypto/rand.Read never fails (Go 1.24+).
	return &Resolver{cfg: cfg, api: api, rng: rand.NewChaCha8(seed)}
}

// Config returns the resolver's configuration.
func (r *Resolver) Config() Config { return r.cfg }

func (r *Resolver) newID() uint16 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return uint16(r.rng.Uint64())
}

func (r *Resolver) firstServer(n int, rotate bool) int {
	if !rotate || n == 0 {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.next++
	return r.next % n
}

// exchange asks the configured servers one question, trying each server in
// turn for each of "attempts" rounds with "timeout" seconds per try
// (resolv.conf(5)), and falls back to TCP when the UDP answer is truncated
// (RFC 7766 §5; RFC 1035 §4.2.1).
func (r *Resolver) exchange(ctx context.Context, rc ResolvConf, name string, qtype dnsmessage.Type) (*answer, error) {
	qn, err := dnsmessage.NewName(name)
	if err != nil {
		return nil, ErrNXDomain
	}
	first := r.firstServer(len(rc.Nameservers), rc.Rotate)
	for range rc.Attempts {
		for i := range rc.Nameservers {
			server := rc.Nameservers[(first+i)%len(rc.Nameservers)]
			q := query{id: r.newID(), name: qn, qtype: qtype}
			deadline := time.Now().Add(time.Duration(rc.Timeout) * time.Second)
			ans, err := exchangeUDP(ctx, r.api, q, server, deadline)
			if err == nil && ans.truncated {
				q.id = r.newID()
				ans, err = exchangeTCP(ctx, r.api, q, server, time.Now().Add(time.Duration(rc.Timeout)*time.Second))
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if err != nil {
				continue // timeout, refused: the next server
			}
			switch ans.rcode {
			case dnsmessage.RCodeSuccess, dnsmessage.RCodeNameError:
				return ans, ans.result()
			}
			// SERVFAIL, REFUSED, NOTIMP, FORMERR: try the next server.
		}
	}
	return nil, ErrServFail
}

// dnsResult is the outcome of a DNS host lookup.
type dnsResult struct {
	canonical string
	aliases   []string
	addrs     []netip.Addr
}

// candidates lists the names res_search tries for name, in order:
// resolv.conf(5) "ndots:n ... the number of dots which must appear in a
// name given to res_query() before an initial absolute query will be made";
// otherwise the search-list names come first and the name as given last. A
// name ending in a dot is only tried as given.
func candidates(rc ResolvConf, name string) (names []string, asIsFirst bool) {
	if strings.HasSuffix(name, ".") {
		return []string{name}, true
	}
	dots := strings.Count(name, ".")
	if dots >= rc.Ndots {
		names, asIsFirst = append(names, name+"."), true
	}
	for _, d := range rc.Search {
		names = append(names, name+"."+d+".")
	}
	if dots < rc.Ndots {
		names = append(names, name+".")
	}
	return names, asIsFirst
}

// lookupDNS resolves name for each of qtypes through the search list and
// returns the first candidate name that has data of any of them. Errors
// follow res_search: the first name's error if it was tried first,
// otherwise NODATA if any name exists, otherwise TRY_AGAIN if any server
// failed, otherwise NXDOMAIN.
func (r *Resolver) lookupDNS(ctx context.Context, name string, qtypes []dnsmessage.Type) (*dnsResult, error) {
	rc := r.cfg.resolvConf()
	names, asIsFirst := candidates(rc, name)
	var firstErr error
	gotNoData, gotServFail := false, false
	for i, n := range names {
		res, err := r.lookupName(ctx, rc, n, qtypes)
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if i == 0 && asIsFirst {
			firstErr = err
		}
		gotNoData = gotNoData || errors.Is(err, ErrNoData)
		gotServFail = gotServFail || errors.Is(err, ErrServFail)
	}
	switch {
	case firstErr != nil:
		return nil, firstErr
	case gotNoData:
		return nil, ErrNoData
	case gotServFail:
		return nil, ErrServFail
	}
	return nil, ErrNXDomain
}

// lookupName asks for each type in turn about one fully qualified name.
func (r *Resolver) lookupName(ctx context.Context, rc ResolvConf, fqdn string, qtypes []dnsmessage.Type) (*dnsResult, error) {
	var res *dnsResult
	var errs []error
	for _, t := range qtypes {
		ans, err := r.exchange(ctx, rc, fqdn, t)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if res == nil {
			res = &dnsResult{canonical: ans.canonical, aliases: ans.aliases}
		}
		res.addrs = append(res.addrs, ans.addrs...)
	}
	if res != nil {
		return res, nil
	}
	for _, e := range []error{ErrServFail, ErrNoData} {
		for _, err := range errs {
			if errors.Is(err, e) {
				return nil, e
			}
		}
	}
	return nil, ErrNXDomain
}

// lookupPTR resolves an address to its name: RFC 1035 §3.5, RFC 3596 §2.5.
func (r *Resolver) lookupPTR(ctx context.Context, a netip.Addr) (string, error) {
	ans, err := r.exchange(ctx, r.cfg.resolvConf(), reverseName(a), dnsmessage.TypePTR)
	if err != nil {
		return "", err
	}
	return ans.ptrs[0], nil
}
