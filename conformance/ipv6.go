package conformance

func ipv6Cases() []Case {
	return nil
}
