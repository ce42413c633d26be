package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"sockstack/apps/ping"
	"sockstack/apps/traceroute"
	"sockstack/sock"
)

// statusError carries a program's exit status; err, if not nil, has been
// reported already or is reported by exitCode.
type statusError struct {
	code int
	err  error
}

func (s statusError) Error() string {
	if s.err != nil {
		return s.err.Error()
	}
	return fmt.Sprintf("exit status %d", s.code)
}

func (s statusError) Unwrap() error { return s.err }

// mainFunc is the Main of apps/ping or apps/traceroute.
type mainFunc func(ctx context.Context, api sock.API, args []string, stdout, stderr io.Writer) (int, error)

const pingUsage = `
Usage:
  sockstack ping [-provider kernel] [ping options] DESTINATION
  sockstack ping (--tun NAME | --tap NAME | --iface NAME) [--netns NS]
                 --addr CIDR [--gw ADDR] [--mtu N] [--capture FILE]
                 [ping options] DESTINATION

ping(8) of iputils over a sockets provider: ICMP echo requests on a raw
socket (raw(7)), iputils' output, statistics and exit status (0: a reply
came back; 1: none did; 2: an error). By default it runs on the host's
kernel; with an attach flag it runs on a sockstack host attached to a
Linux device, which answers ARP and ping itself while it runs. The
sockstack flags may come anywhere among ping's.

` + attachHelp + `
Example: the stack on a TUN in namespace lab pinging Linux's end. A
persistent TUN lets Linux's side be ready before the stack attaches:
  ip netns add lab
  ip -n lab tuntap add dev tun0 mode tun
  ip -n lab link set tun0 up
  ip -n lab addr add 10.213.1.1/24 dev tun0
  sockstack ping --netns lab --tun tun0 --addr 10.213.1.2/24 -c 3 10.213.1.1
`

// runPing is the ping subcommand.
func runPing(ctx context.Context, e env, args []string) error {
	return runProbe(ctx, e, "ping", pingUsage, ping.Main, args)
}

const tracerouteUsage = `
Usage:
  sockstack traceroute [-provider kernel] [traceroute options] HOST [PACKETLEN]
  sockstack traceroute (--tun NAME | --tap NAME | --iface NAME) [--netns NS]
                       --addr CIDR [--gw ADDR] [--mtu N] [--capture FILE]
                       [traceroute options] HOST [PACKETLEN]

traceroute(8) over a sockets provider: UDP probes (or ICMP echo with -I)
with growing TTL, each router's ICMP time exceeded naming a hop (RFC 792,
RFC 1812 §4.3.2), the destination's port unreachable (or echo reply)
ending the trace. By default it runs on the host's kernel; with an attach
flag it runs on a sockstack host attached to a Linux device. The sockstack
flags may come anywhere among traceroute's.

` + attachHelp + `
Example: the stack on a TUN in namespace r1, a Linux router, tracing to a
host behind it (--gw: the stack's default route through Linux):
  ip -n r1 tuntap add dev tun0 mode tun
  ip -n r1 link set tun0 up
  ip -n r1 addr add 10.213.5.1/24 dev tun0
  ip netns exec r1 sysctl -qw net.ipv4.ip_forward=1
  sockstack traceroute --netns r1 --tun tun0 --addr 10.213.5.2/24 \
      --gw 10.213.5.1 -n -q 1 -w 1 10.213.7.2
`

// runTraceroute is the traceroute subcommand.
func runTraceroute(ctx context.Context, e env, args []string) error {
	return runProbe(ctx, e, "traceroute", tracerouteUsage, traceroute.Main, args)
}

// runProbe runs main (ping's or traceroute's) with the sockstack flags
// taken out of args.
func runProbe(ctx context.Context, e env, cmd, usage string, main mainFunc, args []string) error {
	fs := newFlags(cmd)
	at := attachFlags(fs)
	providerFlag(fs)
	ours, rest, help := splitArgs(fs, args)
	if help {
		printUsage(e.stdout, fs, usage)
		fmt.Fprintf(e.stdout, "\n%s's own options:\n", cmd)
		main(ctx, nil, []string{"-h"}, e.stdout, e.stdout)
		return nil
	}
	if err := fs.Parse(ours); err != nil {
		printUsage(e.stderr, fs, usage)
		return usageError{fmt.Errorf("%s: %w", cmd, err)}
	}
	api, a, err := provider(cmd, fs, at)
	if err != nil {
		return err
	}
	code, err := main(ctx, api, rest, e.stdout, e.stderr)
	if a != nil {
		err = errors.Join(err, a.close())
	}
	switch {
	case code == 0 && err == nil:
		return nil
	case code == 2 && err != nil:
		// Already printed by main; usage errors keep status 2.
		return statusError{code: 2}
	}
	return statusError{code: code, err: err}
}

// splitArgs separates the flags defined on fs, wherever they appear, from
// the arguments meant for ping or traceroute. help reports -h or --help.
func splitArgs(fs *flag.FlagSet, args []string) (ours, rest []string, help bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch a {
		case "-h", "-help", "--help":
			help = true
			continue
		case "--":
			return ours, append(rest, args[i:]...), help
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || len(a) < 2 || fs.Lookup(name) == nil {
			rest = append(rest, a)
			continue
		}
		ours = append(ours, a)
		if !hasValue && i+1 < len(args) {
			i++
			ours = append(ours, args[i])
		}
	}
	return ours, rest, help
}
