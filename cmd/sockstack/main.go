// Command sockstack runs the programs of the sockstack project over a
// chosen sockets provider: the echo server and client of seed 003, ping and
// traceroute, a sockstack host on a Linux device serving ping and inetd's
// small services (up), and a demonstration on a virtual network of
// sockstack hosts (demo).
//
// Usage:
//
//	sockstack <subcommand> [flags] [args]
//	sockstack help [subcommand]
//
// Exit status is 0 on success, 1 on failure and 2 on a usage error.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// usageError marks an error in the command line: exit status 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// usagef returns a usageError with a formatted message.
func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// exitCode prints err as "sockstack: <error>" and returns the exit status.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var st statusError
	if errors.As(err, &st) {
		if st.err != nil {
			fmt.Fprintf(stderr, "sockstack: %v\n", st.err)
		}
		return st.code
	}
	fmt.Fprintf(stderr, "sockstack: %v\n", err)
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

// env is what a subcommand reads and writes besides its arguments.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

// commands lists the subcommands in the order help shows them.
func commands() []command {
	return []command{
		{"echo", "TCP/UDP echo server (-l) and client of seed 003, in the manner of nc", runEcho},
		{"up", "run a sockstack host on a TUN, TAP or interface: ping, echo, discard, daytime, chargen", runUp},
		{"ping", "ping(8) over the kernel or a sockstack host on a TUN, TAP or interface", runPing},
		{"traceroute", "traceroute(8) over the kernel or a sockstack host on a TUN, TAP or interface", runTraceroute},
		{"lookup", "getent-compatible hosts, services, protocols lookups; getaddrinfo and getnameinfo", runLookup},
		{"demo", "three sockstack hosts A — R — B in this process: ping, traceroute, UDP echo", runDemo},
		{"help", "show this help, or a subcommand's with: sockstack help SUBCOMMAND", nil},
	}
}

// lookup finds a subcommand by name.
func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// run is the whole program: it dispatches args[0] to a subcommand.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		topUsage(stderr)
		return usagef("no subcommand")
	}
	switch args[0] {
	case "-h", "-help", "--help":
		topUsage(stdout)
		return nil
	case "help":
		if len(args) == 1 {
			topUsage(stdout)
			return nil
		}
		c, ok := lookup(args[1])
		if !ok || c.run == nil {
			topUsage(stderr)
			return usagef("help: unknown subcommand %q", args[1])
		}
		return c.run(ctx, e, []string{"-h"})
	}
	c, ok := lookup(args[0])
	if !ok || c.run == nil {
		topUsage(stderr)
		return usagef("unknown subcommand %q", args[0])
	}
	return c.run(ctx, e, args[1:])
}

// topUsage prints the top-level help.
func topUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: sockstack SUBCOMMAND [flags] [args]

sockstack is a userspace TCP/IP stack whose face is the BSD sockets API;
its programs run over a sockets provider chosen with -provider.

Subcommands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run "sockstack SUBCOMMAND -h" for a subcommand's flags.
`)
}
