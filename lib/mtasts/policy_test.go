package mtasts

import (
	"reflect"
	"strings"
	"testing"
)

func TestParsePolicy(t *testing.T) {
	for _, c := range []struct {
		in   string
		want *Policy // nil: invalid
	}{
		{"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n",
			&Policy{Enforce, 604800, []string{"mail.example.com", "*.example.net", "backupmx.example.com"}}},
		{"version: STSv1\nmode: testing\nmx: MX.Example.COM.\nmax_age: 86400", &Policy{Testing, 86400, []string{"mx.example.com"}}},
		{"version:STSv1\nmode:none\nmax_age:0\n", &Policy{None, 0, nil}},
		{"Version: stsv1\nMODE: Enforce\nmx: a.b\nmax_age: 9999999999\nfuture: thing\n", &Policy{Enforce, MaxAge, []string{"a.b"}}},
		{"version: STSv1\nmode: enforce\nmode: none\nmx: a.b\nmax_age: 1\nmax_age: 2\n", &Policy{Enforce, 1, []string{"a.b"}}},
		{"\nversion: STSv1 \t\n\nmode: enforce\nmx: a.b\nmax_age: 5\n\n", &Policy{Enforce, 5, []string{"a.b"}}},
		{"version: STSv2\nmode: enforce\nmx: a.b\nmax_age: 5\n", nil},
		{"mode: enforce\nmx: a.b\nmax_age: 5\n", nil},
		{"version: STSv1\nmx: a.b\nmax_age: 5\n", nil},
		{"version: STSv1\nmode: enforce\nmx: a.b\n", nil},
		{"version: STSv1\nmode: enforce\nmax_age: 5\n", nil},
		{"version: STSv1\nmode: testing\nmax_age: 5\n", nil},
		{"version: STSv1\nmode: strict\nmx: a.b\nmax_age: 5\n", nil},
		{"version: STSv1\nmode: enforce\nmx: a.b\nmax_age: -5\n", nil},
		{"version: STSv1\nmode: enforce\nmx: a.b\nmax_age: 12345678901\n", nil},
		{"version: STSv1\nmode: enforce\nmx: a.b\nmax_age: \n", nil},
		{"version: STSv1\nmode: enforce\nmx: a_b.c\nmax_age: 5\n", nil},
		{"version: STSv1\nmode: enforce\nmx: *.*.b\nmax_age: 5\n", nil},
		{"version: STSv1\nmode: enforce\nmx: a.*.b\nmax_age: 5\n", nil},
		{"version: STSv1\nmode: enforce\nmx: -a.b\nmax_age: 5\n", nil},
		{"version: STSv1\nmode: enforce\nmx:\nmax_age: 5\n", nil},
		{"version: STSv1\nmode enforce\nmx: a.b\nmax_age: 5\n", nil},
		{"<html>\n", nil},
		{"", nil},
	} {
		p, err := ParsePolicy([]byte(c.in))
		if c.want == nil {
			if err == nil {
				t.Errorf("ParsePolicy(%q) = %+v, want an error", c.in, p)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(p, *c.want) {
			t.Errorf("ParsePolicy(%q) = %+v, %v; want %+v", c.in, p, err, *c.want)
		}
		if q, err := ParsePolicy(p.Bytes()); err != nil || !reflect.DeepEqual(p, q) {
			t.Errorf("%q: canonical form %q parses to %+v, %v", c.in, p.Bytes(), q, err)
		}
	}
	if _, err := ParsePolicy([]byte("version: STSv1\nmode: none\nmax_age: 1\n" + strings.Repeat("x: y\n", MaxPolicy/5))); err == nil {
		t.Error("a policy over 64 KiB was accepted")
	}
}

func TestMatches(t *testing.T) {
	p := Policy{Mode: Enforce, MX: []string{"mail.example.com", "*.example.net"}}
	for host, want := range map[string]bool{
		"mail.example.com":    true,
		"MAIL.Example.Com.":   true,
		"mx1.example.net":     true,
		"mx1.example.net.":    true,
		"example.net":         false,
		"a.mx1.example.net":   false,
		".example.net":        false,
		"mail.example.com.au": false,
		"xmail.example.com":   false,
		"":                    false,
	} {
		if got := p.Matches(host); got != want {
			t.Errorf("Matches(%q) = %v, want %v", host, got, want)
		}
	}
}
