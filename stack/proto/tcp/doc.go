// Package tcp is sockstack's TCP protocol logic (RFC 9293), written as a
// pure state machine: it owns no goroutines, locks or timers, and time is
// always an argument. The shell (package stack) owns the fd table, locks,
// wait queues, routing, demultiplexing by 4-tuple, IP output and the timer
// heap, and drives this package through a handful of calls.
//
// # Connections
//
//	cfg.ISS = tcp.ISN(secret, local, remote, now) // RFC 6528
//	c := tcp.Dial(cfg, local, remote, now)        // CLOSED -> SYN-SENT
//	c.Output(now, emit)                           // emits the SYN
//
// For every segment the shell demultiplexes to c (checksum verified):
//
//	c.Input(now, seg) // RFC 9293 §3.10.7, steps as separate functions
//	c.Output(now, emit)
//
// Output emits everything due now (data, ACKs, window updates,
// retransmissions, FIN, RST, probes); it is derived from state, so calling
// it again sends nothing new. Each Segment's Payload aliases connection
// memory and is valid only until the next call on the Conn: the shell
// encodes it (Segment.Encode, then wire.TCP.SetChecksum) inside emit.
// After any call the shell re-reads c.Deadline() (zero: no timer) and, when
// it passes, calls c.Tick(now) then c.Output(now, emit). When c.State() is
// Closed the shell removes c from its demux table.
//
// User calls map to socket calls: Write (send, EAGAIN when the buffer is
// full, EPIPE after shutdown), Read (recv, MSG_PEEK with peek; 0, nil at
// EOF; EAGAIN when empty), Shutdown, Close (close(2): the connection lives
// on orphaned until it finishes), Abort (SO_LINGER 0: RST), Events (the
// poll(2) mask, as Linux's tcp_poll), Err (SO_ERROR), Info (TCP_INFO),
// Readable (FIONREAD), Queued (SIOCOUTQ), Unsent (SIOCOUTQNSD), ICMPError
// (RFC 1122 §4.2.3.9 soft and hard errors, RFC 1191 PMTU), SetBuffers
// (SO_SNDBUF and SO_RCVBUF after creation). Urgent data (urgent.go):
// MarkUrgent after a Write is send(MSG_OOB), ReadUrgent is recv(MSG_OOB),
// AtMark is SIOCATMARK, Config.OOBInline is SO_OOBINLINE. Config returns the live
// options; NoDelay, Cork, keepalive, TCP_USER_TIMEOUT and TCP_LINGER2 may
// change at any time. After a call that may allow sending (Write, Read,
// Shutdown, Close, SetBuffers, a changed option) the shell calls Output.
// The shell wakes waiters by comparing Events before and after a call.
//
// # Listening
//
//	l := tcp.NewListener(cfg, local, backlog)
//	reply, conn := l.Input(now, dstAddr, srcAddr, seg, acceptQueueHasRoom)
//
// reply (SYN-ACK or RST, valid until the next call on l) is sent by the
// shell; conn, when not nil, is a connection whose handshake completed: the
// shell adds it to its demux table and accept queue and calls its Output.
// l.Deadline and l.Tick resend SYN-ACKs. Half-open connections are capped
// at backlog; beyond that the listener answers with SYN cookies (RFC 4987
// §3.6), so a SYN flood costs no memory. Segments that match neither a
// connection nor a listener are answered with RSTFor. A SYN that finds a
// connection in TIME-WAIT goes to c.ReuseTimeWait first; if it returns
// true (RFC 6191) the old connection is gone and the SYN goes to the
// listener.
//
// # What is implemented
//
// The full state machine with simultaneous open and close; RFC 5961
// challenge ACKs for RST, SYN and old ACKs; TIME-WAIT of 2*MSL (60 s);
// RFC 7323 window scaling, timestamps and PAWS (RTT is measured from a
// timed segment, RFC 6298 §3, not from echoed timestamps); RFC 2018 SACK blocks sent
// for out-of-order data and used by the sender to pick holes to
// retransmit; RFC 6298 retransmission timer (1 s initial, 200 ms floor,
// 120 s ceiling, backoff, Karn); RFC 5681 fast retransmit, RFC 3042
// limited transmit and RFC 6582 NewReno recovery; CUBIC (RFC 9438,
// default) or Reno congestion avoidance, growing cwnd only while it limits
// sending (RFC 7661); sender and receiver silly-window avoidance (RFC 9293
// §3.8.6.2); the persist timer; Nagle (RFC 9293 §3.7.4), TCP_NODELAY and
// TCP_CORK; delayed ACKs (40 ms, every second full segment); keepalive;
// TCP_USER_TIMEOUT; an out-of-order queue stored in the receive ring, so it
// is bounded by SO_RCVBUF and can never stall the stream.
//
// Challenge ACKs are limited to 10 a second per connection (RFC 5961 §7).
//
// Urgent data follows Linux (tcp(7)): the pointer points past the urgent
// byte (RFC 6093), one out-of-band byte is held unless SO_OOBINLINE, reads
// stop at the mark, a newer pointer replaces an older one; no SIGURG.
//
// Not implemented: ECN; connections from SYN cookies carry no window
// scale, SACK or timestamps; RFC 6675 pipe-based SACK recovery is
// simplified to one hole per duplicate ACK. The sender's
// SWS override timeout (RFC 9293 §3.8.6.2.1), which also bounds how long
// TCP_CORK holds a partial segment, is the persist timer (one RTO).
package tcp
