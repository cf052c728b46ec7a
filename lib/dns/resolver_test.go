package dns

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A handler answers one query (nil: stay silent).
type handler func(q []byte, name string, t Type, tcp bool) []byte

// serve runs a DNS server on 127.0.0.1 (UDP and TCP on one port) until
// the test ends, and returns its address.
func serve(t *testing.T, h handler) netip.AddrPort {
	t.Helper()
	for range 20 {
		uc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		ap := uc.LocalAddr().(*net.UDPAddr).AddrPort()
		tl, err := net.Listen("tcp", ap.String())
		if err != nil {
			uc.Close()
			continue
		}
		t.Cleanup(func() { uc.Close(); tl.Close() })
		go serveUDP(uc, h)
		go serveTCP(tl, h)
		return ap
	}
	t.Fatal("no port free for UDP and TCP")
	return netip.AddrPort{}
}

func question(q []byte) (string, Type) {
	name, off, err := readName(q, headerLen)
	if err != nil || off+2 > len(q) {
		return "", 0
	}
	return name, Type(binary.BigEndian.Uint16(q[off:]))
}

func serveUDP(c *net.UDPConn, h handler) {
	buf := make([]byte, 512)
	for {
		n, from, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		q := append([]byte(nil), buf[:n]...)
		name, typ := question(q)
		if r := h(q, name, typ, false); r != nil {
			c.WriteToUDPAddrPort(r, from)
		}
	}
}

func serveTCP(l net.Listener, h handler) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		var n [2]byte
		if _, err := io.ReadFull(c, n[:]); err == nil {
			q := make([]byte, binary.BigEndian.Uint16(n[:]))
			if _, err := io.ReadFull(c, q); err == nil {
				name, typ := question(q)
				if r := h(q, name, typ, true); r != nil {
					c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(r))), r...))
				}
			}
		}
		c.Close()
	}
}

// zone answers from a fixed table like an authoritative server that does
// not chase CNAMEs; names missing from it are NXDOMAIN.
func zone(t *testing.T, recs map[string][][]byte) handler {
	return func(q []byte, name string, typ Type, tcp bool) []byte {
		rrs, ok := recs[strings.ToLower(name)]
		if !ok {
			return reply(q, rcodeNXDomain, false)
		}
		var ans [][]byte
		for _, r := range rrs {
			_, off, _ := readName(r, 0)
			if rt := Type(binary.BigEndian.Uint16(r[off:])); rt == typ || rt == TypeCNAME {
				ans = append(ans, r)
			}
		}
		return reply(q, 0, false, ans...)
	}
}

func fast(servers ...netip.AddrPort) *Resolver {
	return &Resolver{Servers: servers, Timeouts: []time.Duration{200 * time.Millisecond}, Deadline: time.Now().Add(5 * time.Second)}
}

