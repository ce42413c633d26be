package resolv

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
	"golang.org/x/sys/unix"

	"sockstack/kernel"
)

// response builds a response to q with the given overrides.
func response(t testing.TB, id uint16, name string, qtype dnsmessage.Type, a [4]byte) []byte {
	t.Helper()
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: id, Response: true, RecursionAvailable: true})
	b.StartQuestions()
	n := dnsmessage.MustNewName(name)
	b.Question(dnsmessage.Question{Name: n, Type: qtype, Class: dnsmessage.ClassINET})
	b.StartAnswers()
	b.AResource(dnsmessage.ResourceHeader{Name: n, Class: dnsmessage.ClassINET, TTL: 60}, dnsmessage.AResource{A: a})
	msg, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// fakeServer answers one query on a kernel UDP socket with the datagrams
// that answers(query) returns, in order, and then stops.
func fakeServer(t *testing.T, answers func(id uint16, name string, qtype dnsmessage.Type) [][]byte) netip.AddrPort {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 5})
	sa, _ := unix.Getsockname(fd)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		n, from, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			return
		}
		var p dnsmessage.Parser
		h, err := p.Start(buf[:n])
		if err != nil {
			return
		}
		q, err := p.Question()
		if err != nil {
			return
		}
		for _, msg := range answers(h.ID, q.Name.String(), q.Type) {
			unix.Sendto(fd, msg, 0, from)
		}
	}()
	t.Cleanup(func() {
		<-done
		unix.Close(fd)
	})
	return addrPortOf(sa)
}

// TestSpoofedResponsesIgnored: RFC 5452 §9.1: responses with a wrong ID or
// question are dropped and the resolver keeps waiting for the real answer.
func TestSpoofedResponsesIgnored(t *testing.T) {
	server := fakeServer(t, func(id uint16, name string, qtype dnsmessage.Type) [][]byte {
		return [][]byte{
			response(t, id+1, name, qtype, [4]byte{6, 6, 6, 1}),                 // wrong ID
			response(t, id, "other.test.", qtype, [4]byte{6, 6, 6, 2}),          // wrong name
			response(t, id, name, dnsmessage.TypeAAAA, [4]byte{6, 6, 6, 3}),     // wrong type
			{byte(id >> 8), byte(id), 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0}, // truncated name
			response(t, id, "SPOOF.TEST.", qtype, [4]byte{10, 3, 0, 1}),         // case differs: accepted
		}
	})
	cfg := dnsConfig(t, server.Port(), "options timeout:3 attempts:1\n")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h, err := NewResolver(cfg, kernel.New()).GetHostByName(ctx, "spoof.test.")
	if err != nil || len(h.AddrList) != 1 || h.AddrList[0] != netip.MustParseAddr("10.3.0.1") {
		t.Fatalf("got %+v, %v; want 10.3.0.1 only", h, err)
	}
}

// TestTimeoutIsTryAgain: a server that answers nothing acceptable gives
// TRY_AGAIN / EAI_AGAIN after the configured timeout.
func TestTimeoutIsTryAgain(t *testing.T) {
	server := fakeServer(t, func(id uint16, name string, qtype dnsmessage.Type) [][]byte {
		return [][]byte{response(t, id^0xffff, name, qtype, [4]byte{6, 6, 6, 6})}
	})
	cfg := dnsConfig(t, server.Port(), "options timeout:1 attempts:1\n")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	_, err := NewResolver(cfg, kernel.New()).GetAddrInfo(ctx, "silent.test.", "", &Hints{Family: unix.AF_INET})
	if !errors.Is(err, EAI_AGAIN) {
		t.Fatalf("err = %v, want EAI_AGAIN", err)
	}
	if d := time.Since(start); d < 900*time.Millisecond || d > 5*time.Second {
		t.Fatalf("gave up after %v, want about the 1 s timeout", d)
	}
}

// TestQueryHasEDNS0: the query carries an OPT record advertising 1232
// bytes (RFC 6891 §6.1.2) and asks for recursion.
func TestQueryHasEDNS0(t *testing.T) {
	msg, err := buildQuery(query{id: 99, name: dnsmessage.MustNewName("x.test."), qtype: dnsmessage.TypeA}, true)
	if err != nil {
		t.Fatal(err)
	}
	var p dnsmessage.Parser
	h, _ := p.Start(msg)
	p.SkipAllQuestions()
	p.SkipAllAnswers()
	p.SkipAllAuthorities()
	rh, err := p.AdditionalHeader()
	if err != nil || rh.Type != dnsmessage.TypeOPT || rh.Class != ednsPayload || !h.RecursionDesired || h.ID != 99 {
		t.Fatalf("header %+v additional %+v %v", h, rh, err)
	}
}
