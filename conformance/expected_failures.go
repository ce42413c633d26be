package conformance

// expectedFailures lists, per provider, the cases that provider is known not
// to pass yet. The kernel has none: a case that fails on Linux is a wrong
// case. This list only shrinks: a listed case that passes fails the suite
// until it is removed here.
func expectedFailures(provider string) map[string]bool {
	if provider != "stack" {
		return nil
	}
	m := map[string]bool{}
	for _, c := range stackExpectedFailures {
		m[c] = true
	}
	return m
}

// stackExpectedFailures are the cases the stack provider does not pass yet.
var stackExpectedFailures = [...]string{
	// tcp: RFC 9293 §3.10.7.4: a RST in CLOSE-WAIT should report EPIPE, as Linux does (stack/proto/tcp).
	"tcp/epipe-after-peer-close",
	"tcp/msg-nosignal-epipe",
}
