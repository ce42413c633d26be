package main

import (
	"flag"

	"sockstack/kernel"
	"sockstack/sock"
)

// providerFlag defines the -provider flag every subcommand shares.
func providerFlag(fs *flag.FlagSet) *string {
	return fs.String("provider", "kernel", "sockets provider `NAME`: kernel (the host's Linux system calls), or stack (a sockstack host; needs --tun, --tap or --iface where offered)")
}

// provider resolves the -provider flag of fs and the attach flags (nil
// where a subcommand has none) to a sockets provider. A sockstack host is
// used when an attach flag is given (-provider may then be left out or be
// "stack"); the returned attached is that host, which the caller closes,
// or nil for the kernel.
func provider(cmd string, fs *flag.FlagSet, at *attachOpts) (sock.API, *attached, error) {
	name := fs.Lookup("provider").Value.String()
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "provider" })
	attach := at != nil && at.set()
	switch {
	case name == "kernel" && attach && explicit:
		return nil, nil, usagef("%s: -provider kernel excludes --tun, --tap and --iface", cmd)
	case name == "kernel" && !attach:
		if at != nil {
			if err := at.check(cmd, false); err != nil {
				return nil, nil, err
			}
		}
		return kernel.New(), nil, nil
	case name == "stack" && at == nil:
		return nil, nil, usagef("%s: -provider stack is not available here (sockstack up, ping and traceroute attach a sockstack host)", cmd)
	case name == "stack" || name == "kernel":
		if err := at.check(cmd, true); err != nil {
			return nil, nil, err
		}
		a, err := at.attach(cmd)
		if err != nil {
			return nil, nil, err
		}
		return a.host, a, nil
	}
	return nil, nil, usagef("%s: unknown provider %q (available: kernel, stack)", cmd, name)
}
