package route

import (
	"strings"
	"testing"

	"qmail-remote-go/lib/control"
)

// table builds a control.Table from "key:value" lines.
func table(lines ...string) control.Table {
	t := control.Table{}
	for i, l := range lines {
		k, v, _ := strings.Cut(l, ":")
		t[control.Lower(k)] = control.Entry{Value: v, Where: "control/smtproutes line " + string(rune('1'+i))}
	}
	return t
}

func TestSelect(t *testing.T) {
	afmil := table("inside.af.mil:firewall.af.mil:26", ".af.mil:", ":heaven.af.mil")
	tests := []struct {
		name   string
		routes control.Table
		host   string
		sender string
		want   Route
	}{
		{"no routes: MX lookup, port 25", table(), "example.com", "a@b", Route{Host: "example.com", Port: 25}},
		{"suffix with empty relay: MX", afmil, "mail.af.mil", "a@b", Route{Host: "mail.af.mil", Port: 25, Where: "control/smtproutes line 2"}},
		{".suffix does not match the bare domain", afmil, "af.mil", "a@b", Route{Host: "heaven.af.mil", Relay: true, Port: 25, Where: "control/smtproutes line 3"}},
		{"catch-all", afmil, "example.com", "a@b", Route{Host: "heaven.af.mil", Relay: true, Port: 25, Where: "control/smtproutes line 3"}},
		{"exact key with port", afmil, "inside.af.mil", "a@b", Route{Host: "firewall.af.mil", Relay: true, Port: 26, Where: "control/smtproutes line 1"}},
		{"keys fold case", afmil, "INSIDE.AF.MIL", "a@b", Route{Host: "firewall.af.mil", Relay: true, Port: 26, Where: "control/smtproutes line 1"}},
		{"semicolon port", table("x.test:relay.test;2525"), "x.test", "a@b", Route{Host: "relay.test", Relay: true, Port: 2525, Where: "control/smtproutes line 1"}},
		{"bracketed IPv4 relay", table(":[127.0.0.1]:2525"), "any.test", "a@b", Route{Host: "[127.0.0.1]", Relay: true, Port: 2525, Where: "control/smtproutes line 1"}},
		{"bracketed IPv6 relay with colon port", table(":[2001:db8::1]:26"), "any.test", "a@b", Route{Host: "[2001:db8::1]", Relay: true, Port: 26, Where: "control/smtproutes line 1"}},
		{"bracketed IPv6 relay with semicolon port", table(":[2001:db8::1];26"), "any.test", "a@b", Route{Host: "[2001:db8::1]", Relay: true, Port: 26, Where: "control/smtproutes line 1"}},
		{"bare IPv6 relay with semicolon port (sq3)", table(":2001:db8::1;26"), "any.test", "a@b", Route{Host: "2001:db8::1", Relay: true, Port: 26, Where: "control/smtproutes line 1"}},
		{"[IPv6:] relay", table(":[IPv6:2001:db8::1]:26"), "any.test", "a@b", Route{Host: "[IPv6:2001:db8::1]", Relay: true, Port: 26, Where: "control/smtproutes line 1"}},
		{"literal key", table("[192.0.2.7]:[198.51.100.2]"), "[192.0.2.7]", "a@b", Route{Host: "[198.51.100.2]", Relay: true, Port: 25, Where: "control/smtproutes line 1"}},
		{"credentials", table(":submission.test:587|myuserid|my|pass:word"), "x.test", "a@b", Route{Host: "submission.test", Relay: true, Port: 587, User: "myuserid", Pass: "my|pass:word", Where: "control/smtproutes line 1"}},
		{"empty relay with port and credentials keeps MX lookup", table(".test::2526|u|p"), "a.test", "a@b", Route{Host: "a.test", Port: 2526, User: "u", Pass: "p", Where: "control/smtproutes line 1"}},
		{"empty port is the default", table(":relay.test:"), "x.test", "a@b", Route{Host: "relay.test", Relay: true, Port: 25, Where: "control/smtproutes line 1"}},
		{"bounce route for the empty sender", table("!@:bouncehost.af.mil:27", ":heaven.af.mil"), "x.test", "", Route{Host: "bouncehost.af.mil", Relay: true, Port: 27, Where: "control/smtproutes line 1"}},
		{"bounce route ignored for other senders", table("!@:bouncehost.af.mil:27", ":heaven.af.mil"), "x.test", "#@[]", Route{Host: "heaven.af.mil", Relay: true, Port: 25, Where: "control/smtproutes line 2"}},
		{"bounce route with empty relay: per-host routes", table("!@:", "x.test:relay.test"), "x.test", "", Route{Host: "relay.test", Relay: true, Port: 25, Where: "control/smtproutes line 2"}},
	}
	for _, tt := range tests {
		tt.want.Proto = SMTP // every row here is an smtproutes route
		got, err := Select(Tables{SMTPRoutes: tt.routes}, tt.host, tt.sender)
		if err != nil || got != tt.want {
			t.Errorf("%s: Select = %+v, %v\n want %+v", tt.name, got, err, tt.want)
		}
	}
}

