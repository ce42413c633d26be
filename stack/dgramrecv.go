package stack

import (
	"golang.org/x/sys/unix"
)

// dgramRecv takes (or, with MSG_PEEK, looks at) the next datagram of q for
// recvmsg(2). Call with the socket's lock held; nothing queued gives
// EAGAIN (or the pending error, or 0 after shutdown).
func (b *sockBase) dgramRecv(q *dgramQueue, bufs *bufPool, p []byte, flags int, eof bool) (n, rflags int, from unix.Sockaddr, d dgram, err error) {
	head := q.peek()
	if head == nil {
		if err := b.takeError(); err != nil {
			return 0, 0, nil, dgram{}, err
		}
		if eof {
			return 0, 0, nil, dgram{}, nil
		}
		return 0, 0, nil, dgram{}, unix.EAGAIN
	}
	n = copy(p, (*head.buf)[:head.n])
	if head.n > len(p) {
		// recv(2) MSG_TRUNC in msg_flags: "the trailing portion of a
		// datagram was discarded because the datagram was larger than
		// the buffer supplied."
		rflags |= unix.MSG_TRUNC
	}
	if flags&unix.MSG_TRUNC != 0 {
		// recv(2) MSG_TRUNC: "return the real length of the packet or
		// datagram, even when it was longer than the passed buffer."
		n = head.n
	}
	if flags&msgNoName == 0 {
		from = toSockaddr(b.domain, head.from)
	}
	d = *head
	if flags&unix.MSG_PEEK == 0 {
		q.pop()
		bufs.put(d.buf)
		d.buf = nil
	}
	return n, rflags, from, d, nil
}