func TestLookups(t *testing.T) {
	a := func(name, ip string) []byte {
		addr := netip.MustParseAddr(ip)
		if addr.Is4() {
			return rr(t, name, TypeA, addr.AsSlice())
		}
		return rr(t, name, TypeAAAA, addr.AsSlice())
	}
	cn := func(name, target string) []byte { return rr(t, name, TypeCNAME, nameData(t, target)) }
	s := serve(t, zone(t, map[string][][]byte{
		"example.test":     {rr(t, "example.test", TypeMX, mxData(t, 10, "mx1.example.test")), rr(t, "example.test", TypeMX, mxData(t, 20, "mx2.example.test"))},
		"mx1.example.test": {a("mx1.example.test", "192.0.2.1"), a("mx1.example.test", "192.0.2.2"), a("mx1.example.test", "2001:db8::1")},
		"alias.test":       {cn("alias.test", "Target.Test")},
		"target.test":      {a("target.test", "192.0.2.9")},
		"chain.test":       {cn("chain.test", "alias.test")},
		"loop1.test":       {cn("loop1.test", "loop2.test")},
		"loop2.test":       {cn("loop2.test", "loop1.test")},
		"dangling.test":    {cn("dangling.test", "nowhere.test")},
		"_mta-sts.example.test": {rr(t, "_mta-sts.example.test", TypeTXT, []byte("\x08v=STSv1;\x06 id=a1")),
			rr(t, "_mta-sts.example.test", TypeTXT, []byte("\x05other"))},
		"_mta-sts.alias.test": {cn("_mta-sts.alias.test", "sts.target.test")},
		"sts.target.test":     {rr(t, "sts.target.test", TypeTXT, []byte("\x0dv=STSv1; id=b"))},
	}))
	r := fast(s)
	for _, c := range []struct {
		name string
		typ  Type
		want string
	}{
		{"example.test", TypeMX, "[{10 mx1.example.test} {20 mx2.example.test}] <nil>"},
		{"EXAMPLE.test.", TypeMX, "[{10 mx1.example.test} {20 mx2.example.test}] <nil>"},
		{"mx1.example.test", TypeA, "[192.0.2.1 192.0.2.2] <nil>"},
		{"mx1.example.test", TypeAAAA, "[2001:db8::1] <nil>"},
		{"example.test", TypeA, "[] example.test: no records of that type"},
		{"nx.test", TypeA, "[] nx.test: no such name"},
		{"alias.test", TypeA, "[192.0.2.9] <nil>"},
		{"chain.test", TypeA, "[192.0.2.9] <nil>"},
		{"alias.test", TypeAAAA, "[] Target.Test: no records of that type"},
		{"dangling.test", TypeA, "[] nowhere.test: no such name"},
		{"loop1.test", TypeA, "[] loop2.test: temporary failure: CNAME chain too long or looping"},
		{"bad..name", TypeA, "[] bad..name: no such name"},
		{"_mta-sts.example.test", TypeTXT, "[v=STSv1; id=a1 other] <nil>"},
		{"_mta-sts.alias.test", TypeTXT, "[v=STSv1; id=b] <nil>"},
		{"example.test", TypeTXT, "[] example.test: no records of that type"},
	} {
		var got any
		var err error
		switch c.typ {
		case TypeMX:
			got, _, err = r.LookupMX(c.name)
		case TypeTXT:
			got, _, err = r.LookupTXT(c.name)
		default:
			got, _, err = r.LookupAddr(c.name, c.typ)
		}
		if s := fmt.Sprintf("%v %v", got, err); s != c.want {
			t.Errorf("%s %d: got %s, want %s", c.name, c.typ, s, c.want)
		}
	}
}

func TestServerFailures(t *testing.T) {
	var tcpUsed atomic.Bool
	s := serve(t, func(q []byte, name string, typ Type, tcp bool) []byte {
		switch name {
		case "broken.test":
			return reply(q, 2, false)
		case "refused.test":
			return reply(q, 5, false)
		case "slow.test":
			return nil
		case "junk.test":
			return append(q[:2:2], 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0) // a question is missing
		case "big.test":
			if !tcp {
				return reply(q, 0, true)
			}
			tcpUsed.Store(true)
			return reply(q, 0, false, rr(t, "big.test", TypeA, []byte{192, 0, 2, 3}))
		case "alias.test":
			return reply(q, 0, false, rr(t, "alias.test", TypeCNAME, nameData(t, "broken.test")))
		}
		return reply(q, rcodeNXDomain, false)
	})
	r := fast(s)
	for _, c := range []struct{ name, want string }{
		{"broken.test", "broken.test: temporary failure: 127.0.0.1:PORT: server failure (SERVFAIL) false"},
		{"refused.test", "refused.test: temporary failure: 127.0.0.1:PORT: refused (REFUSED) false"},
		{"slow.test", "slow.test: temporary failure: 127.0.0.1:PORT: read udp 127.0.0.1:PORT->127.0.0.1:PORT: i/o timeout false"},
		{"junk.test", "junk.test: temporary failure: 127.0.0.1:PORT: truncated message false"},
		{"alias.test", "broken.test: temporary failure: 127.0.0.1:PORT: server failure (SERVFAIL) true"},
	} {
		_, _, err := r.LookupAddr(c.name, TypeA)
		var e *Error
		if !errors.As(err, &e) || e.Kind != Temporary {
			t.Errorf("%s: got %v, want a temporary failure", c.name, err)
			continue
		}
		got := ports(fmt.Sprintf("%v %v", err, e.Alias))
		if got != c.want {
			t.Errorf("%s: got %s\nwant %s", c.name, got, c.want)
		}
	}
	addrs, _, err := r.LookupAddr("big.test", TypeA)
	if fmt.Sprint(addrs, err) != "[192.0.2.3] <nil>" || !tcpUsed.Load() {
		t.Errorf("truncated: got %v %v, tcp %v", addrs, err, tcpUsed.Load())
	}
}

