package dns

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

// rr returns one resource record in wire form, the owner uncompressed.
func rr(t testing.TB, owner string, typ Type, rdata []byte) []byte {
	t.Helper()
	b, err := appendName(nil, owner)
	if err != nil {
		t.Fatal(err)
	}
	b = binary.BigEndian.AppendUint16(b, uint16(typ))
	b = binary.BigEndian.AppendUint16(b, classIN)
	b = binary.BigEndian.AppendUint32(b, 300)
	b = binary.BigEndian.AppendUint16(b, uint16(len(rdata)))
	return append(b, rdata...)
}

func nameData(t testing.TB, name string) []byte {
	t.Helper()
	b, err := appendName(nil, name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mxData(t testing.TB, pref uint16, host string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, pref), nameData(t, host)...)
}

// reply answers query q with rcode, the TC bit and the answer records.
// What follows the question (our OPT record) is not copied.
func reply(q []byte, rcode int, tc bool, answers ...[]byte) []byte {
	if _, off, err := readName(q, headerLen); err == nil && off+4 <= len(q) {
		q = q[:off+4]
	}
	b := append([]byte(nil), q...)
	binary.BigEndian.PutUint16(b[10:], 0) // ARCOUNT
	b[2] |= 0x80                          // QR
	if tc {
		b[2] |= 0x02
	}
	b[3] = byte(rcode)
	binary.BigEndian.PutUint16(b[6:], uint16(len(answers)))
	for _, a := range answers {
		b = append(b, a...)
	}
	return b
}

func TestBuildQuery(t *testing.T) {
	q, err := buildQuery(0x1234, "Mx.Example.TEST.", TypeMX, false)
	if err != nil {
		t.Fatal(err)
	}
	want := "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" +
		"\x02Mx\x07Example\x04TEST\x00\x00\x0f\x00\x01"
	if string(q) != want {
		t.Errorf("got %q\nwant %q", q, want)
	}
	// RFC 6891 6.1.2: ARCOUNT 1, then the OPT record: root owner, type
	// 41, class = UDP size 1232, TTL = 0 0 DO, no options.
	q, err = buildQuery(0x1234, "Mx.Example.TEST.", TypeMX, true)
	if err != nil {
		t.Fatal(err)
	}
	want = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x01" +
		"\x02Mx\x07Example\x04TEST\x00\x00\x0f\x00\x01" +
		"\x00\x00\x29\x04\xd0\x00\x00\x80\x00\x00\x00"
	if string(q) != want {
		t.Errorf("EDNS: got %q\nwant %q", q, want)
	}
}

