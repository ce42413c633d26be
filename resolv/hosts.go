package resolv

import (
	"net/netip"
	"strings"

	"golang.org/x/sys/unix"
)

// HostEnt is struct hostent of gethostbyname(3): the official name, the
// aliases, the address type and length, and the addresses.
type HostEnt struct {
	Name     string
	Aliases  []string
	AddrType int // unix.AF_INET or unix.AF_INET6
	Length   int // 4 or 16
	AddrList []netip.Addr
}

// parseHostLine parses one hosts(5) line, "IP_address canonical_hostname
// [aliases...]", for address family af as glibc's files backend does:
// for AF_INET an IPv4-mapped IPv6 address is taken as its IPv4 address and
// ::1 as 127.0.0.1, other IPv6 lines are ignored; for AF_INET6 only IPv6
// addresses are accepted; AF_UNSPEC takes either. ok is false for a line to
// be ignored.
func parseHostLine(line string, af int) (HostEnt, bool) {
	text, rest := cutField(line)
	var a netip.Addr
	if af != unix.AF_INET6 {
		if b, ok := pton4(text); ok {
			a = netip.AddrFrom4(b)
		}
	}
	if !a.IsValid() {
		b, ok := pton6(text)
		if !ok {
			return HostEnt{}, false
		}
		a = netip.AddrFrom16(b)
		if af == unix.AF_INET {
			switch {
			case a.Is4In6():
				a = a.Unmap()
			case a == netip.IPv6Loopback():
				a = netip.AddrFrom4([4]byte{127, 0, 0, 1})
			default:
				return HostEnt{}, false
			}
		}
	}
	name, rest := cutField(rest)
	h := HostEnt{Name: name, Aliases: fields(rest), AddrList: []netip.Addr{a}}
	h.AddrType, h.Length = unix.AF_INET, 4
	if a.Is6() {
		h.AddrType, h.Length = unix.AF_INET6, 16
	}
	return h, true
}

// matchesName reports whether name is the entry's name or an alias;
// hosts(5) names are case-insensitive.
func (h *HostEnt) matchesName(name string) bool {
	if strings.EqualFold(h.Name, name) {
		return true
	}
	for _, a := range h.Aliases {
		if strings.EqualFold(a, name) {
			return true
		}
	}
	return false
}

// filesHostByName is the files backend's gethostbyname2: the first line
// whose name or alias matches; with host.conf(5) "multi on" the addresses
// and names of every later matching line are appended (each line's aliases,
// then its name when it differs from the first line's).
func filesHostByName(lines []string, name string, af int, multi bool) (*HostEnt, bool) {
	var res *HostEnt
	for _, line := range lines {
		h, ok := parseHostLine(line, af)
		if !ok || !h.matchesName(name) {
			continue
		}
		if res == nil {
			res = &h
			if !multi {
				break
			}
			continue
		}
		res.Aliases = append(res.Aliases, h.Aliases...)
		if h.Name != res.Name {
			res.Aliases = append(res.Aliases, h.Name)
		}
		res.AddrList = append(res.AddrList, h.AddrList...)
	}
	return res, res != nil
}

// filesHostByAddr is the files backend's gethostbyaddr: the first line
// whose address, read for the query's family, equals addr.
func filesHostByAddr(lines []string, addr netip.Addr) (*HostEnt, bool) {
	af := unix.AF_INET6
	if addr.Is4() {
		af = unix.AF_INET
	}
	for _, line := range lines {
		h, ok := parseHostLine(line, af)
		if ok && h.AddrList[0] == addr {
			return &h, true
		}
	}
	return nil, false
}

// filesHostGai is the files backend as glibc's getaddrinfo uses it: the
// lookup of filesHostByName for the requested family (AF_UNSPEC reads
// lines of both families). For AF_INET6 with AI_V4MAPPED, IPv4 lines are
// looked up and mapped when no IPv6 line matched, or always with AI_ALL;
// without AI_ALL glibc also drops IPv4-mapped addresses that an IPv6 line
// gave, which this reproduces.
func filesHostGai(lines []string, name string, h *Hints, multi bool) (addrs []netip.Addr, canon string) {
	if h.Family != unix.AF_INET6 || h.Flags&AI_V4MAPPED == 0 {
		e, ok := filesHostByName(lines, name, h.Family, multi)
		if !ok {
			return nil, ""
		}
		return e.AddrList, e.Name
	}
	e6, ok6 := filesHostByName(lines, name, unix.AF_INET6, multi)
	if ok6 {
		canon = e6.Name
		for _, a := range e6.AddrList {
			if h.Flags&AI_ALL != 0 || !a.Is4In6() {
				addrs = append(addrs, a)
			}
		}
	}
	if ok6 && h.Flags&AI_ALL == 0 {
		return addrs, canon
	}
	if e4, ok4 := filesHostByName(lines, name, unix.AF_INET, multi); ok4 {
		if canon == "" {
			canon = e4.Name
		}
		for _, a := range e4.AddrList {
			addrs = append(addrs, netip.AddrFrom16(a.As16()))
		}
	}
	return addrs, canon
}

// HostEntIter enumerates the hosts file: sethostent(3), gethostent(3) and
// endhostent(3). As glibc's files backend, entries are read as AF_INET.
type HostEntIter struct {
	lines []string
	pos   int
}

// SetHostEnt opens the hosts database: sethostent(3).
func (c Config) SetHostEnt() (*HostEntIter, error) {
	lines, err := dbLines(c.hostsPath())
	if err != nil {
		return nil, err
	}
	return &HostEntIter{lines: lines}, nil
}

// GetHostEnt returns the next entry, or false at the end: gethostent(3).
func (it *HostEntIter) GetHostEnt() (*HostEnt, bool) {
	for it.pos < len(it.lines) {
		h, ok := parseHostLine(it.lines[it.pos], unix.AF_INET)
		it.pos++
		if ok {
			return &h, true
		}
	}
	return nil, false
}

// Rewind starts the enumeration again: sethostent(3) on an open database.
func (it *HostEntIter) Rewind() { it.pos = 0 }

// EndHostEnt closes the database: endhostent(3).
func (it *HostEntIter) EndHostEnt() { it.lines, it.pos = nil, 0 }
