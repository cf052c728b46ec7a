package plan

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qmail-remote-go/lib/control"
	"qmail-remote-go/lib/mtasts"
	"qmail-remote-go/lib/route"
	"qmail-remote-go/lib/tlspolicy"
)

// keyPlan is a plan for a delivery from a@sender.test to mx.test by MX,
// a candidate of it, and the speaker's environment for it as Speak
// makes it.
func keyPlan(t *testing.T) (*Plan, Candidate) {
	t.Helper()
	p := &Plan{Host: "dest.test", Sender: "a@sender.test", Cfg: Config{Helohost: "me.test", TimeoutRemote: 1200}}
	p.Route = route.Route{Proto: route.SMTP, Host: "dest.test", Port: 25}
	p.TLS = tlspolicy.Default
	return p, Candidate{Pref: 10, Addr: netip.MustParseAddr("192.0.2.10"), Name: "mx.dest.test"}
}

// speak is Speak's environment for p and c (the pipes closed).
func speak(t *testing.T, p *Plan, c Candidate) Speaking {
	t.Helper()
	sp, err := p.Speak(c, netip.MustParseAddrPort("192.0.2.1:40000"), false)
	if err != nil {
		t.Fatal(err)
	}
	sp.Close()
	return sp
}

// TestSessionKeyParts: every part of a session's identity changes the
// key on its own (issue 21 item 2), and no two of the variants below
// share a key.
func TestSessionKeyParts(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	os.WriteFile(ca, []byte("a CA\n"), 0o644)
	cert := filepath.Join(dir, "cert.pem")
	os.WriteFile(cert, []byte("a certificate\n"), 0o644)

	base := func() (*Plan, Candidate, string) {
		p, c := keyPlan(t)
		return p, c, "smtpclient"
	}
	p0, c0, n0 := base()
	k0 := p0.SessionKey(c0, speak(t, p0, c0), n0)
	if len(k0) != 64 || strings.Trim(k0, "0123456789abcdef") != "" {
		t.Fatalf("key %q is not hex SHA-256", k0)
	}
	keys := map[string]string{k0: "base"}
	variant := func(what string, change func(p *Plan, c *Candidate, name *string)) {
		t.Helper()
		p, c, n := base()
		change(p, &c, &n)
		k := p.SessionKey(c, speak(t, p, c), n)
		if other, ok := keys[k]; ok {
			t.Errorf("%s: the same key as %s", what, other)
		}
		keys[k] = what
	}
	variant("address", func(p *Plan, c *Candidate, _ *string) { c.Addr = netip.MustParseAddr("192.0.2.11") })
	variant("IPv6 address", func(p *Plan, c *Candidate, _ *string) { c.Addr = netip.MustParseAddr("2001:db8::10") })
	variant("port", func(p *Plan, _ *Candidate, _ *string) { p.Route.Port = 26 })
	variant("protocol", func(p *Plan, _ *Candidate, n *string) { p.Route.Proto, *n = route.QMTP, "qmtpclient" })
	variant("speaker", func(p *Plan, _ *Candidate, n *string) { *n = "tlswrap" })
	variant("source address", func(p *Plan, _ *Candidate, _ *string) {
		p.Src = route.Source{Bind: netip.MustParseAddr("192.0.2.1"), Where: "control/domainips line 1"}
	})
	variant("source address, other line", func(p *Plan, _ *Candidate, _ *string) {
		p.Src = route.Source{Bind: netip.MustParseAddr("192.0.2.2"), Where: "control/domainips line 1"}
	})
	variant("HELO name", func(p *Plan, _ *Candidate, _ *string) { p.Cfg.Helohost = "other.test" })
	variant("MX host name", func(_ *Plan, c *Candidate, _ *string) { c.Name = "mx2.dest.test" })
	variant("MX authenticated", func(_ *Plan, c *Candidate, _ *string) { c.MXSecure = true })
	variant("address authenticated", func(_ *Plan, c *Candidate, _ *string) { c.DANE.AddrSecure = true })
	variant("TLSA lookup failed", func(_ *Plan, c *Candidate, _ *string) { c.DANE.AddrSecure, c.DANE.Failed = true, true })
	dane := func(tlsa string) func(*Plan, *Candidate, *string) {
		return func(_ *Plan, c *Candidate, _ *string) {
			c.MXSecure, c.DANE = true, DANE{AddrSecure: true, Base: "mx.dest.test", TLSA: tlsa}
		}
	}
	variant("DANE TLSA records", dane("3 1 1 aabb"))
	variant("other DANE TLSA records", dane("3 1 1 aabc"))
	variant("more DANE TLSA records", dane("3 1 1 aabb,2 0 1 ccdd"))
	variant("route line", func(p *Plan, _ *Candidate, _ *string) { p.Route.Where = "control/smtproutes line 2" })
	variant("relay", func(p *Plan, _ *Candidate, _ *string) { p.Route.Relay = true })
	variant("relay host", func(p *Plan, _ *Candidate, _ *string) { p.Route.Relay, p.Route.Host = true, "relay2.test" })
	// The routed host is part of the key where a check names it.
	named := func(host string) func(*Plan, *Candidate, *string) {
		return func(p *Plan, _ *Candidate, _ *string) {
			p.Route.Host = host
			p.TLS = tlspolicy.Policy{Level: tlspolicy.Must, Verify: tlspolicy.Name, Depth: tlspolicy.DepthUnset, Key: "*", Where: "control/tlsdestinations line 1"}
		}
	}
	variant("name check for dest.test", named("dest.test"))
	variant("name check for dest2.test", named("dest2.test"))
	rule := func(where string) func(*Plan, *Candidate, *string) {
		return func(p *Plan, _ *Candidate, _ *string) {
			p.TLS = tlspolicy.Policy{Level: tlspolicy.Try, Verify: tlspolicy.None, Depth: tlspolicy.DepthUnset, Key: "*", Where: where}
		}
	}
	variant("tlsdestinations rule line 1", rule("control/tlsdestinations line 1"))
	variant("tlsdestinations rule line 2", rule("control/tlsdestinations line 2"))
	variant("D9's default for credentials", func(p *Plan, _ *Candidate, _ *string) {
		p.TLSRule = p.TLS
		p.TLS = tlspolicy.ForCredentials(p.TLS)
	})
	variant("domaincerts line", func(p *Plan, _ *Candidate, _ *string) { p.Cert.Where = "control/domaincerts line 3" })
	variant("client certificate", func(p *Plan, _ *Candidate, _ *string) {
		p.HasCert, p.Cert = true, tlspolicy.Cert{CertFile: cert, Where: "control/domaincerts line 3"}
	})
	sts := func(id string, mode mtasts.Mode) func(*Plan, *Candidate, *string) {
		return func(p *Plan, _ *Candidate, _ *string) {
			p.STS = &mtasts.Entry{ID: id, Expires: time.Now().Add(time.Hour),
				Policy: mtasts.Policy{Mode: mode, MaxAge: 3600, MX: []string{"mx.other.test"}}}
		}
	}
	variant("MTA-STS id a testing", sts("a", mtasts.Testing))
	variant("MTA-STS id b testing", sts("b", mtasts.Testing))
	variant("MTA-STS id a none", sts("a", mtasts.None))
	variant("TLS-Required: No", func(p *Plan, _ *Candidate, _ *string) { p.TLSRequiredNo = true })
	variant("AUTH user", func(p *Plan, _ *Candidate, _ *string) { p.Route.User, p.Route.Pass = "u", "secret" })
	variant("AUTH other user", func(p *Plan, _ *Candidate, _ *string) { p.Route.User, p.Route.Pass = "v", "secret" })
	variant("AUTHCLEAR", func(p *Plan, _ *Candidate, _ *string) {
		p.Route.User, p.Route.Pass, p.TLS.Explicit = "u", "secret", true
	})
	// Each variable of the speaker's environment that is part of the
	// identity, added, then with another value.
	for _, v := range []string{"TLS", "TLS_VERIFY", "TLS_NAMES", "TLS_PIN", "TLS_DEPTH", "TLS_CIPHERS",
		"TLS_SERVERNAME", "TLS_TLSA", "TLS_AUDIT_NAMES", "TLSMECH", "CERTFILE", "KEYFILE", "KEYPASSFD",
		"SSL_CERT_FILE", "SSL_CERT_DIR", "AUTHCLEAR", "AUTHFD", "CAFILE", "CADIR", "HELOHOST"} {
		for _, val := range []string{"x", "y"} {
			p, c, n := base()
			sp := speak(t, p, c)
			sp.Env = append(sp.Env, v+"="+val)
			k := p.SessionKey(c, sp, n)
			if other, ok := keys[k]; ok {
				t.Errorf("%s=%s: the same key as %s", v, val, other)
			}
			keys[k] = v + "=" + val
		}
	}
}

