package main

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestSplitArgs(t *testing.T) {
	fs := newFlags("ping")
	attachFlags(fs)
	providerFlag(fs)
	ours, rest, help := splitArgs(fs, []string{"-c", "3", "--tun", "tun0", "-w", "5", "--addr=10.213.1.2/24", "-provider", "stack", "10.213.1.1"})
	if want := []string{"--tun", "tun0", "--addr=10.213.1.2/24", "-provider", "stack"}; !reflect.DeepEqual(ours, want) {
		t.Errorf("ours = %q, want %q", ours, want)
	}
	if want := []string{"-c", "3", "-w", "5", "10.213.1.1"}; !reflect.DeepEqual(rest, want) {
		t.Errorf("rest = %q, want %q", rest, want)
	}
	if help {
		t.Error("help without -h")
	}
	if _, _, help := splitArgs(fs, []string{"-c", "1", "--help"}); !help {
		t.Error("--help not seen")
	}
}

func TestPingKernel(t *testing.T) {
	needLab(t) // raw sockets need root
	out, stderr, err := runArgs(t, "ping", "-c", "2", "-i", "0.2", "127.0.0.1")
	if err != nil || !strings.Contains(out, "2 packets transmitted, 2 received, 0% packet loss") {
		t.Errorf("ping 127.0.0.1: %v\n%s%s", err, out, stderr)
	}
}

// TestPingNoReply pings from a sockstack host whose TUN Linux never brings
// up: no reply, exit status 1, and the summary says so.
func TestPingNoReply(t *testing.T) {
	needLab(t)
	ns := labNetns(t)
	out, _, err := runArgs(t, "ping", "--netns", ns, "--tun", "tun0", "--addr", "10.213.9.2/24", "-c", "1", "-w", "1", "10.213.9.1")
	var st statusError
	if !errors.As(err, &st) || st.code != 1 || !strings.Contains(out, "1 packets transmitted, 0 received") {
		t.Errorf("ping with no peer: %v (%+v)\n%s; want exit status 1", err, st, out)
	}
}

// TestPingOnStack pings Linux's end of a TUN from a sockstack host the
// ping subcommand attaches.
func TestPingOnStack(t *testing.T) {
	needLab(t)
	ns := labNetns(t)
	// A persistent TUN, configured before the stack attaches to it, so
	// the first echo request finds Linux's end up.
	sh(t, "ip", "-n", ns, "tuntap", "add", "dev", "tun0", "mode", "tun")
	sh(t, "ip", "-n", ns, "link", "set", "tun0", "up")
	sh(t, "ip", "-n", ns, "addr", "add", "10.213.1.1/24", "dev", "tun0")
	// Linux applies the carrier change of the stack's attach through
	// linkwatch, after the first probe: its reply to that one is dropped
	// in Linux (nstat counts 4 echo replies sent, the stack's capture
	// shows 3 arriving), so the first may go unanswered.
	out, stderr, err := runArgs(t, "ping", "--netns", ns, "--tun", "tun0", "--addr", "10.213.1.2/24",
		"-c", "4", "-i", "0.2", "10.213.1.1")
	if err != nil {
		t.Fatalf("ping: %v\n%s%s", err, out, stderr)
	}
	if !regexp.MustCompile(`4 packets transmitted, [34] received`).MatchString(out) || !strings.Contains(out, "icmp_seq=4 ttl=64") {
		t.Errorf("ping output:\n%s", out)
	}
}

// TestTracerouteOnStack traces from a sockstack host on a TUN to Linux's
// end, one hop away: Linux's port unreachable ends the trace.
func TestTracerouteOnStack(t *testing.T) {
	needLab(t)
	ns := labNetns(t)
	sh(t, "ip", "-n", ns, "tuntap", "add", "dev", "tun0", "mode", "tun")
	sh(t, "ip", "-n", ns, "link", "set", "tun0", "up")
	sh(t, "ip", "-n", ns, "addr", "add", "10.213.1.1/24", "dev", "tun0")
	out, stderr, err := runArgs(t, "traceroute", "--netns", ns, "--tun", "tun0", "--addr", "10.213.1.2/24",
		"-n", "-q", "2", "-w", "2", "10.213.1.1")
	if err != nil {
		t.Fatalf("traceroute: %v\n%s%s", err, out, stderr)
	}
	// A probe lost to Linux's linkwatch delay (see TestPingOnStack)
	// shows as "*" before the answer.
	if !strings.Contains(out, "traceroute to 10.213.1.1 (10.213.1.1)") || !regexp.MustCompile(`\n 1  (\* )?10\.213\.1\.1  `).MatchString(out) {
		t.Errorf("traceroute output:\n%s", out)
	}
}
