package route

import (
	"strconv"
	"strings"
	"testing"

	"qmail-remote-go/lib/control"
)

// authTable builds an authsenders table from "key:value" lines.
func authTable(lines ...string) control.Table {
	t := control.Table{}
	for i, l := range lines {
		k, v, _ := strings.Cut(l, ":")
		t[control.Lower(k)] = control.Entry{Value: v, Where: "control/authsenders line " + strconv.Itoa(i+1)}
	}
	return t
}

func TestAuthSenders(t *testing.T) {
	// The brief's examples, and a catch-all smtproutes that they beat.
	brief := authTable("@example.com:relay.example.com|user|passwd",
		"info@example.com:relay.example.com:26|infouser|infopasswd",
		":mailrelay.example.com|e=mc2|testpass")
	routes := table(":heaven.af.mil", "!@:bouncehost.af.mil:27")
	line := func(n int) string { return "control/authsenders line " + strconv.Itoa(n) }
	tests := []struct {
		name   string
		auth   control.Table
		sender string
		want   Route
	}{
		{"full address", brief, "info@example.com", Route{Host: "relay.example.com", Relay: true, Port: 26, User: "infouser", Pass: "infopasswd", Where: line(2)}},
		{"keys fold case", brief, "INFO@Example.COM", Route{Host: "relay.example.com", Relay: true, Port: 26, User: "infouser", Pass: "infopasswd", Where: line(2)}},
		{"@domain", brief, "bob@example.com", Route{Host: "relay.example.com", Relay: true, Port: 25, User: "user", Pass: "passwd", Where: line(1)}},
		{"@domain is not a subdomain", brief, "bob@mail.example.com", Route{Host: "mailrelay.example.com", Relay: true, Port: 25, User: "e=mc2", Pass: "testpass", Where: line(3)}},
		{"empty key: everybody", brief, "x@other.test", Route{Host: "mailrelay.example.com", Relay: true, Port: 25, User: "e=mc2", Pass: "testpass", Where: line(3)}},
		{"empty key: the bounce sender too, before the bounce route", brief, "", Route{Host: "mailrelay.example.com", Relay: true, Port: 25, User: "e=mc2", Pass: "testpass", Where: line(3)}},
		{"sender without @", brief, "postmaster", Route{Host: "mailrelay.example.com", Relay: true, Port: 25, User: "e=mc2", Pass: "testpass", Where: line(3)}},
		{".suffix: subdomains", authTable(".example.com:r.test|u|p"), "bob@mail.example.com", Route{Host: "r.test", Relay: true, Port: 25, User: "u", Pass: "p", Where: line(1)}},
		{".suffix: not the domain itself", authTable(".example.com:r.test|u|p"), "bob@example.com", Route{Host: "heaven.af.mil", Relay: true, Port: 25, Where: "control/smtproutes line 1"}},
		{".suffix: a top-level domain", authTable(".com:r.test|u|p"), "bob@a.b.example.com", Route{Host: "r.test", Relay: true, Port: 25, User: "u", Pass: "p", Where: line(1)}},
		{"a dot in the local part starts a key", authTable(".doe@example.com:r.test|u|p"), "john.doe@example.com", Route{Host: "r.test", Relay: true, Port: 25, User: "u", Pass: "p", Where: line(1)}},
		{"most specific first: full address", authTable(":all", ".com:com", "@example.com:dom", "a@example.com:full"), "a@example.com", Route{Host: "full", Relay: true, Port: 25, Where: line(4)}},
		{"most specific first: @domain", authTable(":all", ".com:com", "@example.com:dom", "a@example.com:full"), "b@example.com", Route{Host: "dom", Relay: true, Port: 25, Where: line(3)}},
		{"most specific first: .suffix", authTable(":all", ".com:com", "@example.com:dom", "a@example.com:full"), "b@x.com", Route{Host: "com", Relay: true, Port: 25, Where: line(2)}},
		{"most specific first: the empty key", authTable(":all", ".com:com", "@example.com:dom", "a@example.com:full"), "b@x.org", Route{Host: "all", Relay: true, Port: 25, Where: line(1)}},
		{"an empty value shields from a catch-all and leaves smtproutes", authTable("@example.com:", ":r.test|u|p"), "b@example.com", Route{Host: "heaven.af.mil", Relay: true, Port: 25, Where: "control/smtproutes line 1"}},
		{"an empty value for the bounce sender leaves the bounce route", authTable(":"), "", Route{Host: "bouncehost.af.mil", Relay: true, Port: 27, Where: "control/smtproutes line 2"}},
		{"no match: smtproutes", authTable("@example.com:r.test|u|p"), "b@example.org", Route{Host: "heaven.af.mil", Relay: true, Port: 25, Where: "control/smtproutes line 1"}},
		{"no credentials: unauthenticated relay", authTable("@example.com:r.test:2525"), "b@example.com", Route{Host: "r.test", Relay: true, Port: 2525, Where: line(1)}},
		{"semicolon port (sq3)", authTable("@example.com:r.test;587|u|p"), "b@example.com", Route{Host: "r.test", Relay: true, Port: 587, User: "u", Pass: "p", Where: line(1)}},
		{"empty relay with credentials: MX lookup of the host", authTable("@example.com:|u|p"), "b@example.com", Route{Host: "dest.test", Port: 25, User: "u", Pass: "p", Where: line(1)}},
		{"empty relay with port: MX lookup, that port", authTable("@example.com::587|u|p"), "b@example.com", Route{Host: "dest.test", Port: 587, User: "u", Pass: "p", Where: line(1)}},
		{"bracketed relay", authTable("@example.com:[2001:db8::1]:26|u|p"), "b@example.com", Route{Host: "[2001:db8::1]", Relay: true, Port: 26, User: "u", Pass: "p", Where: line(1)}},
		{"the password is the rest of the line", authTable("@example.com:r.test|u|p|a:s;s"), "b@example.com", Route{Host: "r.test", Relay: true, Port: 25, User: "u", Pass: "p|a:s;s", Where: line(1)}},
	}
	for _, tt := range tests {
		tt.want.Proto = SMTP
		got, err := Select(Tables{SMTPRoutes: routes, AuthSenders: tt.auth}, "dest.test", tt.sender)
		if err != nil || got != tt.want {
			t.Errorf("%s: Select = %+v, %v\n want %+v", tt.name, got, err, tt.want)
		}
		// SPEC 4.7: where authsenders decides, a qmtproutes line for the
		// host changes nothing: its relay is always SMTP.
		if !strings.HasPrefix(tt.want.Where, "control/authsenders") {
			continue
		}
		got, err = Select(Tables{SMTPRoutes: routes, QMTPRoutes: table(":qmtp.test"), AuthSenders: tt.auth}, "dest.test", tt.sender)
		if err != nil || got != tt.want {
			t.Errorf("%s, with qmtproutes: Select = %+v, %v\n want %+v", tt.name, got, err, tt.want)
		}
	}
}

