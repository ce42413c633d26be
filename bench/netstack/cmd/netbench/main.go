// Command netbench compares sockstack's host with gVisor's netstack: it
// runs every workload of package sockstack/bench/netstack on both stacks
// in one process for a fixed time each, several times, and prints one
// table of medians.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"sockstack/bench/netstack"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "netbench:", err)
		os.Exit(1)
	}
}

// run parses args and prints the comparison table to stdout, progress to
// stderr with -v.
func run(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("netbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	d := fs.Duration("d", 2*time.Second, "duration of each measurement")
	runs := fs.Int("runs", 3, "runs per workload and stack; the table shows medians")
	verbose := fs.Bool("v", false, "print every measurement to stderr")
	only := fs.String("only", "", "run only the \"udp\" (UDP and ICMP) or the \"tcp\" table")
	idle := fs.Int("idle", netstack.IdleConns, "idle connections of the TCP memory measurement")
	idleChild := fs.String("idle-child", "", "internal: measure one stack's idle memory in this fresh process and print it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	opts := netstack.Options{Runs: *runs, Duration: *d}
	if *verbose {
		opts.Progress = stderr
	}
	raiseFileLimit(uint64(2**idle + 1024))
	if *idleChild != "" {
		v, held, err := netstack.MeasureIdle(*idleChild, *idle)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%f %d\n", v, held)
		return err
	}
	if *only != "" && *only != "udp" && *only != "tcp" {
		return fmt.Errorf("-only %q: want udp or tcp", *only)
	}
	fmt.Fprintf(stdout, "sockstack vs gVisor netstack vs Linux, %s, GOMAXPROCS=%d, %d run(s) x %s each, medians\n",
		runtime.Version(), runtime.GOMAXPROCS(0), opts.Runs, *d)
	if *only != "tcp" {
		if err := udpTable(stdout, opts); err != nil {
			return err
		}
	}
	if *only != "udp" {
		return tcpTable(stdout, opts, *idle)
	}
	return nil
}

// udpTable prints the UDP and ICMP table (sockstack and gVisor).
func udpTable(stdout io.Writer, opts netstack.Options) error {
	rows, err := netstack.Compare(opts)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	fmt.Fprintf(stdout, "link: in-memory Ethernet II + ARP, MTU %d, %d-frame queue and one delivery goroutine per direction\n",
		netstack.LinkMTU, netstack.LinkQueueLen)
	fmt.Fprintf(stdout, "payload: %d-byte UDP datagrams; %d-byte ICMP echo messages on raw ICMP sockets\n\n",
		netstack.MsgSize, netstack.MsgSize)
	return netstack.WriteTable(stdout, rows)
}

// tcpTable prints the TCP table (sockstack, gVisor and Linux loopback).
func tcpTable(stdout io.Writer, opts netstack.Options, idle int) error {
	ms, err := netstack.CompareTCP(opts, idle, idleInChild)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	fmt.Fprintln(stdout, "TCP over net.Conn: sockstack via package netconn, gVisor via gonet, Linux via package net on 127.0.0.1")
	fmt.Fprintln(stdout, "links: the in-memory Ethernet link above at the MTU shown; Linux loopback with TCP_MAXSEG 1460 for MTU 1500")
	fmt.Fprintf(stdout, "bulk: %d KiB writes, one stream; CPU: process user+system time; idle: up to %d connections, Go heap growth\n",
		netstack.BulkChunk>>10, idle)
	fmt.Fprintln(stdout, "  per endpoint (two per connection), plus kernel slab growth for Linux")
	fmt.Fprintln(stdout)
	return netstack.WriteTCPTable(stdout, ms)
}

// raiseFileLimit lifts RLIMIT_NOFILE to at least n where it may (root may
// raise the hard limit too): Linux's idle-connection measurement holds two
// descriptors per connection. Failure is left for the measurement to report.
func raiseFileLimit(n uint64) {
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) != nil || lim.Cur >= n {
		return
	}
	want := syscall.Rlimit{Cur: n, Max: max(lim.Max, n)}
	if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want) != nil {
		lim.Cur = lim.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
}

// idleInChild measures idle-connection memory in a fresh netbench process
// (-idle-child), so that no other workload's garbage is freed while it
// measures.
func idleInChild(stack string, conns int) (float64, int, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, 0, err
	}
	out, err := exec.Command(exe, "-idle-child", stack, "-idle", strconv.Itoa(conns)).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return 0, 0, fmt.Errorf("%s: %s", err, bytes.TrimSpace(ee.Stderr))
		}
		return 0, 0, err
	}
	var v float64
	var held int
	if _, err := fmt.Sscan(string(out), &v, &held); err != nil {
		return 0, 0, fmt.Errorf("idle child said %q: %w", out, err)
	}
	return v, held, nil
}
