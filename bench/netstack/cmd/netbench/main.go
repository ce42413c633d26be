// Command netbench compares sockstack's host with gVisor's netstack: it
// runs every workload of package sockstack/bench/netstack on both stacks
// in one process for a fixed time each, several times, and prints one
// table of medians.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
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
	rows, err := netstack.Compare(opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sockstack vs gVisor netstack, %s, GOMAXPROCS=%d, %d run(s) x %s each, medians\n",
		runtime.Version(), runtime.GOMAXPROCS(0), opts.Runs, *d)
	fmt.Fprintf(stdout, "link: in-memory Ethernet II + ARP, MTU %d, %d-frame queue and one delivery goroutine per direction\n",
		netstack.LinkMTU, netstack.LinkQueueLen)
	fmt.Fprintf(stdout, "payload: %d-byte UDP datagrams; %d-byte ICMP echo messages on raw ICMP sockets\n\n",
		netstack.MsgSize, netstack.MsgSize)
	return netstack.WriteTable(stdout, rows)
}