func TestSelectBadPort(t *testing.T) {
	for _, v := range []string{"relay.test:abc", "relay.test:0", "relay.test:65536", "relay.test;25x", "relay.test:123456"} {
		_, err := Select(Tables{SMTPRoutes: table("x.test:" + v)}, "x.test", "a@b")
		if err == nil || !strings.Contains(err.Error(), "control/smtproutes line 1") {
			t.Errorf("%q: err = %v, want one naming the line", v, err)
		}
	}
}

// TestSelectSpaces: SPEC D34, a relay or a port with white space is a
// syntax error naming the line, in every table that routes.
func TestSelectSpaces(t *testing.T) {
	for _, v := range []string{"relay .test", "relay.test :25", " relay.test", "relay.test: 25", "relay.test;25 ", "relay\t.test|u|p"} {
		for _, tabs := range []Tables{{SMTPRoutes: table("x.test:" + v)}, {QMTPRoutes: table("x.test:" + v)}, {AuthSenders: table("a@b:" + v)}} {
			_, err := Select(tabs, "x.test", "a@b")
			if err == nil || !strings.HasPrefix(err.Error(), "control/smtproutes line 1: ") {
				t.Errorf("%q: err = %v, want one naming the line", v, err)
			}
		}
	}
	if _, err := Select(Tables{SMTPRoutes: table("x.test:relay .test")}, "x.test", "a@b"); err == nil || err.Error() != `control/smtproutes line 1: white space in the relay "relay .test"` {
		t.Errorf("err = %v", err)
	}
}

func TestSelectBareIPv6NeedsSemicolon(t *testing.T) {
	for _, v := range []string{"2001:db8::1", "2001:db8::1:25", "::1|u|p"} {
		_, err := Select(Tables{SMTPRoutes: table("x.test:" + v)}, "x.test", "a@b")
		if err == nil || err.Error() != "control/smtproutes line 1: an IPv6 relay needs brackets or ;port" {
			t.Errorf("%q: err = %v", v, err)
		}
	}
}

// TestSelectBadCredentials: a half-written credential, one holding CR
// or NUL, or one longer than MaxCredentials is an error naming the
// line, never an unauthenticated route, and the error shows neither the
// user nor the password.
func TestSelectBadCredentials(t *testing.T) {
	for _, v := range []string{"relay.test|user", "relay.test|user|", "relay.test||s3cret", "relay.test|", "relay.test|us\rer|s3cret", "relay.test|user|s3c\x00ret", "relay.test|user|s3c" + strings.Repeat("x", MaxCredentials-2-4-3+1)} {
		_, err := Select(Tables{SMTPRoutes: table("x.test:" + v)}, "x.test", "a@b")
		if err == nil || !strings.Contains(err.Error(), "control/smtproutes line 1") ||
			strings.Contains(err.Error(), "s3c") || strings.Contains(err.Error(), "user|") {
			t.Errorf("%q: err = %v, want one naming the line and not the secret", v, err)
		}
	}
}

// TestSelectLongestCredentials: user NUL password NUL of exactly
// MaxCredentials bytes is a route.
func TestSelectLongestCredentials(t *testing.T) {
	pass := strings.Repeat("p", MaxCredentials-2-4)
	r, err := Select(Tables{SMTPRoutes: table("x.test:relay.test|user|" + pass)}, "x.test", "a@b")
	if err != nil || r.User != "user" || r.Pass != pass {
		t.Errorf("err = %v, route %+v", err, r.User)
	}
}

func TestLookupOrder(t *testing.T) {
	tab := table(":all", ".com:com", ".example.com:example", "a.b.example.com:exact")
	for host, want := range map[string]string{
		"a.b.example.com": "exact",
		"c.b.example.com": "example",
		"example.com":     "com",
		"other.org":       "all",
		"":                "all",
	} {
		if e, ok := Lookup(tab, host); !ok || e.Value != want {
			t.Errorf("Lookup(%q) = %q, want %q", host, e.Value, want)
		}
	}
}

// TestOneForm: SPEC D27 for smtproutes and qmtproutes keys and hosts.
func TestOneForm(t *testing.T) {
	lines := []control.Line{
		{Key: "partner.test.", Value: "relay.test", N: 1, Where: "control/smtproutes line 1"},
		{Key: ".bücher.example", Value: "relay2.test", N: 2, Where: "control/smtproutes line 2"},
	}
	tabs := Tables{SMTPRoutes: control.HostTableOf(lines)}
	for host, relay := range map[string]string{
		"partner.test": "relay.test", "partner.test.": "relay.test", "PARTNER.test.": "relay.test",
		"mx.xn--bcher-kva.example": "relay2.test", "mx.bücher.example.": "relay2.test", "MX.BÜCHER.example": "relay2.test",
	} {
		r, err := Select(tabs, host, "a@b")
		if err != nil || r.Host != relay {
			t.Errorf("host %q: %+v, %v; want relay %s", host, r, err, relay)
		}
	}
	qt := Tables{QMTPRoutes: control.HostTableOf([]control.Line{{Key: "XN--BCHER-KVA.example.", Value: "q.test", N: 1, Where: "control/qmtproutes line 1"}})}
	if r, err := Select(qt, "bücher.example", "a@b"); err != nil || r.Proto != QMTP || r.Host != "q.test" {
		t.Errorf("qmtproutes: %+v, %v", r, err)
	}
}
