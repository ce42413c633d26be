package resolv

import (
	"net/netip"
	"os"
	"strings"
)

// Config names the files the name services read. A zero field takes the
// /etc default, so Config{} behaves as glibc does on the host.
type Config struct {
	// HostsPath is hosts(5): "/etc/hosts".
	HostsPath string
	// ServicesPath is services(5): "/etc/services".
	ServicesPath string
	// ProtocolsPath is protocols(5): "/etc/protocols".
	ProtocolsPath string
	// ResolvConfPath is resolv.conf(5): "/etc/resolv.conf".
	ResolvConfPath string
	// HostConfPath is host.conf(5), read for its "multi" keyword:
	// "/etc/host.conf".
	HostConfPath string
	// NsswitchPath is nsswitch.conf(5), read for its "hosts:" line only
	// (the sources "files" and "dns" in order): "/etc/nsswitch.conf".
	NsswitchPath string
	// Nameservers, when not empty, replaces the nameserver lines of
	// resolv.conf. resolv.conf has no port syntax; tests use this to point
	// the resolver at a server on a high port.
	Nameservers []netip.AddrPort
	// AddrConfig, when not nil, reports whether IPv4 and IPv6 are
	// configured for AI_ADDRCONFIG. When nil the provider is asked (see
	// addrConfig).
	AddrConfig func() (v4, v6 bool)
}

func (c Config) hostsPath() string     { return orDefault(c.HostsPath, "/etc/hosts") }
func (c Config) servicesPath() string  { return orDefault(c.ServicesPath, "/etc/services") }
func (c Config) protocolsPath() string { return orDefault(c.ProtocolsPath, "/etc/protocols") }
func (c Config) resolvPath() string    { return orDefault(c.ResolvConfPath, "/etc/resolv.conf") }
func (c Config) hostConfPath() string  { return orDefault(c.HostConfPath, "/etc/host.conf") }
func (c Config) nsswitchPath() string  { return orDefault(c.NsswitchPath, "/etc/nsswitch.conf") }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// multi reports host.conf(5)'s "multi on": "return all valid addresses for
// a host that appears in the /etc/hosts file". The default is off.
func (c Config) multi() bool {
	b, err := os.ReadFile(c.hostConfPath())
	if err != nil {
		return false
	}
	on := false
	for _, line := range strings.Split(string(b), "\n") {
		f := fields(stripComment(line))
		if len(f) >= 2 && strings.EqualFold(f[0], "multi") {
			on = strings.EqualFold(f[1], "on")
		}
	}
	return on
}

// hostSources returns the sources of nsswitch.conf(5)'s "hosts:" line that
// this package implements, in order. Without the file or the line, glibc's
// default is "dns [!UNAVAIL=return] files"; a file without "hosts:" uses
// "files dns" here, the common configuration.
func (c Config) hostSources() []string {
	b, err := os.ReadFile(c.nsswitchPath())
	if err != nil {
		return []string{"dns", "files"}
	}
	for _, line := range strings.Split(string(b), "\n") {
		line = stripComment(line)
		name, rest, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(name) != "hosts" {
			continue
		}
		var srcs []string
		for _, f := range fields(rest) {
			if f == "files" || f == "dns" {
				srcs = append(srcs, f)
			}
		}
		return srcs
	}
	return []string{"files", "dns"}
}

// stripComment cuts a line at its first '#'.
func stripComment(line string) string {
	if i := strings.IndexByte(line, '#'); i >= 0 {
		return line[:i]
	}
	return line
}

// fields splits at isspace(3) characters.
func fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r < 0x80 && isSpace(byte(r)) })
}