func TestAuthSendersBadPort(t *testing.T) {
	// Bad ports, and (issue 8) a half-written credential: an error naming
	// the line, never a route without AUTH.
	for _, v := range []string{"r.test:x|u|secret", "r.test:0|u|secret", "r.test;99999|u|secret", ":abc", "r.test|u", "r.test||secret", "r.test|u|sec\rret"} {
		_, err := Select(Tables{AuthSenders: authTable("@example.com:" + v)}, "dest.test", "b@example.com")
		if err == nil || !strings.Contains(err.Error(), "control/authsenders line 1") || strings.Contains(err.Error(), "secret") {
			t.Errorf("%q: err = %v, want one naming the line and not the password", v, err)
		}
	}
}

func TestLookupSender(t *testing.T) {
	tab := authTable("info@mail.example.com:1", "@mail.example.com:2", ".example.com:3", ".com:4", ".doe@example.com:5", ":6")
	for sender, want := range map[string]string{
		"info@mail.example.com": "1",
		"bob@mail.example.com":  "2",
		"bob@x.example.com":     "3",
		"bob@example.com":       "4",
		"john.doe@example.com":  "5",
		"bob@example.org":       "6",
		"":                      "6",
		"@mail.example.com":     "2",
	} {
		if e, ok := LookupSender(tab, sender); !ok || e.Value != want {
			t.Errorf("LookupSender(%q) = %q, want %q", sender, e.Value, want)
		}
	}
	if _, ok := LookupSender(authTable("@x.test:1"), "a@y.test"); ok {
		t.Errorf("a hit without a matching key")
	}
}

// FuzzAuthSenders: for any authsenders line and sender, Select does not
// panic; the line decides the route exactly when its key is one of the
// sender's keys (checked here by a second, naive definition) and its
// value is not empty; otherwise smtproutes does. A route from it has its
// credentials as the value holds them, and an error never shows the
// password.
func FuzzAuthSenders(f *testing.F) {
	for _, l := range []string{"@example.com:relay.example.com|user|passwd", "info@example.com:relay.example.com:26|u|p",
		":mailrelay.example.com|e=mc2|testpass", ".com:", ".doe@example.com:r;587|u|p|x", "@example.com:|u|p", "@example.com:r:x|u|secret"} {
		k, v, _ := strings.Cut(l, ":")
		f.Add(k, v, "info@example.com")
		f.Add(k, v, "john.doe@example.com")
		f.Add(k, v, "")
	}
	f.Fuzz(func(t *testing.T, key, value, sender string) {
		if strings.ContainsAny(key, ":\n") || strings.ContainsRune(value, '\n') {
			return // not one table line
		}
		auth := control.Table{control.Lower(key): {Value: value, Where: "control/authsenders line 1"}}
		routes := control.Table{"": {Value: "other.test", Where: "control/smtproutes line 1"}}
		r, err := Select(Tables{SMTPRoutes: routes, AuthSenders: auth}, "dest.test", sender)
		k, s := control.Lower(key), control.Lower(sender)
		isKey := k == s || k == "" || (strings.HasSuffix(s, k) && (k[0] == '@' || k[0] == '.'))
		if !isKey || value == "" {
			if err != nil || r.Where != "control/smtproutes line 1" {
				t.Fatalf("key %q value %q sender %q: %+v %v", key, value, sender, r, err)
			}
			return
		}
		if err != nil {
			_, cred, _ := strings.Cut(value, "|")
			_, pass, _ := strings.Cut(cred, "|")
			if len(pass) >= 3 && strings.Contains(err.Error(), pass) && !strings.Contains(value[:len(value)-len(cred)], pass) {
				t.Fatalf("error %q shows the password", err)
			}
			return
		}
		if r.Where != "control/authsenders line 1" || (r.User == "") != (r.Pass == "") || strings.ContainsRune(r.User, '|') {
			t.Fatalf("key %q value %q sender %q: %+v", key, value, sender, r)
		}
		if r.User != "" && !strings.HasSuffix(value, "|"+r.User+"|"+r.Pass) {
			t.Fatalf("value %q: user %q pass %q", value, r.User, r.Pass)
		}
		if !r.Relay && r.Host != "dest.test" {
			t.Fatalf("value %q: %+v", value, r)
		}
	})
}
