package resolv

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
	"golang.org/x/sys/unix"
)

var fuzzServer = netip.MustParseAddrPort("127.0.0.1:53")

func fuzzQuery() query {
	return query{id: 0x1234, name: dnsmessage.MustNewName("example.test."), qtype: dnsmessage.TypeA}
}

// FuzzResponse feeds arbitrary datagrams to the acceptance function with a
// fixed query: it must never panic or loop, and whatever it accepts must
// carry the query's ID, the QR bit and the query's question.
func FuzzResponse(f *testing.F) {
	good := response(f, 0x1234, "example.test.", dnsmessage.TypeA, [4]byte{10, 0, 0, 1})
	f.Add(good)
	f.Add(response(f, 0x1235, "example.test.", dnsmessage.TypeA, [4]byte{10, 0, 0, 1}))
	f.Add(response(f, 0x1234, "other.test.", dnsmessage.TypeA, [4]byte{10, 0, 0, 1}))
	f.Add(good[:len(good)-3])
	// A compression pointer to itself in the question name.
	f.Add([]byte{0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1})
	// A pointer past the end of the message.
	f.Add([]byte{0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0, 1, 0, 1})
	// A CNAME loop in the answer section.
	f.Add(cnameLoop(f))
	f.Fuzz(func(t *testing.T, msg []byte) {
		q := fuzzQuery()
		ans, err := acceptResponse(q, fuzzServer, fuzzServer, msg)
		if errors.Is(err, errNotAccepted) {
			return
		}
		if err != nil || ans == nil {
			t.Fatalf("neither accepted nor refused: %v", err)
		}
		if len(msg) < 12 || binary.BigEndian.Uint16(msg) != q.id || msg[2]&0x80 == 0 {
			t.Fatalf("accepted a message without the query's ID and QR bit: % x", msg)
		}
		var p dnsmessage.Parser
		p.Start(msg)
		qs, err := p.AllQuestions()
		if err != nil || len(qs) != 1 || !strings.EqualFold(qs[0].Name.String(), "example.test.") || qs[0].Type != q.qtype {
			t.Fatalf("accepted a message with questions %v (%v)", qs, err)
		}
		if len(ans.aliases) > maxCNAMEChain {
			t.Fatalf("followed %d CNAMEs", len(ans.aliases))
		}
		if _, err := acceptResponse(q, fuzzServer, netip.MustParseAddrPort("127.0.0.1:54"), msg); !errors.Is(err, errNotAccepted) {
			t.Fatal("accepted a response from the wrong port")
		}
	})
}

func cnameLoop(t testing.TB) []byte {
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: 0x1234, Response: true})
	b.StartQuestions()
	n := dnsmessage.MustNewName("example.test.")
	m := dnsmessage.MustNewName("loop.test.")
	b.Question(dnsmessage.Question{Name: n, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET})
	b.StartAnswers()
	b.CNAMEResource(dnsmessage.ResourceHeader{Name: n, Class: dnsmessage.ClassINET}, dnsmessage.CNAMEResource{CNAME: m})
	b.CNAMEResource(dnsmessage.ResourceHeader{Name: m, Class: dnsmessage.ClassINET}, dnsmessage.CNAMEResource{CNAME: n})
	msg, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// TestCNAMELoopBounded: a CNAME loop ends after maxCNAMEChain steps with no
// address.
func TestCNAMELoopBounded(t *testing.T) {
	ans, err := acceptResponse(fuzzQuery(), fuzzServer, fuzzServer, cnameLoop(t))
	if err != nil || len(ans.aliases) != maxCNAMEChain || ans.result() != ErrNoData {
		t.Fatalf("%+v %v", ans, err)
	}
}

