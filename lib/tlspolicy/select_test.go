package tlspolicy

import (
	"strconv"
	"strings"
	"testing"

	"qmail-remote-go/lib/control"
)

// table builds control/tlsdestinations from "key:value" lines, the way
// control.ReadTable does (keys lower-cased, the last line wins).
func table(lines ...string) control.Table {
	t := control.Table{}
	for i, l := range lines {
		k, v, _ := strings.Cut(l, ":")
		t[control.Lower(k)] = control.Entry{Value: v, Where: "control/tlsdestinations line " + strconv.Itoa(i+1)}
	}
	return t
}

const line1 = "control/tlsdestinations line 1"

// pol is a Policy with no depth given, matched by the key of line 1;
// a key naming a host or suffix (not a '*' form, '!' or '-') is Explicit.
func pol(l Level, v Verify, key string) Policy {
	explicit := key != "" && !strings.Contains(key, "*") && key != "!" && key != "-"
	return Policy{Level: l, Verify: v, Depth: DepthUnset, Key: key, Where: line1, Explicit: explicit}
}

// with returns p changed by f, for table literals.
func with(p Policy, f func(*Policy)) Policy { f(&p); return p }

const fp = "E44194C56EF0A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A"

// TestExamples: every example line of SPEC 4.9.2's two tables, with the
// meaning the SPEC gives it. The sq3 "%" line is shortened there
// ("E44194C56EF..."); it is tested with a whole SHA-256 fingerprint.
func TestExamples(t *testing.T) {
	tests := []struct {
		line, host, sender string
		want               Policy
	}{
		// The brief's (SC2.7) man page.
		{"*:", "any.example", "a@b.example", pol(Try, None, "*")},
		{".example.com:", "mx.example.com", "a@b.example", pol(Must, None, ".example.com")},
		{"securityfirst.com:/etc/ssl/cafile||!SSLv2:HIGH", "securityfirst.com", "a@b.example",
			with(pol(Must, Chain, "securityfirst.com"), func(p *Policy) { p.CAFile, p.Ciphers = "/etc/ssl/cafile", "!SSLv2:HIGH" })},
		{".remote.com:/etc/ssl/certdir/|3:465", "mx.remote.com", "a@b.example",
			with(pol(Must, Chain, ".remote.com"), func(p *Policy) { p.CADir, p.Depth, p.Port = "/etc/ssl/certdir/", 3, 465 })},
		{"mx.partner.com:/etc/ssl/partnerca||:26|mydomain.net", "mx.partner.com", "me@mydomain.net",
			with(pol(Must, Chain, "mx.partner.com"), func(p *Policy) { p.CAFile, p.Port = "/etc/ssl/partnerca", 26 })},
		{"mx.partner.com:/etc/ssl/partnerca||:26|mydomain.net", "mx.partner.com", "me@other.net",
			Default}, // D28: skipped, the default applies
		{"=mx.myfriend.com:/etc/ssl/cacert|4", "mx.myfriend.com", "a@b.example",
			with(pol(Must, Name, "=mx.myfriend.com"), func(p *Policy) { p.CAFile, p.Depth = "/etc/ssl/cacert", 4 })},
		{"-.adhonlydomain.com:|aNULL:!kRSA", "mx.adhonlydomain.com", "a@b.example",
			with(pol(Must, None, "-.adhonlydomain.com"), func(p *Policy) { p.Ciphers = "aNULL:!kRSA" })},
		{"=*:", "any.example", "a@b.example", pol(Must, Name, "=*")},
		{"hiddenpartner.org:||:35", "hiddenpartner.org", "a@b.example",
			with(pol(Must, None, "hiddenpartner.org"), func(p *Policy) { p.Port = 35 })},
		{"hiddenpartner.org::35", "hiddenpartner.org", "a@b.example",
			with(pol(Must, None, "hiddenpartner.org"), func(p *Policy) { p.Port = 35 })},
		{"!nosslhost.example.com:", "nosslhost.example.com", "a@b.example", pol(Never, None, "!nosslhost.example.com")},

		// The same policies in sq3 syntax.
		{"-:", "any.example", "a@b.example", pol(Try, None, "-")},
		{"*:", "any.example", "a@b.example", pol(Try, None, "*")}, // "certificates": not checked when opportunistic (see Select)
		{"-*:", "any.example", "a@b.example", pol(Must, None, "-*")},
		{"+*:", "any.example", "a@b.example", pol(Must, Chain, "+*")},
		{"~*:", "any.example", "a@b.example", pol(Must, Wildcard, "~*")},
		{"=*:", "any.example", "a@b.example", pol(Must, Name, "=*")},
		{"example.com:", "example.com", "a@b.example", pol(Must, None, "example.com")},
		{"securityfirst.com:/etc/ssl/cafile|!SSLv2:HIGH", "securityfirst.com", "a@b.example",
			with(pol(Must, Chain, "securityfirst.com"), func(p *Policy) { p.CAFile, p.Ciphers = "/etc/ssl/cafile", "!SSLv2:HIGH" })},
		{"remote.com:/etc/ssl/certdir/||3;465", "remote.com", "a@b.example",
			with(pol(Must, Chain, "remote.com"), func(p *Policy) { p.CADir, p.Depth, p.Port = "/etc/ssl/certdir/", 3, 465 })},
		{"mx.partner.com:/etc/ssl/partnerca||2|mydomain.net", "mx.partner.com", "me@mydomain.net",
			with(pol(Must, Chain, "mx.partner.com"), func(p *Policy) { p.CAFile, p.Depth = "/etc/ssl/partnerca", 2 })},
		{"mx.partner.com:/etc/ssl/partnerca||2|mydomain.net", "mx.partner.com", "me@other.net",
			Default}, // D28: skipped, the default applies
		{"=mx.myfriend.com:/etc/ssl/cacert||4", "mx.myfriend.com", "a@b.example",
			with(pol(Must, Name, "=mx.myfriend.com"), func(p *Policy) { p.CAFile, p.Depth = "/etc/ssl/cacert", 4 })},
		{"~wildneighbor.net:", "wildneighbor.net", "a@b.example", pol(Must, Wildcard, "~wildneighbor.net")},
		{"-adhonlydomain.com:||aNULL:!kRSA", "adhonlydomain.com", "a@b.example",
			with(pol(Must, None, "-adhonlydomain.com"), func(p *Policy) { p.Ciphers = "aNULL:!kRSA" })},
		{"%peer.partner.com:=" + fp, "peer.partner.com", "a@b.example",
			with(pol(Must, Pin, "%peer.partner.com"), func(p *Policy) { p.Pin = fp })},
		{"!nosslhost.example.com:", "nosslhost.example.com", "a@b.example", pol(Never, None, "!nosslhost.example.com")},
		{"hiddenpartner.org:;35", "hiddenpartner.org", "a@b.example",
			with(pol(Must, None, "hiddenpartner.org"), func(p *Policy) { p.Port = 35 })},
	}
	for _, tt := range tests {
		got, err := Select(table(tt.line), true, tt.host, tt.sender)
		if err != nil || got != tt.want {
			t.Errorf("%s (host %s, sender %s):\n got  %+v, %v\n want %+v", tt.line, tt.host, tt.sender, got, err, tt.want)
		}
	}
}

