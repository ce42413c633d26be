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

// stackExpectedFailures are the cases the stack provider does not pass yet:
// none today. A case added later that the stack fails goes here with the
// reason, and leaves when the stack passes it.
var stackExpectedFailures = [...]string{}
