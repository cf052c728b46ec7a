package route

import (
	"strings"
	"testing"

	"qmail-remote-go/lib/control"
)

// qtable builds a qmtproutes table from "key:value" lines.
func qtable(lines ...string) control.Table {
	t := table(lines...)
	for k, e := range t {
		e.Where = strings.Replace(e.Where, "smtproutes", "qmtproutes", 1)
		t[k] = e
	}
	return t
}

func TestSelectQMTP(t *testing.T) {
	const q1, q2, s1, s2 = "control/qmtproutes line 1", "control/qmtproutes line 2", "control/smtproutes line 1", "control/smtproutes line 2"
	spec := qtable("example.net:qmtp.example.net", ".partner.example:", "!@:bounces.example.org")
	tests := []struct {
		name         string
		qmtp, smtp   control.Table
		host, sender string
		want         Route
	}{
		{"relay, port 209", spec, nil, "example.net", "a@b", Route{QMTP, "qmtp.example.net", true, 209, "", "", q1}},
		{"relay with a port", qtable("example.net:qmtp.example.net:2209"), nil, "example.net", "a@b", Route{QMTP, "qmtp.example.net", true, 2209, "", "", q1}},
		{"relay with a semicolon port", qtable("example.net:qmtp.example.net;2209"), nil, "example.net", "a@b", Route{QMTP, "qmtp.example.net", true, 2209, "", "", q1}},
		{"B20: literal catch-all", qtable(":[127.0.0.1]:2209"), nil, "any.test", "a@b", Route{QMTP, "[127.0.0.1]", true, 2209, "", "", q1}},
		{"empty relay: QMTP to the MX hosts", spec, nil, "mx.partner.example", "a@b", Route{QMTP, "mx.partner.example", false, 209, "", "", q2}},
		{"empty relay with a port", qtable(".partner.example::2209"), nil, "a.partner.example", "a@b", Route{QMTP, "a.partner.example", false, 2209, "", "", q1}},
		{"no QMTP line: SMTP", spec, table(":heaven.test"), "other.test", "a@b", Route{SMTP, "heaven.test", true, 25, "", "", s1}},
		{"no line at all: SMTP by MX", spec, nil, "other.test", "a@b", Route{SMTP, "other.test", false, 25, "", "", ""}},
		{"credentials ignored: QMTP has no AUTH", qtable(":relay.test:2209|user|secret"), nil, "x.test", "a@b", Route{QMTP, "relay.test", true, 2209, "", "", q1}},
		{"keys fold case", spec, nil, "EXAMPLE.NET", "a@b", Route{QMTP, "qmtp.example.net", true, 209, "", "", q1}},

		// SPEC 4.6: at each step qmtproutes, then smtproutes.
		{"same key in both: QMTP", qtable("x.test:q.test"), table("x.test:s.test"), "x.test", "a@b", Route{QMTP, "q.test", true, 209, "", "", q1}},
		{"both catch-alls: QMTP", qtable(":q.test"), table(":s.test"), "x.test", "a@b", Route{QMTP, "q.test", true, 209, "", "", q1}},
		{"more specific smtproutes beats qmtproutes", qtable(".test:q.test"), table("x.test:s.test"), "x.test", "a@b", Route{SMTP, "s.test", true, 25, "", "", s1}},
		{"more specific qmtproutes beats smtproutes", qtable("x.test:q.test"), table(".test:s.test"), "x.test", "a@b", Route{QMTP, "q.test", true, 209, "", "", q1}},
		{"smtproutes suffix beats the qmtproutes catch-all", qtable(":q.test"), table(".test:s.test"), "x.test", "a@b", Route{SMTP, "s.test", true, 25, "", "", s1}},
		{"an empty smtproutes relay shields from the qmtproutes catch-all", qtable(":q.test"), table(".test:"), "x.test", "a@b", Route{SMTP, "x.test", false, 25, "", "", s1}},
		{"an empty qmtproutes relay shields from the smtproutes catch-all", qtable(".test:"), table(":s.test"), "x.test", "a@b", Route{QMTP, "x.test", false, 209, "", "", q1}},

		// SPEC 3.1 step 6: the bounce route, qmtproutes first.
		{"bounce route", spec, table("!@:s.test"), "example.net", "", Route{QMTP, "bounces.example.org", true, 209, "", "", "control/qmtproutes line 3"}},
		{"bounce route only for the empty sender", spec, table("!@:s.test"), "other.test", "#@[]", Route{SMTP, "other.test", false, 25, "", "", ""}},
		{"smtproutes bounce route beats a qmtproutes host line", qtable(":q.test"), table("!@:s.test:27"), "x.test", "", Route{SMTP, "s.test", true, 27, "", "", s1}},
		{"empty qmtproutes bounce relay: smtproutes bounce route", qtable("!@:"), table("!@:s.test"), "x.test", "", Route{SMTP, "s.test", true, 25, "", "", s1}},
		{"empty bounce relays in both: host lines", qtable("!@:", "x.test:q.test"), table("!@:"), "x.test", "", Route{QMTP, "q.test", true, 209, "", "", q2}},
		{"empty bounce relays: no line for the host", qtable("!@:"), table("!@:", ":s.test"), "x.test", "", Route{SMTP, "s.test", true, 25, "", "", s2}},
	}
	for _, tt := range tests {
		got, err := Select(Tables{SMTPRoutes: tt.smtp, QMTPRoutes: tt.qmtp}, tt.host, tt.sender)
		if err != nil || got != tt.want {
			t.Errorf("%s: Select = %+v, %v\n want %+v", tt.name, got, err, tt.want)
		}
	}
}

func TestSelectQMTPBadPort(t *testing.T) {
	for _, v := range []string{"relay.test:abc", "relay.test:0", "relay.test:65536", ":x"} {
		_, err := Select(Tables{QMTPRoutes: qtable("x.test:" + v)}, "x.test", "a@b")
		if err == nil || !strings.Contains(err.Error(), "control/qmtproutes line 1") {
			t.Errorf("%q: err = %v, want one naming the line", v, err)
		}
	}
	_, err := Select(Tables{QMTPRoutes: qtable("!@:relay.test:x")}, "x.test", "")
	if err == nil || !strings.Contains(err.Error(), "control/qmtproutes line 1") {
		t.Errorf("bounce route: err = %v", err)
	}
}

func TestKeys(t *testing.T) {
	for name, want := range map[string]string{
		"a.b.example.com": "a.b.example.com .b.example.com .example.com .com ",
		".com":            ".com ",
		"x":               "x ",
		"":                "",
		"a..b.":           "a..b. ..b. .b. . ",
	} {
		var got []string
		for k := range keys(name, ".") {
			got = append(got, k)
		}
		if strings.Join(got, " ") != want {
			t.Errorf("keys(%q) = %q, want %q", name, got, want)
		}
	}
}
