package conformance

func optionCases() []Case {
	return nil
}
