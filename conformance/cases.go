package conformance

// Cases returns every case of the suite, grouped by the file that holds
// them. Each group function lives in its own file.
func Cases() []Case {
	groups := [][]Case{
		tcpCases(),
		tcpUrgentCases(),
		tcpInheritCases(),
		udpCases(),
		errnoCases(),
		optionCases(),
		pollCases(),
		ipv6Cases(),
		unixCases(),
		rawCases(),
		timeoutCases(),
		mcastCases(),
		packetCases(),
		ipoptCases(),
	}
	var all []Case
	for _, g := range groups {
		all = append(all, g...)
	}
	return all
}