func TestNames(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{"example.test", "example.test"},
		{"example.test.", "example.test"},
		{".", "."},
		{"", "."},
		{`a\032b.test`, `a\032b.test`},
		{`a\.b.test`, `a\046b.test`},
		{`a\\b`, `a\092b`},
		{`\065x`, `Ax`},
		{strings.Repeat("a", 63) + ".test", strings.Repeat("a", 63) + ".test"},
		{strings.Repeat("a", 64) + ".test", "error"},
		{"a..test", "error"},
		{".a", "error"},
		{`a\256`, "error"},
		{`a\`, "error"},
		{`a\1`, "error"},
		{strings.Repeat("abcdefg.", 31) + "abcde", strings.Repeat("abcdefg.", 31) + "abcde"}, // 255 bytes
		{strings.Repeat("abcdefg.", 31) + "abcdef", "error"},
	} {
		got, err := canonical(c.in)
		if err != nil {
			got = "error"
		}
		if got != c.out {
			t.Errorf("canonical(%q) = %q, want %q", c.in, got, c.out)
		}
	}
}

func TestReadNameCompression(t *testing.T) {
	msg := []byte("\x00\x04test\x00\x02mx\xc0\x01\xc0\x07\xc0\x0e")
	for _, c := range []struct {
		off  int
		name string
		next int
		err  error
	}{
		{1, "test", 7, nil},
		{7, "mx.test", 12, nil},
		{12, "mx.test", 14, nil},
		{14, "", 0, errBadName}, // points at itself
		{0, ".", 1, nil},
		{15, "", 0, errShort},
		{20, "", 0, errShort},
	} {
		name, next, err := readName(msg, c.off)
		if name != c.name || next != c.next || !errors.Is(err, c.err) {
			t.Errorf("readName at %d = %q, %d, %v; want %q, %d, %v", c.off, name, next, err, c.name, c.next, c.err)
		}
	}
}

func TestReadNameLoop(t *testing.T) {
	// A label at 12, then a pointer back to it: only the length cap ends it.
	msg := make([]byte, 12)
	msg = append(msg, 3, 'a', 'b', 'c', 0xC0, 12)
	if _, _, err := readName(msg, 12); !errors.Is(err, errBadName) {
		t.Errorf("got %v, want errBadName", err)
	}
}

func TestParseReply(t *testing.T) {
	q, _ := buildQuery(7, "example.test", TypeMX, true)
	mx := rr(t, "example.test", TypeMX, mxData(t, 10, "mx1.example.test"))
	null := rr(t, "example.test", TypeMX, mxData(t, 0, "."))
	cname := rr(t, "Example.TEST", TypeCNAME, nameData(t, "target.test"))
	hinfo := rr(t, "example.test", 13, []byte("\x03abc\x03def"))
	txt := rr(t, "example.test", TypeTXT, []byte("\x03abc\x00\x02de"))
	badTXT := rr(t, "example.test", TypeTXT, []byte("\x03ab"))
	badA := rr(t, "example.test", TypeA, []byte{1, 2, 3})
	compressed := append([]byte("\xc0\x0c\x00\x0f\x00\x01\x00\x00\x00\x10\x00\x04\x00\x05"), "\xc0\x0c"...)
	for _, c := range []struct {
		name string
		msg  []byte
		id   uint16
		want string
		err  error
	}{
		{"one MX", reply(q, 0, false, mx), 7, "0 MX 10 mx1.example.test", nil},
		{"null MX", reply(q, 0, false, null), 7, "0 MX 0 .", nil},
		{"CNAME, other type skipped", reply(q, 0, false, cname, hinfo), 7, "0 CNAME target.test", nil},
		{"TXT strings joined", reply(q, 0, false, txt, mx), 7, "0 TXT abcde MX 10 mx1.example.test", nil},
		{"malformed TXT skipped", reply(q, 0, false, badTXT, mx), 7, "0 MX 10 mx1.example.test", nil},
		{"compressed", reply(q, 0, false, compressed), 7, "0 MX 5 example.test", nil},
		{"nxdomain", reply(q, 3, false), 7, "3", nil},
		{"servfail skips the body", reply(q, 2, false)[:12], 7, "2", nil},
		{"truncated", reply(q, 0, true)[:12], 7, "0 TC", nil},
		{"another ID", reply(q, 0, false, mx), 8, "", errNotReply},
		{"a query", q, 7, "", errNotReply},
		{"short", q[:11], 7, "", errShort},
		{"cut record", reply(q, 0, false, mx[:len(mx)-1]), 7, "", errShort},
		{"missing record", reply(q, 0, false, mx)[:len(q)], 7, "", errShort},
		{"bad A", reply(q, 0, false, badA), 7, "", errRdata},
		{"name past rdata", reply(q, 0, false, append(rr(t, "example.test", TypeMX, []byte{0, 10, 3}), "abc\x00"...)), 7, "", errShort},
		{"name short of rdata", reply(q, 0, false, rr(t, "example.test", TypeMX, []byte{0, 10, 0, 0})), 7, "", errRdata},
	} {
		m, err := parseReply(c.msg, c.id, "example.test", TypeMX)
		got := ""
		if err == nil {
			got = summary(m)
		}
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("%s: got %q, %v; want %q, %v", c.name, got, err, c.want, c.err)
		}
	}
	other, _ := buildQuery(7, "other.test", TypeMX, true)
	if _, err := parseReply(reply(other, 0, false), 7, "example.test", TypeMX); !errors.Is(err, errQuestion) {
		t.Errorf("another question: got %v", err)
	}
	if _, err := parseReply(reply(q, 0, false), 7, "example.test", TypeA); !errors.Is(err, errQuestion) {
		t.Errorf("another type: got %v", err)
	}
}

func summary(m *message) string {
	s := fmt.Sprint(m.Rcode)
	if m.TC {
		s += " TC"
	}
	if m.AD {
		s += " AD"
	}
	for _, a := range m.Answers {
		switch a.Type {
		case TypeMX:
			s += fmt.Sprintf(" MX %d %s", a.Pref, a.Target)
		case TypeCNAME:
			s += " CNAME " + a.Target
		case TypeTLSA:
			s += fmt.Sprintf(" TLSA %d %d %d %x", a.TLSA.Usage, a.TLSA.Selector, a.TLSA.MatchingType, a.TLSA.Data)
		case TypeTXT:
			s += " TXT " + a.Text
		default:
			s += " " + a.Addr.String()
		}
	}
	return s
}

func TestParseAddresses(t *testing.T) {
	q, _ := buildQuery(1, "h.test", TypeAAAA, true)
	m, err := parseReply(reply(q, 0, false,
		rr(t, "h.test", TypeAAAA, netip.MustParseAddr("2001:db8::7").AsSlice()),
		rr(t, "h.test", TypeA, []byte{192, 0, 2, 7})), 1, "h.test", TypeAAAA)
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(m); got != "0 2001:db8::7 192.0.2.7" {
		t.Errorf("got %q", got)
	}
}

// FuzzParseReply: no input makes the parser panic, loop or return more
// records than the message can hold, and every name it returns is in
// presentation form (no byte outside 33..126).
func FuzzParseReply(f *testing.F) {
	q, _ := buildQuery(7, "example.test", TypeMX, true)
	f.Add(reply(q, 0, false, rr(f, "example.test", TypeMX, mxData(f, 10, "mx1.example.test"))))
	f.Add(reply(q, 0, false, []byte("\xc0\x0c\x00\x05\x00\x01\x00\x00\x00\x10\x00\x02\xc0\x0c")))
	f.Add(reply(q, 3, false))
	f.Fuzz(func(t *testing.T, msg []byte) {
		m, err := parseReply(msg, 7, "example.test", TypeMX)
		if err != nil {
			return
		}
		if len(m.Answers) > len(msg)/11 {
			t.Fatalf("%d records from %d bytes", len(m.Answers), len(msg))
		}
		for _, a := range m.Answers {
			for _, s := range []string{a.Owner, a.Target} {
				if len(s) > 4*maxName || strings.IndexFunc(s, func(r rune) bool { return r < 33 || r > 126 }) >= 0 {
					t.Fatalf("bad name %q", s)
				}
			}
		}
	})
}

// tlsaData is the rdata of a TLSA record (RFC 6698 2.1).
func tlsaData(u, s, m byte, data string) []byte { return append([]byte{u, s, m}, data...) }

func TestParseTLSA(t *testing.T) {
	const name = "_25._tcp.mx.example.test"
	q, _ := buildQuery(9, name, TypeTLSA, true)
	ee := rr(t, name, TypeTLSA, tlsaData(3, 1, 1, "\xab\xcd"))
	ta := rr(t, name, TypeTLSA, tlsaData(2, 0, 0, "\x30\x03"))
	empty := rr(t, name, TypeTLSA, tlsaData(3, 1, 0, ""))
	ad := func(b []byte) []byte { b[3] |= 0x20; return b }
	for _, c := range []struct {
		name string
		msg  []byte
		want string
		err  error
	}{
		{"two", reply(q, 0, false, ee, ta), "0 TLSA 3 1 1 abcd TLSA 2 0 0 3003", nil},
		{"AD", ad(reply(q, 0, false, ee)), "0 AD TLSA 3 1 1 abcd", nil},
		{"secure denial", ad(reply(q, 3, false)), "3 AD", nil},
		{"empty data", reply(q, 0, false, empty), "0 TLSA 3 1 0 ", nil},
		{"short rdata", reply(q, 0, false, rr(t, name, TypeTLSA, []byte{3, 1})), "", errRdata},
	} {
		m, err := parseReply(c.msg, 9, name, TypeTLSA)
		got := ""
		if err == nil {
			got = summary(m)
		}
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("%s: got %q, %v; want %q, %v", c.name, got, err, c.want, c.err)
		}
	}
}

// FuzzParseTLSA: no reply to a TLSA query makes the parser panic, and
// every TLSA record it returns holds no more data than the message.
func FuzzParseTLSA(f *testing.F) {
	const name = "_25._tcp.mx.example.test"
	q, _ := buildQuery(9, name, TypeTLSA, true)
	f.Add(reply(q, 0, false, rr(f, name, TypeTLSA, tlsaData(3, 1, 1, strings.Repeat("\x11", 32)))))
	f.Add(reply(q, 0, false, rr(f, name, TypeTLSA, tlsaData(2, 0, 0, "\x30")), rr(f, name, TypeCNAME, nameData(f, "x.test"))))
	f.Add(reply(q, 3, false))
	f.Fuzz(func(t *testing.T, msg []byte) {
		m, err := parseReply(msg, 9, name, TypeTLSA)
		if err != nil {
			return
		}
		total := 0
		for _, a := range m.Answers {
			if a.Type == TypeTLSA {
				total += len(a.TLSA.Data) + 3
			}
		}
		if total > len(msg) {
			t.Fatalf("%d bytes of TLSA data from %d bytes", total, len(msg))
		}
	})
}