// ports hides port numbers.
func ports(s string) string {
	return regexp.MustCompile(`127\.0\.0\.1:[0-9]+`).ReplaceAllString(s, "127.0.0.1:PORT")
}

func TestNextServer(t *testing.T) {
	good := serve(t, zone(t, map[string][][]byte{"h.test": {rr(t, "h.test", TypeA, []byte{192, 0, 2, 5})}}))
	bad := serve(t, func(q []byte, _ string, _ Type, _ bool) []byte { return reply(q, 2, false) })
	silent := serve(t, func([]byte, string, Type, bool) []byte { return nil })
	dead := netip.MustParseAddrPort("127.0.0.1:1")
	for _, servers := range [][]netip.AddrPort{{bad, good}, {silent, good}, {dead, good}} {
		addrs, _, err := fast(servers...).LookupAddr("h.test", TypeA)
		if fmt.Sprint(addrs, err) != "[192.0.2.5] <nil>" {
			t.Errorf("%v: got %v %v", servers, addrs, err)
		}
	}
}

func TestDeadline(t *testing.T) {
	silent := serve(t, func([]byte, string, Type, bool) []byte { return nil })
	r := &Resolver{Servers: []netip.AddrPort{silent}, Deadline: time.Now().Add(300 * time.Millisecond)}
	start := time.Now()
	_, _, err := r.LookupMX("example.test")
	if d := time.Since(start); d > 1*time.Second {
		t.Errorf("took %v", d)
	}
	if KindOf(err) != Temporary || !strings.Contains(err.Error(), "time limit reached") {
		t.Errorf("got %v", err)
	}
	if _, _, err := (&Resolver{}).LookupMX("example.test"); KindOf(err) != Temporary {
		t.Errorf("no servers: got %v", err)
	}
}

// TestAuthenticated: an answer is secure when every reply on the way had
// AD, from a loopback server; a secure denial is secure too.
func TestAuthenticated(t *testing.T) {
	const tlsa = "_25._tcp.mx.example.test"
	signed := map[string]bool{"example.test": true, "mx.example.test": true, tlsa: true, "sec.test": true, "nx.example.test": true}
	s := serve(t, func(q []byte, name string, typ Type, tcp bool) []byte {
		var b []byte
		switch strings.ToLower(name) {
		case "example.test":
			b = reply(q, 0, false, rr(t, name, TypeMX, mxData(t, 10, "mx.example.test")))
		case "mx.example.test":
			b = reply(q, 0, false, rr(t, name, TypeA, []byte{192, 0, 2, 1}))
		case tlsa:
			b = reply(q, 0, false, rr(t, name, TypeTLSA, tlsaData(3, 1, 1, "\x01\x02")))
		case "sec.test": // signed alias to an unsigned name
			b = reply(q, 0, false, rr(t, name, TypeCNAME, nameData(t, "unsigned.test")))
		case "unsigned.test":
			b = reply(q, 0, false, rr(t, name, TypeA, []byte{192, 0, 2, 2}))
		default:
			b = reply(q, rcodeNXDomain, false)
		}
		if signed[strings.ToLower(name)] {
			b[3] |= 0x20
		}
		return b
	})
	r := fast(s)
	mxs, ans, err := r.LookupMX("example.test")
	if fmt.Sprint(mxs, ans, err) != "[{10 mx.example.test}] {true example.test} <nil>" {
		t.Errorf("MX: %v %v %v", mxs, ans, err)
	}
	recs, ans, err := r.LookupTLSA(tlsa)
	if fmt.Sprintf("%x %v %v", recs, ans, err) != "[{3 1 1 0102}] {true _25._tcp.mx.example.test} <nil>" {
		t.Errorf("TLSA: %x %v %v", recs, ans, err)
	}
	addrs, ans, err := r.LookupAddr("sec.test", TypeA)
	if fmt.Sprint(addrs, ans, err) != "[192.0.2.2] {false unsigned.test} <nil>" {
		t.Errorf("chain leaving the signed zone: %v %v %v", addrs, ans, err)
	}
	_, ans, err = r.LookupTLSA("nx.example.test")
	if KindOf(err) != NXDomain || !ans.Secure {
		t.Errorf("secure denial: %v %v", ans, err)
	}
	_, ans, err = r.LookupAddr("other.test", TypeA)
	if KindOf(err) != NXDomain || ans.Secure {
		t.Errorf("insecure denial: %v %v", ans, err)
	}
}

