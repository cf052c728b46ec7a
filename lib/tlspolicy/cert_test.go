package tlspolicy

import (
	"strconv"
	"strings"
	"testing"

	"qmail-remote-go/lib/control"
)

func certs(lines ...string) control.Table {
	t := control.Table{}
	for i, l := range lines {
		k, v, _ := strings.Cut(l, ":")
		t[control.Lower(k)] = control.Entry{Value: v, Where: "control/domaincerts line " + strconv.Itoa(i+1)}
	}
	return t
}

func TestSelectCert(t *testing.T) {
	// SPEC 4.10's example, plus suffix keys.
	tab := certs(
		"example.com:/etc/ssl/example-com-client.pem",
		"*:/etc/ssl/clientcert.pem|/etc/ssl/clientkey.pem|s3cret",
		".example.org:/org.pem||pass|with|bars:and:colons",
		"Sub.Example.ORG:/sub.pem|/sub.key",
		"mixed.example:/m.pem|",
	)
	line := func(n int) string { return "control/domaincerts line " + strconv.Itoa(n) }
	def := Cert{"/etc/ssl/clientcert.pem", "/etc/ssl/clientkey.pem", "s3cret", line(2)}
	tests := []struct {
		sender string
		want   Cert
	}{
		{"me@example.com", Cert{"/etc/ssl/example-com-client.pem", "", "", line(1)}},
		{"me@EXAMPLE.COM", Cert{"/etc/ssl/example-com-client.pem", "", "", line(1)}},
		{"me@mail.example.com", def}, // "example.com" is exact, not ".example.com"
		{"me@a.example.org", Cert{"/org.pem", "", "pass|with|bars:and:colons", line(3)}},
		{"me@example.org", def},
		{"me@sub.example.org", Cert{"/sub.pem", "/sub.key", "", line(4)}},
		{"me@x.sub.example.org", Cert{"/org.pem", "", "pass|with|bars:and:colons", line(3)}},
		{"\"a@b\"@example.com", Cert{"/etc/ssl/example-com-client.pem", "", "", line(1)}},
		{"me@mixed.example", Cert{"/m.pem", "", "", line(5)}},
		{"", def},            // bounce: only "*"
		{"example.com", def}, // no '@': domain "", only "*"
		{"me@other.test", def},
	}
	for _, tt := range tests {
		got, ok, err := SelectCert(tab, tt.sender)
		if err != nil || !ok || got != tt.want {
			t.Errorf("SelectCert(%q) = %+v, %v, %v\n want %+v", tt.sender, got, ok, err, tt.want)
		}
	}
}

func TestSelectCertNone(t *testing.T) {
	for _, tab := range []control.Table{nil, certs(), certs("other.test:/o.pem", ":/empty-key.pem")} {
		for _, sender := range []string{"me@x.test", "", "x.test"} {
			if got, ok, err := SelectCert(tab, sender); ok || err != nil || got != (Cert{}) {
				t.Errorf("%v %q: %+v, %v, %v", tab, sender, got, ok, err)
			}
		}
	}
}

func TestSelectCertLongestPassword(t *testing.T) {
	pass := strings.Repeat("p", MaxPassword)
	c, ok, err := SelectCert(certs("x.test:/c.pem|/k.pem|"+pass), "a@x.test")
	if !ok || err != nil || c.Password != pass {
		t.Errorf("ok %v, err %v", ok, err)
	}
}

func TestSelectCertErrors(t *testing.T) {
	for _, v := range []string{"", "|/key.pem|pw", "||secretpw", "/c.pem|/k.pem|secret\x00pw", "/c.pem\r|k", "/c.pem|/k.pem|secret" + strings.Repeat("p", MaxPassword-6+1)} {
		_, ok, err := SelectCert(certs("# first", "x.test:"+v), "a@x.test")
		if err == nil || ok || !strings.HasPrefix(err.Error(), "control/domaincerts line 2: ") ||
			strings.Contains(err.Error(), "secret") {
			t.Errorf("%q: ok %v, err %v; want a syntax error naming line 2, without the password", v, ok, err)
		}
	}
}