// TestSessionKeySame: what is not part of a session's identity leaves
// the key alone: the local port and the other variables of a
// connection, the order of the environment, the recipients' domain
// behind the same route, and every password.
func TestSessionKeySame(t *testing.T) {
	p, c := keyPlan(t)
	sp := speak(t, p, c)
	k := p.SessionKey(c, sp, "smtpclient")
	if k2 := p.SessionKey(c, sp, "smtpclient"); k2 != k {
		t.Errorf("two keys for one session: %s, %s", k, k2)
	}
	sp2, err := p.Speak(c, netip.MustParseAddrPort("192.0.2.1:40001"), false)
	if err != nil {
		t.Fatal(err)
	}
	sp2.Close()
	rev := Speaking{Env: append([]string{"PATH=/elsewhere", "TIMEOUTREMOTE=5"}, sp2.Env...)}
	for i, j := 0, len(rev.Env)-1; i < j; i, j = i+1, j-1 {
		rev.Env[i], rev.Env[j] = rev.Env[j], rev.Env[i]
	}
	if k2 := p.SessionKey(c, rev, "smtpclient"); k2 != k {
		t.Errorf("the local port, PATH, TIMEOUTREMOTE or the order changed the key")
	}
	c.Pref = 20
	if k2 := p.SessionKey(c, sp, "smtpclient"); k2 != k {
		t.Errorf("the MX preference changed the key")
	}
	// Another recipient domain by MX behind the same host, under a
	// policy that names no host: the same session will do.
	q, _ := keyPlan(t)
	q.Host, q.Route.Host = "dest2.test", "dest2.test"
	if k2 := q.SessionKey(c, speak(t, q, c), "smtpclient"); k2 != k {
		t.Errorf("another domain behind the same MX host, no name checked: another key")
	}
}

