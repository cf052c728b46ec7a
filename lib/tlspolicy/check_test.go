package tlspolicy

import (
	"strings"
	"testing"

	"qmail-remote-go/lib/control"
)

// TestCheckKeys: SPEC D34, every form of Select passes; a key no host
// can match is a syntax error that names its line.
func TestCheckKeys(t *testing.T) {
	good := []string{"!", "-", "*", "!*", "=*", "~*", "+*", "-*", "mx.example.com", ".example.com", "mx.example.com.",
		"!mx.example.com", "!.example.com", "%mx.example.com", "=mx.example.com", "~.example.com",
		"-.example.com", "[192.0.2.7]", "=[192.0.2.7]", "MX.Example.COM", "bücher.example", "_x.example",
		"192.0.2.7", "=[IPv6:2001:db8::1]", "-[IPv6:::ffff:192.0.2.7]"}
	for _, k := range good {
		if bad := CheckKeys([]control.Line{{Key: k, N: 1, Where: "w"}}); len(bad) != 0 {
			t.Errorf("%q: %v", k, bad[0])
		}
	}
	for k, want := range map[string]string{
		"":                 `an empty key matches no host (* is every host)`,
		"+mx.example.com":  `unknown key prefix "+" in "+mx.example.com" (prefixes: ! % = ~ - and +* alone)`,
		"^mx.example.com":  `unknown key prefix "^" in "^mx.example.com" (prefixes: ! % = ~ - and +* alone)`,
		"*.example.com":    `'*' stands alone (*, =*, ~*, +*, -*, !*), not in "*.example.com"`,
		"=*.example.com":   `'*' stands alone (*, =*, ~*, +*, -*, !*), not in "=*.example.com"`,
		"=":                `no host after "="`,
		"%":                `no host after "%"`,
		"mx example.com":   `white space in the key "mx example.com"`,
		"=mx.example.com|": `"|" cannot be in a host name: "=mx.example.com|"`,
		".":                `no host in "."`,
		"~..":              `no host in "~.."`,
		"=[ipv6":           `"[ipv6" is not an address literal such as [192.0.2.1] or [IPv6:2001:db8::1]`,
		"[192.0.2.256]":    `"[192.0.2.256]" is not an address literal such as [192.0.2.1] or [IPv6:2001:db8::1]`,
	} {
		bad := CheckKeys([]control.Line{{Key: "ok.example"}, {Key: k, N: 3, Where: "control/tlsdestinations line 3"}})
		if len(bad) != 1 || bad[0].Error() != "control/tlsdestinations line 3: "+want || bad[0].N != 3 {
			t.Errorf("%q: got %v, want %q", k, bad, want)
		}
	}
}

// TestCheckValue: every value error Select gives for a matching line,
// found on a line that matches nothing yet; the files a line names.
func TestCheckValue(t *testing.T) {
	e := func(v string) control.Entry { return control.Entry{Value: v, Where: "control/tlsdestinations line 2"} }
	tests := []struct {
		key, value string
		note, err  string
		files      []string
	}{
		{"=mx.test", "/etc/ca.pem|2", "", "", []string{"/etc/ca.pem"}},
		{"mx.test", "/etc/certs/|HIGH|1;465", "", "", []string{"/etc/certs/"}},
		{"%mx.test", "=AB:CD:EF", "", "", nil},
		{"%mx.test", "=zz", "", `control/tlsdestinations line 2: bad fingerprint "zz"`, nil},
		{"%mx.test", "", "", "control/tlsdestinations line 2: no fingerprint (want %host:=<hex>)", nil},
		{"=mx.test", "|abc|def", "", `control/tlsdestinations line 2: bad depth "def"`, nil},
		{"=mx.test", ";0", "", `control/tlsdestinations line 2: bad port "0"`, nil},
		{"!mx.test", "junk", "the value of a ! rule is ignored", "", nil},
		{"!mx.test", "|||mydomain.net", "", "", nil},
		{"!mx.test", "junk|||mydomain.net", "the value of a ! rule is ignored but for its 4th field, the sender domain", "", nil},
		{"!mx.test", "", "", "", nil},
	}
	for _, tt := range tests {
		note, err := CheckValue(tt.key, e(tt.value))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if note != tt.note || got != tt.err {
			t.Errorf("%s:%s: %q, %q; want %q, %q", tt.key, tt.value, note, got, tt.note, tt.err)
		}
		if f := Files(tt.key, e(tt.value)); len(f) != len(tt.files) || (len(f) == 1 && f[0] != tt.files[0]) {
			t.Errorf("%s:%s: files %q, want %q", tt.key, tt.value, f, tt.files)
		}
	}
}

// FuzzCheckKeys: a key that CheckKeys accepts can mean something: a
// host exists for which Select picks its line (the '*' forms and the
// lone '!' and '-' are defaults, for every host).
func FuzzCheckKeys(f *testing.F) {
	for _, k := range []string{"mx.example.com", ".example.com", "=mx.test", "%mx.test", "~.test", "-x", "!.x", "[192.0.2.1]", "=*", "+x", "*.x", "=.x", "a b", "", ".", "=192.0.2.1", "-[IPv6:::ffff:192.0.2.1]", "x."} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if strings.ContainsAny(key, ":\n\r") || strings.TrimRight(key, " \t") != key || (key != "" && key[0] == '#') {
			return // not a key a control file can hold
		}
		if len(CheckKeys([]control.Line{{Key: key}})) > 0 {
			return
		}
		switch key {
		case "!", "-", "*", "!*", "=*", "~*", "+*", "-*":
			return
		}
		rest, value := key, ""
		if strings.IndexByte("!%=~-", key[0]) >= 0 {
			rest = key[1:]
		}
		if key[0] == '%' {
			value = "=AB"
		}
		host := rest
		if rest[0] == '.' {
			host = "a" + rest
		}
		t0 := control.HostTableOf([]control.Line{{Key: key, Value: value, N: 1, Where: "w"}}) // as plan reads it
		if pol, err := Select(t0, true, host, ""); err != nil || pol.Where != "w" {
			t.Fatalf("key %q accepted, but host %q gets %+v, %v", key, host, pol, err)
		}
	})
}