// TestKeyForms: what each key form means alone, and which hosts it
// matches (SPEC 4.9.1).
func TestKeyForms(t *testing.T) {
	tests := []struct {
		line, host string
		want       Policy // Key "" means: no rule matched (Default)
	}{
		{"!mx.example.com:", "mx.example.com", pol(Never, None, "!mx.example.com")},
		{"!.example.com:", "mx.example.com", pol(Never, None, "!.example.com")},
		{"!.example.com:", "example.com", Default},
		{"!*:", "mx.example.com", pol(Never, None, "!*")},
		{"!:", "mx.example.com", pol(Never, None, "!")},
		{"!mx.example.com:x|HIGH|MEDIUM", "mx.example.com", pol(Never, None, "!mx.example.com")}, // value ignored
		{"%mx.example.com:=ab:cd", "mx.example.com", with(pol(Must, Pin, "%mx.example.com"), func(p *Policy) { p.Pin = "abcd" })},
		{"%.example.com:=abcd", "mx.example.com", Default}, // exact only
		{"=mx.example.com:", "mx.example.com", pol(Must, Name, "=mx.example.com")},
		{"=.example.com:", "mx.example.com", Default}, // exact only
		{"=mx.example.com:", "a.mx.example.com", Default},
		{"~mx.example.com:", "mx.example.com", pol(Must, Wildcard, "~mx.example.com")},
		{"~.example.com:", "mx.example.com", pol(Must, Wildcard, "~.example.com")},
		{"~.example.com:", "example.com", Default},
		{"mx.example.com:", "mx.example.com", pol(Must, None, "mx.example.com")},
		{"mx.example.com:/ca.pem", "mx.example.com", with(pol(Must, Chain, "mx.example.com"), func(p *Policy) { p.CAFile = "/ca.pem" })},
		{"mx.example.com:/ca/", "mx.example.com", with(pol(Must, Chain, "mx.example.com"), func(p *Policy) { p.CADir = "/ca/" })},
		{".example.com:", "a.b.example.com", pol(Must, None, ".example.com")},
		{".com:", "a.b.example.com", pol(Must, None, ".com")},
		{".example.com:", "example.com", Default},
		{"-mx.example.com:", "mx.example.com", pol(Must, None, "-mx.example.com")},
		{"-.example.com:", "mx.example.com", pol(Must, None, "-.example.com")},
		{"-.example.com:/ca.pem", "mx.example.com", with(pol(Must, None, "-.example.com"), func(p *Policy) { p.CAFile = "/ca.pem" })},
		{"=*:/ca.pem", "x.test", with(pol(Must, Name, "=*"), func(p *Policy) { p.CAFile = "/ca.pem" })},
		{"~*:", "x.test", pol(Must, Wildcard, "~*")},
		{"+*:/ca/", "x.test", with(pol(Must, Chain, "+*"), func(p *Policy) { p.CADir = "/ca/" })},
		{"-*:", "x.test", pol(Must, None, "-*")},
		{"*:", "x.test", pol(Try, None, "*")},
		{"*:/ca.pem|2", "x.test", with(pol(Try, None, "*"), func(p *Policy) { p.CAFile, p.Depth = "/ca.pem", 2 })},
		{"-:", "x.test", pol(Try, None, "-")},
		{":", "x.test", Default}, // the empty key is not a default here
		{"MX.Example.COM:", "mx.example.com", pol(Must, None, "mx.example.com")},
		{"mx.example.com:", "MX.EXAMPLE.com", pol(Must, None, "mx.example.com")},
		{"=MX.example.com:", "mx.EXAMPLE.com", pol(Must, Name, "=mx.example.com")},
		{"[192.0.2.7]:", "[192.0.2.7]", pol(Must, None, "[192.0.2.7]")},
		{"*:;465", "x.test", with(pol(Try, None, "*"), func(p *Policy) { p.Port = 465 })},
	}
	for _, tt := range tests {
		got, err := Select(table(tt.line), true, tt.host, "a@b.example")
		if err != nil || got != tt.want {
			t.Errorf("%s (host %s):\n got  %+v, %v\n want %+v", tt.line, tt.host, got, err, tt.want)
		}
	}
}