// TestSessionKeyNoPassword: neither the AUTH password nor the client
// key's password is in the text the key is made of, and changing them
// keeps the key.
func TestSessionKeyNoPassword(t *testing.T) {
	p, c := keyPlan(t)
	p.Route.User, p.Route.Pass = "user", "S3cr3tPassw0rd"
	p.HasCert, p.Cert = true, tlspolicy.Cert{CertFile: "/no/cert.pem", KeyFile: "/no/key.pem", Password: "K3yPassw0rd", Where: "control/domaincerts line 1"}
	sp, err := p.Speak(c, netip.MustParseAddrPort("192.0.2.1:40000"), false)
	if err != nil {
		t.Fatal(err)
	}
	text := p.sessionText(c, sp, "smtpclient")
	sp.Close()
	if strings.Contains(text, "S3cr3t") || strings.Contains(text, "K3yPass") {
		t.Fatalf("a password in the key's text:\n%s", text)
	}
	if !strings.Contains(text, "user") || !strings.Contains(text, "KEYPASSFD=9") {
		t.Fatalf("the user or KEYPASSFD is missing:\n%s", text)
	}
	k := p.SessionKey(c, speak(t, p, c), "smtpclient")
	p.Route.Pass, p.Cert.Password = "other", "other too"
	if k2 := p.SessionKey(c, speak(t, p, c), "smtpclient"); k2 != k {
		t.Errorf("a password changed the key")
	}
}

