package conformance

func tcpCases() []Case {
	return nil
}
