package resolv

import (
	"errors"
	"strings"
)

// ErrNotFound reports that a services or protocols lookup found no entry
// (getservbyname(3) and getprotobyname(3) return NULL).
var ErrNotFound = errors.New("resolv: entry not found")

// ServEnt is struct servent of getservent(3). Port is in host byte order.
type ServEnt struct {
	Name    string
	Aliases []string
	Port    int
	Proto   string
}

// parseServLine parses one services(5) line, "service-name port/protocol
// [aliases ...]", as glibc's files backend does: the port is read with
// strtoul(3) and truncated to 16 bits, one or more '/' follow it (or the
// line ends), and the protocol may be empty.
func parseServLine(line string) (ServEnt, bool) {
	name, rest := cutField(line)
	v, rest, ok := strtoul(rest)
	if !ok {
		return ServEnt{}, false
	}
	switch {
	case strings.HasPrefix(rest, "/"):
		rest = strings.TrimLeft(rest, "/")
	case rest != "":
		return ServEnt{}, false
	}
	proto, rest := cutField(rest)
	return ServEnt{Name: name, Aliases: fields(rest), Port: int(uint16(v)), Proto: proto}, true
}

func (s *ServEnt) matchesName(name string) bool {
	if s.Name == name {
		return true
	}
	for _, a := range s.Aliases {
		if a == name {
			return true
		}
	}
	return false
}

// ServEntIter enumerates the services database: setservent(3),
// getservent(3), endservent(3).
type ServEntIter struct {
	lines []string
	pos   int
}

// SetServEnt opens the services database: setservent(3).
func (c Config) SetServEnt() (*ServEntIter, error) {
	lines, err := dbLines(c.servicesPath())
	if err != nil {
		return nil, err
	}
	return &ServEntIter{lines: lines}, nil
}

// GetServEnt returns the next entry, or false at the end: getservent(3).
func (it *ServEntIter) GetServEnt() (*ServEnt, bool) {
	for it.pos < len(it.lines) {
		s, ok := parseServLine(it.lines[it.pos])
		it.pos++
		if ok {
			return &s, true
		}
	}
	return nil, false
}

// Rewind starts the enumeration again.
func (it *ServEntIter) Rewind() { it.pos = 0 }

// EndServEnt closes the database: endservent(3).
func (it *ServEntIter) EndServEnt() { it.lines, it.pos = nil, 0 }

// GetServByName returns the first service whose name or alias is name
// (case-sensitive) and, when proto is not empty, whose protocol is proto:
// getservbyname(3).
func (c Config) GetServByName(name, proto string) (*ServEnt, error) {
	return c.findServ(func(s *ServEnt) bool {
		return s.matchesName(name) && (proto == "" || s.Proto == proto)
	})
}

// GetServByPort returns the first service with port (host byte order) and,
// when proto is not empty, protocol proto: getservbyport(3).
func (c Config) GetServByPort(port int, proto string) (*ServEnt, error) {
	return c.findServ(func(s *ServEnt) bool {
		return s.Port == port && (proto == "" || s.Proto == proto)
	})
}

func (c Config) findServ(match func(*ServEnt) bool) (*ServEnt, error) {
	it, err := c.SetServEnt()
	if err != nil {
		return nil, err
	}
	for s, ok := it.GetServEnt(); ok; s, ok = it.GetServEnt() {
		if match(s) {
			return s, nil
		}
	}
	return nil, ErrNotFound
}
