package conformance

func timeoutCases() []Case {
	return nil
}