// FuzzHostsLine: parsing never panics and a parsed line has one valid
// address of the requested family and no whitespace in its names.
func FuzzHostsLine(f *testing.F) {
	for _, s := range []string{"127.0.0.1 localhost loc", "::1 localhost", "::ffff:1.2.3.4 m", "bad x", "10.0.0.3", "1.2.3.4\tx\ty # c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, line := range splitDB(text) {
			for _, af := range []int{unix.AF_UNSPEC, unix.AF_INET, unix.AF_INET6} {
				h, ok := parseHostLine(line, af)
				if !ok {
					continue
				}
				if len(h.AddrList) != 1 || !h.AddrList[0].IsValid() || af == unix.AF_INET && !h.AddrList[0].Is4() ||
					af == unix.AF_INET6 && !h.AddrList[0].Is6() || strings.ContainsAny(h.Name, " \t\n#") {
					t.Fatalf("%q af %d: %+v", line, af, h)
				}
			}
		}
	})
}

// FuzzServicesLine: parsing never panics, ports fit 16 bits, and protocol
// lines never carry a negative number.
func FuzzServicesLine(f *testing.F) {
	for _, s := range []string{"http 80/tcp www", "x 70000/udp", "s 8080//tcp a", "n 9999", "bad x/tcp", "p -1 P", "tcp 6 TCP"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, line := range splitDB(text) {
			if s, ok := parseServLine(line); ok && (s.Port < 0 || s.Port > 65535 || strings.ContainsAny(s.Proto, " \t#")) {
				t.Fatalf("%q: %+v", line, s)
			}
			if p, ok := parseProtoLine(line); ok && strings.ContainsAny(p.Name, " \t#") {
				t.Fatalf("%q: %+v", line, p)
			}
		}
	})
}

// FuzzResolvConf: parsing never panics and respects resolv.conf(5)'s
// limits.
func FuzzResolvConf(f *testing.F) {
	f.Add("nameserver 1.2.3.4\nsearch a b.\noptions ndots:3 timeout:1 attempts:9 rotate\n")
	f.Add("domain x\nnameserver ::1\nnameserver 1.1.1.1\nnameserver 2.2.2.2\nnameserver 3.3.3.3\n")
	f.Add("#nameserver 1.2.3.4\n;x\noptions ndots:99\n")
	f.Fuzz(func(t *testing.T, text string) {
		rc := ParseResolvConf(text, "host.example")
		if len(rc.Nameservers) < 1 || len(rc.Nameservers) > maxNameservers || rc.Ndots < 0 || rc.Ndots > maxNdots ||
			rc.Timeout < 1 || rc.Timeout > maxTimeout || rc.Attempts < 1 || rc.Attempts > maxTries {
			t.Fatalf("%q: %+v", text, rc)
		}
	})
}

func TestParseResolvConf(t *testing.T) {
	rc := ParseResolvConf("nameserver 192.0.2.1\nnameserver 2001:db8::53\nnameserver 192.0.2.3\nnameserver 192.0.2.4\n"+
		"domain ignored.example\nsearch a.example b.example.\n; comment\noptions ndots:2 timeout:3 attempts:4 rotate\n", "h.local")
	want := []string{"192.0.2.1:53", "[2001:db8::53]:53", "192.0.2.3:53"}
	if len(rc.Nameservers) != 3 || rc.Nameservers[1].String() != want[1] || rc.Nameservers[2].String() != want[2] {
		t.Errorf("nameservers %v, want %v", rc.Nameservers, want)
	}
	if strings.Join(rc.Search, " ") != "a.example b.example" || rc.Ndots != 2 || rc.Timeout != 3 || rc.Attempts != 4 || !rc.Rotate {
		t.Errorf("%+v", rc)
	}
	def := ParseResolvConf("", "host.corp.example")
	if def.Nameservers[0].String() != "127.0.0.1:53" || strings.Join(def.Search, " ") != "corp.example" ||
		def.Ndots != 1 || def.Timeout != 5 || def.Attempts != 2 {
		t.Errorf("defaults %+v", def)
	}
}
