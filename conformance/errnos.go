package conformance

func errnoCases() []Case {
	return nil
}