// TestPrecedence: for every pair of keys that match mx.example.com, the
// one earlier in the order wins, whatever the order of the lines: sq3's
// (SPEC 4.9.1, D6), except that "!*" and "!" come after every rule
// keyed on the host (D28). Within a suffix form the most specific key
// wins.
func TestPrecedence(t *testing.T) {
	order := []string{
		"!mx.example.com", "!.example.com", "!.com",
		"%mx.example.com",
		"=mx.example.com",
		"~mx.example.com", "~.example.com", "~.com",
		"mx.example.com", ".example.com", ".com",
		"-mx.example.com", "-.example.com", "-.com",
		"!*", "!", // D28: after every rule keyed on the host
		"=*", "~*", "+*", "-*", "*", "-",
	}
	line := func(k string) string {
		if k[0] == '%' {
			return k + ":=abcd"
		}
		return k + ":"
	}
	for i, hi := range order {
		for _, lo := range order[i+1:] {
			for _, lines := range [][]string{{line(hi), line(lo)}, {line(lo), line(hi)}} {
				got, err := Select(table(lines...), true, "Mx.Example.Com", "a@b.example")
				if err != nil || got.Key != hi {
					t.Errorf("%q: got key %q (%v), want %q", lines, got.Key, err, hi)
				}
			}
		}
	}
}

