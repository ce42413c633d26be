package tcp

// State is a TCP connection state (RFC 9293 §3.3.2). The states are ordered
// so that the common predicates are comparisons: every state from
// SynReceived on is synchronized, the user may send in Established and
// CloseWait (s <= CloseWait), and every state after CloseWait has sent, or
// is about to send, a FIN.
type State uint8

// The connection states, in the order described on State.
const (
	Closed      State = iota // no connection
	Listen                   // waiting for a SYN (the Listener's state)
	SynSent                  // SYN sent, waiting for a matching SYN
	SynReceived              // SYN received and sent, waiting for its ACK
	Established              // open, data flows both ways
	CloseWait                // FIN received, waiting for the user to close
	FinWait1                 // user closed, our FIN not yet acknowledged
	Closing                  // both FINs sent, ours not yet acknowledged
	LastAck                  // FIN received then ours sent, waiting for its ACK
	FinWait2                 // our FIN acknowledged, waiting for the peer's
	TimeWait                 // both FINs done, waiting 2*MSL
)

var stateNames = [...]string{
	Closed: "CLOSED", Listen: "LISTEN", SynSent: "SYN-SENT", SynReceived: "SYN-RECEIVED",
	Established: "ESTABLISHED", CloseWait: "CLOSE-WAIT", FinWait1: "FIN-WAIT-1",
	Closing: "CLOSING", LastAck: "LAST-ACK", FinWait2: "FIN-WAIT-2", TimeWait: "TIME-WAIT",
}

// String returns the RFC 9293 name of s, such as "SYN-SENT".
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "STATE?"
}

// synchronized reports whether s is one of RFC 9293 §3.10.7.4's
// synchronized states (SYN-RECEIVED and after).
func (s State) synchronized() bool { return s >= SynReceived }

// canSend reports whether the user may still queue data in s.
func (s State) canSend() bool { return s >= SynSent && s <= CloseWait }

// finSent reports whether our FIN has been queued in s.
func (s State) finSent() bool { return s > CloseWait }

// finReceived reports whether the peer's FIN has been processed in s.
func (s State) finReceived() bool {
	return s == CloseWait || s == Closing || s == LastAck || s == TimeWait
}

// linuxState maps s to the tcp_states numbering Linux reports in
// tcp_info.tcpi_state.
func (s State) linuxState() uint8 {
	return [...]uint8{
		Closed: 7, Listen: 10, SynSent: 2, SynReceived: 3, Established: 1,
		CloseWait: 8, FinWait1: 4, Closing: 11, LastAck: 9, FinWait2: 5, TimeWait: 6,
	}[s]
}
