package conformance

func unixCases() []Case {
	return nil
}