// TestNoMatch: the team decision on D7. No file, or a file with no
// matching rule: opportunistic. "!*:" and "!:" turn TLS off everywhere.
func TestNoMatch(t *testing.T) {
	want := Policy{Level: Try, Verify: None, Depth: DepthUnset}
	if Default != want {
		t.Fatalf("Default = %+v", Default)
	}
	if got, err := Select(nil, false, "x.test", "a@b"); err != nil || got != want {
		t.Errorf("absent file: %+v, %v", got, err)
	}
	if got, err := Select(table("!*:"), false, "x.test", "a@b"); err != nil || got != want {
		t.Errorf("absent file (table ignored): %+v, %v", got, err)
	}
	for _, lines := range [][]string{{}, {"other.test:"}, {".x.test:"}, {"=y.x.test:"}, {"# comment:"}} {
		if got, err := Select(table(lines...), true, "x.test", "a@b"); err != nil || got != want {
			t.Errorf("%q: %+v, %v", lines, got, err)
		}
	}
	for _, off := range []string{"!*", "!"} {
		for _, host := range []string{"y.test", "[192.0.2.1]", "mx.example.com"} {
			got, err := Select(table("=*:", "*:", off+":", "x.test:"), true, host, "a@b")
			if err != nil || got.Level != Never || got.Key != off || got.Where != "control/tlsdestinations line 3" {
				t.Errorf("%s: host %s: %+v, %v", off, host, got, err)
			}
		}
		// D28: a global "!*" turns off only the default; a rule keyed
		// on the host still applies.
		for _, rule := range []string{"x.test:", "=x.test:", "%x.test:=abcd", "~.test:", "-x.test:"} {
			got, err := Select(table(off+":", rule), true, "x.test", "a@b")
			if err != nil || got.Level != Must || got.Where != "control/tlsdestinations line 2" || !got.Explicit {
				t.Errorf("%s with %s: %+v, %v", off, rule, got, err)
			}
		}
	}
}

// TestSenderDomain: a rule with a 4th field applies only to senders of
// that domain; for everyone else it is skipped and the next matching
// rule applies, or the default (D28, which overrides SPEC 4.9.2's "TLS
// off").
func TestSenderDomain(t *testing.T) {
	tab := table("*:", "x.test:/ca.pem|||mydomain.net", ".test:")
	tests := []struct {
		sender string
		want   string // the key that applies
	}{
		{"me@mydomain.net", "x.test"},
		{"Me@MyDomain.NET", "x.test"},
		{"\"a@b\"@mydomain.net", "x.test"}, // after the last '@'
		{"me@mydomain.net@other.net", ".test"},
		{"me@sub.mydomain.net", ".test"}, // equality, not a suffix
		{"me@other.net", ".test"},
		{"mydomain.net", ".test"}, // no '@': domain ""
		{"", ".test"},             // bounces
		{"#@[]", ".test"},
	}
	for _, tt := range tests {
		got, err := Select(tab, true, "x.test", tt.sender)
		if err != nil || got.Level != Must || got.Key != tt.want {
			t.Errorf("sender %q: %+v, %v; want %s", tt.sender, got, err, tt.want)
		}
	}
	// Skipped down to the '*' forms, and to the default.
	if got, _ := Select(table("*:", "x.test:|||mydomain.net"), true, "x.test", "a@other.net"); got.Level != Try || got.Key != "*" || got.Explicit {
		t.Errorf("skipped to '*': %+v", got)
	}
	if got, _ := Select(table("=x.test:|||mydomain.net"), true, "x.test", "a@other.net"); got != Default {
		t.Errorf("skipped to the default: %+v", got)
	}
	// A '!' rule's 4th field counts too (the rest of its value is
	// ignored): "!relay:|||mydomain.net" turns TLS off for that
	// sender's mail only, not for everyone's (with D9, every sender's
	// password in clear text).
	for _, l := range []string{"!x.test:|||mydomain.net", "!.test:junk|x|y|mydomain.net", "!*:|||mydomain.net", "!:|||mydomain.net"} {
		got, err := Select(table(l, "+*:"), true, "x.test", "a@other.net")
		if err != nil || got.Level != Must || got.Key != "+*" {
			t.Errorf("%s, another sender: %+v, %v; want +*", l, got, err)
		}
		got, err = Select(table(l, "+*:"), true, "x.test", "a@MyDomain.net")
		if err != nil || got.Level != Never {
			t.Errorf("%s, its sender: %+v, %v; want TLS off", l, got, err)
		}
	}
	if got, _ := Select(tab, true, "y.test", ""); got.Level != Must || got.Key != ".test" {
		t.Errorf("other host: %+v", got)
	}
}

