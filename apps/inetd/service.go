package inetd

import (
	"fmt"
	"time"
)

// Service is one of the small services.
type Service uint8

// The small services.
const (
	// Echo is RFC 862's Echo Protocol.
	Echo Service = iota + 1
	// Discard is RFC 863's Discard Protocol.
	Discard
	// Daytime is RFC 867's Daytime Protocol.
	Daytime
	// Chargen is RFC 864's Character Generator Protocol.
	Chargen
)

// All lists every service in port order.
func All() []Service { return []Service{Echo, Discard, Daytime, Chargen} }

// String returns the service's name in services(5): "echo", "discard",
// "daytime" or "chargen".
func (s Service) String() string {
	switch s {
	case Echo:
		return "echo"
	case Discard:
		return "discard"
	case Daytime:
		return "daytime"
	case Chargen:
		return "chargen"
	}
	return fmt.Sprintf("Service(%d)", uint8(s))
}

// Port returns the service's well-known port (services(5)).
func (s Service) Port() uint16 {
	switch s {
	// RFC 862: "listen for TCP connections on TCP port 7" (and UDP 7).
	case Echo:
		return 7
	// RFC 863: port 9.
	case Discard:
		return 9
	// RFC 867: port 13.
	case Daytime:
		return 13
	// RFC 864: port 19.
	case Chargen:
		return 19
	}
	return 0
}

// ParseService returns the service named name.
func ParseService(name string) (Service, error) {
	for _, s := range All() {
		if s.String() == name {
			return s, nil
		}
	}
	return 0, fmt.Errorf("inetd: unknown service %q (want echo, discard, daytime or chargen)", name)
}

// DaytimeLayout is the ctime(3) form of the daytime reply, without the
// line end. RFC 867 leaves the syntax open ("there is no specific syntax
// for the daytime"); Linux's inetd and xinetd send ctime's text.
const DaytimeLayout = "Mon Jan _2 15:04:05 2006"

// AppendDaytime appends RFC 867's reply for t: the date and time in
// DaytimeLayout followed by CR LF.
func AppendDaytime(b []byte, t time.Time) []byte {
	b = t.AppendFormat(b, DaytimeLayout)
	return append(b, '\r', '\n')
}

// Chargen pattern (RFC 864 "One popular pattern is 72 chraracter lines of
// the ASCII printing characters. There are 95 printing characters in the
// ASCII character set. ... Each line is 72 characters ... and the
// successive lines start with the next character in the sequence").
const (
	// ChargenLineLen is the number of characters on one line, before the
	// CR LF.
	ChargenLineLen = 72
	chargenFirst   = ' '
	chargenCount   = 95 // ' ' through '~'
	chargenLine    = ChargenLineLen + 2
	chargenPeriod  = chargenCount * chargenLine // the pattern repeats after 95 lines
)

// MaxChargenDatagram is the largest chargen UDP reply: RFC 864 "a random
// number (between 0 and 512) of characters".
const MaxChargenDatagram = 512

// chargenPattern returns one period of the stream (95 lines) followed by
// enough of its start that any window of up to one period is contiguous.
func chargenPattern() []byte {
	b := make([]byte, 0, 2*chargenPeriod)
	for line := 0; line < chargenCount; line++ {
		b = AppendChargenLine(b, line)
	}
	return append(b, b...)
}

// AppendChargenLine appends line n of the pattern (counting from 0): 72
// characters starting n characters into the printable set, then CR LF.
func AppendChargenLine(b []byte, n int) []byte {
	for i := range ChargenLineLen {
		b = append(b, byte(chargenFirst+(n+i)%chargenCount))
	}
	return append(b, '\r', '\n')
}
