package conformance

// expectedFailures lists, per provider, the cases that provider is known not
// to pass yet. The kernel has none: a case that fails on Linux is a wrong
// case. This list only shrinks.
func expectedFailures(provider string) map[string]bool {
	switch provider {
	case "kernel":
		return nil
	default:
		return nil
	}
}