// TestSelectErrors: syntax errors name the line; the caller reports
// "ZSyntax error in <err>. (#4.3.5)".
func TestSelectErrors(t *testing.T) {
	tests := []struct{ line, want string }{
		{"x.test:||:0", `bad port "0"`},
		{"x.test:|3:65536", `bad port "65536"`},
		{"x.test:;x", `bad port "x"`},
		{"x.test::35x", `bad port "35x"`},
		{"x.test:ca|HIGH|MEDIUM", `bad depth "MEDIUM"`},
		{"x.test:ca|1000", `bad depth "1000"`},
		{"%x.test:", "no fingerprint"},
		{"%x.test:=", "no fingerprint"},
		{"%x.test:;26", "no fingerprint"},
		{"%x.test:/etc/ssl/ca.pem", "no fingerprint"},
		{"%x.test:=E4:41:zz", `bad fingerprint "E4:41:zz"`},
		{"*:ca\x00", "NUL, CR or LF"},
		{"=*:ca\rx", "NUL, CR or LF"},
	}
	for _, tt := range tests {
		_, err := Select(table("# first", tt.line), true, "x.test", "a@b")
		if err == nil || !strings.HasPrefix(err.Error(), "control/tlsdestinations line 2: ") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err = %v, want line 2 and %s", tt.line, err, tt.want)
		}
	}
	// A pin of the wrong length is tlswrap's pinlen, not a syntax error.
	if got, err := Select(table("%x.test:=ab"), true, "x.test", "a@b"); err != nil || got.Pin != "ab" {
		t.Errorf("short pin: %+v, %v", got, err)
	}
	// A line that does not match is not read.
	if got, err := Select(table("y.test:;0", "*:"), true, "x.test", "a@b"); err != nil || got.Key != "*" {
		t.Errorf("broken other line: %+v, %v", got, err)
	}
}

// TestForCredentials: D9 (revised). A route with credentials gets TLS
// with the certificate verified for the relay, whatever a '*' form or
// the default says; only a rule keyed on the relay decides instead.
func TestForCredentials(t *testing.T) {
	auth := func(v Verify, key string, f func(*Policy)) Policy {
		p := Policy{Level: Must, Verify: v, Depth: DepthUnset, Key: key, ForAuth: true}
		if key != "" {
			p.Where = line1
		}
		if f != nil {
			f(&p)
		}
		return p
	}
	tests := []struct {
		line string // "" for no file
		want Policy
	}{
		{"", auth(Name, "", nil)},
		{"*:", auth(Name, "*", nil)},
		{"-:", auth(Name, "-", nil)},
		{"!*:", auth(Name, "!*", nil)},
		{"!:", auth(Name, "!", nil)},
		{"-*:/ca.pem", auth(Name, "-*", nil)}, // no check: the CA is not used, the system roots are
		{"*:/ca.pem|2", auth(Name, "*", func(p *Policy) { p.Depth = 2 })},
		{"+*:/ca.pem", auth(Name, "+*", func(p *Policy) { p.CAFile = "/ca.pem" })},
		{"=*:/ca/", auth(Name, "=*", func(p *Policy) { p.CADir = "/ca/" })},
		{"~*:/ca.pem", auth(Wildcard, "~*", func(p *Policy) { p.CAFile = "/ca.pem" })},
		{"*:;587", auth(Name, "*", func(p *Policy) { p.Port = 587 })},
		{"other.test:", auth(Name, "", nil)},
		// Rules keyed on the relay decide.
		{"relay.test:/ca.pem", with(pol(Must, Chain, "relay.test"), func(p *Policy) { p.CAFile = "/ca.pem" })},
		{"-relay.test:", pol(Must, None, "-relay.test")},
		{"-.test:", pol(Must, None, "-.test")},
		{"!relay.test:", with(pol(Never, None, "!relay.test"), func(p *Policy) { p.Where = line1 })},
		{"%relay.test:=" + fp, with(pol(Must, Pin, "%relay.test"), func(p *Policy) { p.Pin = fp })},
	}
	for _, tt := range tests {
		tab := table(tt.line)
		p, err := Select(tab, tt.line != "", "relay.test", "a@b.example")
		if err != nil {
			t.Fatalf("%s: %v", tt.line, err)
		}
		if got := ForCredentials(p); got != tt.want {
			t.Errorf("%q:\n got  %+v\n want %+v", tt.line, got, tt.want)
		}
	}
}

