package main

import (
	"flag"

	"sockstack/kernel"
	"sockstack/sock"
)

// providerFlag defines the -provider flag every subcommand shares.
func providerFlag(fs *flag.FlagSet) *string {
	return fs.String("provider", "kernel", "sockets provider `NAME`: kernel (the host's Linux system calls)")
}

// provider resolves a -provider value to a sockets provider. Only the
// kernel exists so far; sockstack's own stack is to come as "stack".
func provider(name string) (sock.API, error) {
	switch name {
	case "kernel":
		return kernel.New(), nil
	}
	return nil, usagef("unknown provider %q (available: kernel)", name)
}
