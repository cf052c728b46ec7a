package route

import (
	"strconv"
	"strings"
	"testing"

	"qmail-remote-go/lib/control"
)

// FuzzSelect: for any smtproutes value, host and sender, Select does not
// panic; a route has a port from 1 to 65535, user and password both set
// or both empty, a host without '|' or ';' when it is a relay (else the
// host asked for); writing the route back as "relay;port|user|password"
// selects the same route again; and an error never quotes the password.
func FuzzSelect(f *testing.F) {
	for _, v := range []string{"relay.example.com:26", "[192.0.2.7];2525|user|pa|ss:word", "", ":26", "[2001:db8::1]:26",
		"relay:0", "relay:65536", "relay:x|u|secret", "relay|u", "relay||p", "a:b;25"} {
		f.Add("", v, "example.com", "a@b")
		f.Add("!@", v, "example.com", "")
		f.Add(".com", v, "x.example.com", "a@b")
	}
	f.Fuzz(func(t *testing.T, key, value, host, sender string) {
		if strings.ContainsAny(key, ":\n") || strings.ContainsRune(value, '\n') {
			return // not one table line
		}
		tab := control.Table{control.Lower(key): {Value: value, Where: "control/smtproutes line 1"}}
		r, err := Select(Tables{SMTPRoutes: tab}, host, sender)
		if err != nil {
			_, cred, _ := strings.Cut(value, "|")
			_, pass, _ := strings.Cut(cred, "|")
			if len(pass) >= 3 && strings.Contains(err.Error(), pass) && !strings.Contains("control/smtproutes line 1: bad port "+value[:len(value)-len(cred)], pass) {
				t.Fatalf("error %q shows the password", err)
			}
			return
		}
		if r.Port < 1 || r.Port > 65535 || (r.User == "") != (r.Pass == "") || strings.ContainsRune(r.User, '|') {
			t.Fatalf("route %+v", r)
		}
		if !r.Relay {
			if r.Host != host {
				t.Fatalf("host %q -> %+v", host, r)
			}
			return
		}
		if r.Host == "" || strings.ContainsAny(r.Host, "|;") || !strings.Contains(value, r.Host) {
			t.Fatalf("relay %+v from %q", r, value)
		}
		again := r.Host + ";" + strconv.Itoa(r.Port)
		if r.User != "" {
			again += "|" + r.User + "|" + r.Pass
		}
		tab = control.Table{"": {Value: again, Where: r.Where}}
		r2, err := Select(Tables{SMTPRoutes: tab}, "other.test", "x@y")
		if err != nil || r2 != r {
			t.Fatalf("%q -> %+v, written back %q -> %+v %v", value, r, again, r2, err)
		}
	})
}

// FuzzSelectQMTP: for any qmtproutes line, host and sender, Select does
// not panic; a route found in qmtproutes is QMTP, without credentials,
// with a port from 1 to 65535 and the host asked for when it has no
// relay; no route found is the SMTP default; the same line in both
// tables gives the QMTP route (SPEC 4.6: qmtproutes first at each step);
// a relay written back as "relay;port" selects the same route again.
func FuzzSelectQMTP(f *testing.F) {
	for _, v := range []string{"qmtp.example.net", "qmtp.example.net:2209", "", "[127.0.0.1];2209|u|p", ":26", "relay:0", "relay|u"} {
		f.Add("", v, "example.com", "a@b")
		f.Add("!@", v, "example.com", "")
		f.Add(".net", v, "x.example.net", "a@b")
	}
	f.Fuzz(func(t *testing.T, key, value, host, sender string) {
		if strings.ContainsAny(key, ":\n") || strings.ContainsRune(value, '\n') {
			return // not one table line
		}
		line := control.Table{control.Lower(key): {Value: value, Where: "control/qmtproutes line 1"}}
		r, err := Select(Tables{QMTPRoutes: line}, host, sender)
		if err != nil {
			return
		}
		if r.Where == "" {
			if r != (Route{SMTP, host, false, DefaultSMTPPort, "", "", ""}) {
				t.Fatalf("no line found, yet %+v", r)
			}
			return
		}
		if r.Proto != QMTP || r.User != "" || r.Pass != "" || r.Port < 1 || r.Port > 65535 || (!r.Relay && r.Host != host) {
			t.Fatalf("%q: %q -> %+v", key, value, r)
		}
		sline := control.Table{control.Lower(key): {Value: value, Where: "control/smtproutes line 1"}}
		if both, err := Select(Tables{QMTPRoutes: line, SMTPRoutes: sline}, host, sender); err != nil || both != r {
			t.Fatalf("%q: %q in both tables -> %+v %v, in qmtproutes %+v", key, value, both, err, r)
		}
		if !r.Relay {
			return
		}
		again := r.Host + ";" + strconv.Itoa(r.Port)
		r2, err := Select(Tables{QMTPRoutes: control.Table{"": {Value: again, Where: r.Where}}}, "other.test", "x@y")
		if err != nil || r2 != r {
			t.Fatalf("%q -> %+v, written back %q -> %+v %v", value, r, again, r2, err)
		}
	})
}

// FuzzDomainIPs: for any domainips value and sender, DomainIPs does not
// panic; a bind address is never unspecified, and an error names the line.
func FuzzDomainIPs(f *testing.F) {
	for _, v := range []string{"192.0.2.25|mail.example.com", "2001:db8::25|mx6", "fe80::1%eth0|x", "0.0.0.0", "::|h", "|h", "x|y", ""} {
		f.Add("", v, "a@example.com")
		f.Add("*", v, "")
		f.Add(".com", v, "a@b.example.com")
	}
	f.Fuzz(func(t *testing.T, key, value, sender string) {
		if strings.ContainsAny(key, ":\n") || strings.ContainsRune(value, '\n') {
			return
		}
		tab := control.Table{control.Lower(key): {Value: value, Where: "control/domainips line 1"}}
		s, err := DomainIPs(tab, sender)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "control/domainips line 1: ") {
				t.Fatalf("error %q", err)
			}
			return
		}
		if s.Bind.IsValid() && s.Bind.Unmap().IsUnspecified() {
			t.Fatalf("bind to %v", s.Bind)
		}
	})
}