// TestOneForm: SPEC D27. A rule written in either form of a name
// (trailing dot, case, U-label or A-label) matches either form of the
// host; the keys come in control.HostKey's form (control.HostTableOf).
func TestOneForm(t *testing.T) {
	hostTable := func(lines ...string) control.Table {
		var ls []control.Line
		for i, l := range lines {
			k, v, _ := strings.Cut(l, ":")
			ls = append(ls, control.Line{Key: k, Value: v, N: i + 1, Where: "control/tlsdestinations line " + strconv.Itoa(i+1)})
		}
		return control.HostTableOf(ls)
	}
	for _, rule := range []string{"=partner.test:", "=partner.test.:", "=PARTNER.Test:"} {
		for _, host := range []string{"partner.test", "partner.test.", "Partner.TEST."} {
			if got, _ := Select(hostTable(rule), true, host, "a@b"); got.Level != Must || got.Verify != Name {
				t.Errorf("%s, host %s: %+v", rule, host, got)
			}
		}
	}
	for _, rule := range []string{"~.xn--bcher-kva.example:", "~.bücher.example:", "~.BÜCHER.example.:"} {
		for _, host := range []string{"mx.bücher.example", "mx.xn--bcher-kva.example", "MX.BÜCHER.EXAMPLE."} {
			if got, _ := Select(hostTable(rule), true, host, "a@b"); got.Level != Must || got.Verify != Wildcard {
				t.Errorf("%s, host %s: %+v", rule, host, got)
			}
		}
	}
	if got, _ := Select(hostTable("!partner.test.:", "*:"), true, "partner.test.", ""); got.Level != Never {
		t.Errorf("!partner.test.: %+v", got)
	}
}

// TestLiteralForms: a rule for an address literal holds for every form
// of the literal that reaches the same address (D27), so that a
// recipient written r@[IPv6:::ffff:192.0.2.9] does not go around it.
func TestLiteralForms(t *testing.T) {
	for _, key := range []string{"=[192.0.2.9]", "=192.0.2.9", "=[IPv6:::ffff:192.0.2.9]"} {
		tab := control.HostTableOf([]control.Line{{Key: key, Where: line1}})
		for _, host := range []string{"[192.0.2.9]", "192.0.2.9", "[IPv6:::ffff:192.0.2.9]", "[ipv6:0:0:0:0:0:ffff:c000:209]"} {
			if got, err := Select(tab, true, host, ""); err != nil || got.Level != Must || got.Verify != Name {
				t.Errorf("%s, host %s: %+v, %v", key, host, got, err)
			}
		}
	}
	tab := control.HostTableOf([]control.Line{{Key: "=[IPv6:2001:db8::1]", Where: line1}})
	for _, host := range []string{"[IPv6:2001:DB8:0::1]", "[2001:db8:0:0:0:0:0:1]", "[ipv6:2001:0db8::0001]"} {
		if got, err := Select(tab, true, host, ""); err != nil || got.Level != Must {
			t.Errorf("host %s: %+v, %v", host, got, err)
		}
	}
}
