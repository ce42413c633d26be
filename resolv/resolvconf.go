package resolv

import (
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// resolv.conf(5) limits and defaults.
const (
	maxNameservers = 3  // MAXNS: "Up to MAXNS (currently 3) name servers"
	defaultNdots   = 1  // "The default for n is 1"
	maxNdots       = 15 // "values for this option are silently capped to 15"
	defaultTimeout = 5  // RES_TIMEOUT, seconds
	maxTimeout     = 30 // "capped to 30"
	defaultTries   = 2  // RES_DFLRETRY
	maxTries       = 5  // "capped to 5"
	dnsPort        = 53
)

// ResolvConf is the resolver configuration of resolv.conf(5).
type ResolvConf struct {
	Nameservers []netip.AddrPort
	Search      []string
	Ndots       int
	Timeout     int // seconds per try
	Attempts    int
	Rotate      bool
}

// ParseResolvConf parses resolv.conf(5) text. Keyword lines it does not
// know are ignored, as the resolver does. With no nameserver line the
// local host (127.0.0.1) is used; with neither "domain" nor "search" the
// search list is the domain part of hostname, if any.
func ParseResolvConf(text, hostname string) ResolvConf {
	rc := ResolvConf{Ndots: defaultNdots, Timeout: defaultTimeout, Attempts: defaultTries}
	haveSearch := false
	for _, line := range strings.Split(text, "\n") {
		// resolv.conf(5): "The keyword and value must appear on a single
		// line ... Lines that contain a semicolon (;) or hash character
		// (#) in the first column are treated as comments."
		if line == "" || line[0] == ';' || line[0] == '#' {
			continue
		}
		f := fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "nameserver":
			if len(rc.Nameservers) >= maxNameservers {
				continue
			}
			if a, err := netip.ParseAddr(f[1]); err == nil {
				rc.Nameservers = append(rc.Nameservers, netip.AddrPortFrom(a, dnsPort))
			}
		case "domain":
			// resolv.conf(5): "The domain and search keywords are
			// mutually exclusive. If more than one instance of these
			// keywords is present, the last instance wins."
			rc.Search, haveSearch = []string{strings.TrimSuffix(f[1], ".")}, true
		case "search":
			rc.Search, haveSearch = nil, true
			for _, d := range f[1:] {
				if d = strings.TrimSuffix(d, "."); d != "" {
					rc.Search = append(rc.Search, d)
				}
			}
		case "options":
			for _, o := range f[1:] {
				rc.option(o)
			}
		}
	}
	if len(rc.Nameservers) == 0 {
		rc.Nameservers = []netip.AddrPort{netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), dnsPort)}
	}
	if !haveSearch {
		if _, dom, ok := strings.Cut(hostname, "."); ok && dom != "" {
			rc.Search = []string{dom}
		}
	}
	return rc
}

// option applies one "options" word of resolv.conf(5).
func (rc *ResolvConf) option(o string) {
	name, val, _ := strings.Cut(o, ":")
	n, err := strconv.Atoi(val)
	switch name {
	case "ndots":
		if err == nil && n >= 0 {
			rc.Ndots = min(n, maxNdots)
		}
	case "timeout":
		if err == nil && n >= 1 {
			rc.Timeout = min(n, maxTimeout)
		}
	case "attempts":
		if err == nil && n >= 1 {
			rc.Attempts = min(n, maxTries)
		}
	case "rotate":
		rc.Rotate = true
	}
}

// resolvConf reads the configured resolv.conf; Config.Nameservers
// overrides its nameserver lines.
func (c Config) resolvConf() ResolvConf {
	b, _ := os.ReadFile(c.resolvPath())
	host, _ := os.Hostname()
	rc := ParseResolvConf(string(b), host)
	if len(c.Nameservers) > 0 {
		rc.Nameservers = c.Nameservers
	}
	return rc
}
