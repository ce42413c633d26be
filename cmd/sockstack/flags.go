package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// newFlags returns a FlagSet that reports nothing itself: parse prints the
// usage text where it belongs.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parse parses args with fs. On -h it prints usage and the flags to stdout
// and reports help; on a bad flag it prints them to stderr and returns a
// usage error.
func parse(fs *flag.FlagSet, usage string, args []string, e env) (help bool, err error) {
	err = fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(e.stdout, fs, usage)
		return true, nil
	}
	if err != nil {
		printUsage(e.stderr, fs, usage)
		return false, usageError{fmt.Errorf("%s: %w", fs.Name(), err)}
	}
	return false, nil
}

// printUsage prints a subcommand's usage text followed by its flags.
func printUsage(w io.Writer, fs *flag.FlagSet, usage string) {
	fmt.Fprint(w, strings.TrimLeft(usage, "\n"))
	fmt.Fprint(w, "\nFlags:\n")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}
