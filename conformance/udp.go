package conformance

func udpCases() []Case {
	return nil
}
