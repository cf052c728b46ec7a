package mtasts

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzParseTXT: no panic; an accepted record yields a valid id that
// appears in it, and SelectTXT of that one record agrees when it starts
// as RFC 8461 3.1 wants.
func FuzzParseTXT(f *testing.F) {
	for _, s := range []string{"v=STSv1; id=20160831085700Z;", "v=STSv1;id=a;e=x", "v=STSv1", "v=STSv1; id=a; id=b", "id=a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseTXT(s)
		if err != nil {
			if id != "" {
				t.Fatalf("%q: error %v with id %q", s, err, id)
			}
			return
		}
		if !ValidID(id) || !strings.Contains(s, "id") || !strings.Contains(s, id) || !strings.HasPrefix(s, "v=STSv1") {
			t.Fatalf("%q -> %q", s, id)
		}
		if sid, ok := SelectTXT([]string{s}); strings.HasPrefix(s, "v=STSv1;") && (!ok || sid != id) {
			t.Fatalf("%q: SelectTXT = %q, %v; ParseTXT = %q", s, sid, ok, id)
		}
	})
}

// FuzzParsePolicy: no panic; an accepted policy has a known mode, a
// max_age within the cap, valid patterns (some unless mode none), and
// its canonical form parses to the same policy; a pattern always
// matches a host built from it.
func FuzzParsePolicy(f *testing.F) {
	for _, s := range []string{
		"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n",
		"version: STSv1\nmode: none\nmax_age: 0\n", "version: STSv1\nmode: testing\nmx: a\nmax_age: 99999999999\n", ":\n", "mx: *.",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePolicy(b)
		if err != nil {
			return
		}
		if p.Mode > Enforce || p.MaxAge < 0 || p.MaxAge > MaxAge || (p.Mode != None && len(p.MX) == 0) {
			t.Fatalf("%q -> %+v", b, p)
		}
		for _, mx := range p.MX {
			host := strings.Replace(mx, "*", "x", 1)
			if !IsDomain(host) || !p.Matches(host) || !p.Matches(strings.ToUpper(host)+".") {
				t.Fatalf("%q: pattern %q does not match %q", b, mx, host)
			}
		}
		q, err := ParsePolicy(p.Bytes())
		if err != nil || !reflect.DeepEqual(p, q) {
			t.Fatalf("%q -> %+v, canonical %q -> %+v, %v", b, p, p.Bytes(), q, err)
		}
	})
}