// TestADTrust: the AD bit is believed only from a loopback address
// (SPEC D30). A resolver elsewhere may validate, but the bit reaches us
// unsigned over a path anyone on it can change.
func TestADTrust(t *testing.T) {
	for _, c := range []struct {
		addr string
		want bool
	}{
		{"127.0.0.1", true}, {"127.1.2.3", true}, {"::1", true}, {"::ffff:127.0.0.1", true},
		{"192.0.2.53", false}, {"10.0.0.1", false}, {"2001:db8::53", false}, {"::ffff:192.0.2.53", false},
		{"0.0.0.0", false}, {"::", false}, {"fe80::1", false},
	} {
		if got := trustAD(netip.MustParseAddr(c.addr)); got != c.want {
			t.Errorf("trustAD(%s) = %v", c.addr, got)
		}
	}
}

// TestADElsewhere: a reply with AD from a server that is not on
// loopback is not secure. The test's server is on 127.0.0.1, so trustAD
// is told to see it as a remote one.
func TestADElsewhere(t *testing.T) {
	s := serve(t, func(q []byte, name string, typ Type, tcp bool) []byte {
		b := reply(q, 0, false, rr(t, name, TypeTLSA, tlsaData(3, 1, 1, "\x01")))
		b[3] |= 0x20
		return b
	})
	const name = "_25._tcp.mx.example.test"
	if _, ans, err := fast(s).LookupTLSA(name); !ans.Secure || err != nil {
		t.Fatalf("from loopback: %v %v", ans, err)
	}
	defer func(f func(netip.Addr) bool) { trustAD = f }(trustAD)
	trustAD = func(a netip.Addr) bool { return a != s.Addr() }
	if recs, ans, err := fast(s).LookupTLSA(name); ans.Secure || err != nil || len(recs) != 1 {
		t.Errorf("from elsewhere: %v %v %v", recs, ans, err)
	}
}

// TestNoEDNS: a server that answers FORMERR to EDNS0 is asked again
// without it (RFC 6891 7), and the answer is used.
func TestNoEDNS(t *testing.T) {
	var plain atomic.Int32
	s := serve(t, func(q []byte, name string, typ Type, tcp bool) []byte {
		if binary.BigEndian.Uint16(q[10:]) != 0 {
			return reply(q, rcodeFormErr, false)
		}
		plain.Add(1)
		return reply(q, 0, false, rr(t, name, TypeA, []byte{192, 0, 2, 8}))
	})
	addrs, ans, err := fast(s).LookupAddr("old.test", TypeA)
	if fmt.Sprint(addrs, ans.Secure, err) != "[192.0.2.8] false <nil>" || plain.Load() != 1 {
		t.Errorf("got %v %v %v, %d plain queries", addrs, ans, err, plain.Load())
	}
}

// TestQueryHasDO: every query asks with EDNS0 and the DO bit.
func TestQueryHasDO(t *testing.T) {
	var seen atomic.Value
	s := serve(t, func(q []byte, name string, typ Type, tcp bool) []byte {
		seen.Store(append([]byte(nil), q...))
		return reply(q, rcodeNXDomain, false)
	})
	fast(s).LookupMX("example.test")
	q, _ := seen.Load().([]byte)
	if len(q) < 11 || string(q[len(q)-11:]) != "\x00\x00\x29\x04\xd0\x00\x00\x80\x00\x00\x00" || q[11] != 1 {
		t.Errorf("query %q", q)
	}
}