// TestSessionKeyFiles: a certificate, key, CA file or CA folder replaced
// on disk (renamed over, or rewritten) is a new key; so is a replaced
// system roots file, when the chain is checked against the system roots.
func TestSessionKeyFiles(t *testing.T) {
	dir := t.TempDir()
	p, c := keyPlan(t)
	replace := func(path string) {
		t.Helper()
		if err := os.WriteFile(path+".new", []byte("the same bytes\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(path+".new", path); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []string{"CERTFILE", "KEYFILE", "CAFILE", "SSL_CERT_FILE"} {
		path := filepath.Join(dir, v)
		replace(path)
		sp := speak(t, p, c)
		sp.Env = append(sp.Env, v+"="+path)
		k := p.SessionKey(c, sp, "smtpclient")
		if k2 := p.SessionKey(c, sp, "smtpclient"); k2 != k {
			t.Fatalf("%s: the file unchanged, but a new key", v)
		}
		replace(path) // the same bytes, another inode
		if k2 := p.SessionKey(c, sp, "smtpclient"); k2 == k {
			t.Errorf("%s: a file renamed over the old one keeps the key", v)
		}
		k = p.SessionKey(c, sp, "smtpclient")
		if err := os.WriteFile(path, []byte("other bytes, more of them\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if k2 := p.SessionKey(c, sp, "smtpclient"); k2 == k {
			t.Errorf("%s: a file rewritten in place keeps the key", v)
		}
		k = p.SessionKey(c, sp, "smtpclient")
		os.Remove(path)
		if k2 := p.SessionKey(c, sp, "smtpclient"); k2 == k {
			t.Errorf("%s: a file removed keeps the key", v)
		}
	}
	for _, v := range []string{"CADIR", "SSL_CERT_DIR"} {
		d := filepath.Join(dir, v)
		os.Mkdir(d, 0o755)
		sp := speak(t, p, c)
		sp.Env = append(sp.Env, v+"="+d)
		k := p.SessionKey(c, sp, "smtpclient")
		replace(filepath.Join(d, "ca.pem"))
		if k2 := p.SessionKey(c, sp, "smtpclient"); k2 == k {
			t.Errorf("%s: a CA added to the folder keeps the key", v)
		}
	}

	// The system roots: only when a chain is checked without a CA of the rule.
	roots := filepath.Join(dir, "roots.pem")
	replace(roots)
	defer func(f, d []string) { systemRootFiles, systemRootDirs = f, d }(systemRootFiles, systemRootDirs)
	systemRootFiles, systemRootDirs = []string{filepath.Join(dir, "absent.pem"), roots}, nil
	for _, tt := range []struct {
		env  []string
		used bool
	}{
		{[]string{"TLS_VERIFY=name"}, true},
		{[]string{"TLS_VERIFY=wildcard"}, true},
		{[]string{"TLS_VERIFY=cert"}, true},
		{[]string{"TLS_VERIFY=name", "CAFILE=/no/ca.pem"}, false},
		{[]string{"TLS_VERIFY=none"}, false},
		{[]string{"TLS_VERIFY=pin"}, false},
		{[]string{"TLS_VERIFY=dane"}, false},
		{[]string{"TLS_VERIFY=name", "SSL_CERT_FILE=/no/roots.pem"}, false},
	} {
		sp := Speaking{Env: tt.env}
		k := p.SessionKey(c, sp, "smtpclient")
		replace(roots)
		if k2 := p.SessionKey(c, sp, "smtpclient"); (k2 != k) != tt.used {
			t.Errorf("%v: replaced system roots change the key: %v, want %v", tt.env, k2 != k, tt.used)
		}
	}
}

// TestSessionKeyFromControl: the parts that come from the control files
// change the key through Make as they do by hand: the HELO name and
// source address of a domainips line, a tlsdestinations rule, an
// authsenders user, a port.
func TestSessionKeyFromControl(t *testing.T) {
	c := Candidate{Pref: 10, Addr: netip.MustParseAddr("127.0.0.1"), Name: "mx.dest.test"}
	cfg := func(dest, ips, auth string) Config {
		lines := func(s string) []control.Line {
			var ls []control.Line
			for i, l := range strings.Split(s, "\n") {
				if k, v, ok := strings.Cut(l, ":"); ok {
					ls = append(ls, control.Line{Key: k, Value: v, N: i + 1, Where: "control/x line " + string(rune('1'+i))})
				}
			}
			return ls
		}
		return Config{Helohost: "me.test", TimeoutConnect: 60, TimeoutRemote: 1200,
			TLSDest: control.HostTableOf(lines(dest)), TLSDestFound: dest != "",
			DomainIPs: control.TableOf(lines(ips)),
			Tables:    route.Tables{AuthSenders: control.TableOf(lines(auth))}}
	}
	key := func(cf Config) string {
		p, err := Make(cf, "dest.test", "a@sender.test")
		if err != nil {
			t.Fatal(err)
		}
		return p.SessionKey(c, speak(t, p, c), "smtpclient")
	}
	keys := map[string]string{}
	for what, cf := range map[string]Config{
		"none":                  cfg("", "", ""),
		"domainips HELO":        cfg("", "sender.test:|helo.test", ""),
		"domainips address":     cfg("", "sender.test:127.0.0.2|", ""),
		"tlsdestinations rule":  cfg("dest.test:", "", ""),
		"tlsdestinations port":  cfg("dest.test::26", "", ""),
		"tlsdestinations other": cfg("-dest.test:", "", ""),
		"authsenders user":      cfg("", "", "a@sender.test:relay.test|user|pw"),
		"authsenders user2":     cfg("", "", "a@sender.test:relay.test|user2|pw"),
		"authsenders port":      cfg("", "", "a@sender.test:relay.test:2525|user|pw"),
	} {
		k := key(cf)
		if other, ok := keys[k]; ok {
			t.Errorf("%s: the same key as %s", what, other)
		}
		keys[k] = what
	}
	if key(cfg("", "", "a@sender.test:relay.test|user|pw")) != key(cfg("", "", "a@sender.test:relay.test|user|other")) {
		t.Errorf("the authsenders password changed the key")
	}
}

// TestReadSessionLimits: the defaults, the files, and a line that is not
// a number as the report of a syntax error naming it (SPEC D34).
func TestReadSessionLimits(t *testing.T) {
	home := t.TempDir()
	os.Mkdir(filepath.Join(home, "control"), 0o755)
	t.Chdir(home)
	l, err := ReadSessionLimits()
	if err != nil || l != (SessionLimits{100, 300}) || !l.HandBack() {
		t.Fatalf("defaults: %v, %v", l, err)
	}
	if got := strings.Join(l.Env(), " "); got != "SESSIONMESSAGES=100 SESSIONLIFETIME=300" {
		t.Errorf("Env = %s", got)
	}
	os.WriteFile("control/sessionmessages", []byte("1\n"), 0o644)
	os.WriteFile("control/sessionlifetime", []byte("60\n"), 0o644)
	if l, err = ReadSessionLimits(); err != nil || l != (SessionLimits{1, 60}) || l.HandBack() {
		t.Errorf("1 message: %v, %v", l, err)
	}
	os.WriteFile("control/sessionmessages", []byte("5\n"), 0o644)
	os.WriteFile("control/sessionlifetime", []byte("0\n"), 0o644)
	if l, err = ReadSessionLimits(); err != nil || l.HandBack() {
		t.Errorf("lifetime 0: %v, %v", l, err)
	}
	os.WriteFile("control/sessionlifetime", []byte("5 minutes\n"), 0o644)
	var pe *Error
	if _, err = ReadSessionLimits(); !errors.As(err, &pe) ||
		pe.Text != "Syntax error in control/sessionlifetime line 1: not a number: \"5 minutes\". (#4.3.5)\n" {
		t.Errorf("a bad line: %v", err)
	}
	os.WriteFile("control/sessionmessages", []byte("1000001\n"), 0o644)
	if _, err = ReadSessionLimits(); !errors.As(err, &pe) ||
		pe.Text != "Syntax error in control/sessionmessages line 1: not from 0 to 1000000: 1000001. (#4.3.5)\n" {
		t.Errorf("too many: %v", err)
	}
}

// TestCacheable: SMTP in clear text or with STARTTLS, not SMTPS or QMTP.
func TestCacheable(t *testing.T) {
	p, c := keyPlan(t)
	if !p.Cacheable(c) {
		t.Errorf("SMTP on port 25 not cacheable")
	}
	p.Route.Port = tlspolicy.SMTPSPort
	if p.Cacheable(c) {
		t.Errorf("SMTPS cacheable")
	}
	p.TLS.Level = tlspolicy.Never
	if !p.Cacheable(c) {
		t.Errorf("clear text on port 465 not cacheable")
	}
	p.Route.Proto, p.Route.Port = route.QMTP, 209
	if p.Cacheable(c) {
		t.Errorf("QMTP cacheable")
	}
}
