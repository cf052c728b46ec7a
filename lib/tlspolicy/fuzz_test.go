package tlspolicy

import (
	"strings"
	"testing"

	"qmail-remote-go/lib/control"
)

const bad = "\x00\r\n"

var envNames = map[string]bool{"TLS_VERIFY": true, "TLS_NAMES": true, "TLS_PIN": true, "TLS_DEPTH": true,
	"TLS_CIPHERS": true, "CAFILE": true, "CADIR": true, "TLS_SERVERNAME": true}

// FuzzSelect: for any one-line tlsdestinations file, host and sender,
// Select does not panic; an error names the line and holds no NUL, CR
// or LF; a policy is in range (port, depth, SMTPS, pin only for Pin,
// Try only from "*", "-" or the default); a value with NUL, CR or LF is
// an error unless a '!' rule (whose value is not read) or no rule
// matched; and Env gives only contract variables, each once, never
// holding NUL, CR or LF.
func FuzzSelect(f *testing.F) {
	for _, l := range []string{"*:", "!*:", "!:", "-:", "=*:/ca|2", "%x.test:=AB:cd", "%x.test:=zz", ".test:/d/|3:465",
		"x.test:ca|HIGH|3;26|example.net", "x.test:;0", "~.test:||;465", "-x.test:|aNULL:!kRSA", "x.test:\x00", "x.test:ca|3:4:5"} {
		k, v, _ := strings.Cut(l, ":")
		f.Add(k, v, "x.test", "a@example.net", true)
		f.Add(k, v, "X.TEST", "", false)
	}
	f.Fuzz(func(t *testing.T, key, value, host, sender string, exists bool) {
		if strings.ContainsAny(key, ":\n") || strings.ContainsRune(value, '\n') {
			return // not one table line
		}
		const where = "control/tlsdestinations line 1"
		tab := control.Table{control.Lower(key): {Value: value, Where: where}}
		p, err := Select(tab, exists, host, sender)
		if err != nil {
			if !strings.HasPrefix(err.Error(), where+": ") || strings.ContainsAny(err.Error(), bad) {
				t.Fatalf("error %q", err)
			}
			return
		}
		if (p.Key == "") != (p.Where == "") || (p.Key == "" && p != Default) || (p.Key != "" && p.Key != control.Lower(key)) {
			t.Fatalf("key/where: %+v", p)
		}
		if p.Port < 0 || p.Port > 65535 || p.Depth < DepthUnset || p.Depth > maxDepth {
			t.Fatalf("range: %+v", p)
		}
		if (p.Pin != "") != (p.Verify == Pin) || strings.Trim(p.Pin, "0123456789abcdefABCDEF") != "" {
			t.Fatalf("pin: %+v", p)
		}
		if p.Level == Try && p.Key != "" && p.Key != "*" && p.Key != "-" {
			t.Fatalf("try from %q", p.Key)
		}
		if p.Level < Never || p.Level > Must || p.Verify < None || p.Verify > Pin {
			t.Fatalf("enum: %+v", p)
		}
		if strings.ContainsAny(value, bad) && p.Key != "" && p.Key[0] != '!' {
			t.Fatalf("value %q accepted: %+v", value, p)
		}
		env := p.Env(Names(host, sender, len(sender)%2 == 0), ServerName(sender, host))
		if p.Level == Never && env != nil {
			t.Fatalf("never, env %q", env)
		}
		seen := map[string]bool{}
		for _, kv := range env {
			name, v, ok := strings.Cut(kv, "=")
			// TLS_NAMES may be empty: no name passes (tlswrap.8).
			if !ok || !envNames[name] || seen[name] || v == "" && name != "TLS_NAMES" || strings.ContainsAny(kv, bad) {
				t.Fatalf("env %q", env)
			}
			seen[name] = true
		}
		if p.Level != Never && !seen["TLS_VERIFY"] {
			t.Fatalf("no TLS_VERIFY: %q", env)
		}
	})
}

// FuzzSelectCert: for any one-line domaincerts file and sender,
// SelectCert does not panic; an error is one of its three fixed texts
// (so it never shows the password); a certificate is not empty, has no
// NUL, CR or LF, and certificate|keyfile|password is the line's value.
func FuzzSelectCert(f *testing.F) {
	for _, l := range []string{"example.com:/c.pem", "*:/c.pem|/k.pem|s3cret", ".example.com:/c.pem||p|a|s|s",
		"*:", "*:|/k.pem|pw", "*:/c\x00|k|secret"} {
		k, v, _ := strings.Cut(l, ":")
		f.Add(k, v, "me@mail.example.com")
		f.Add(k, v, "")
	}
	f.Fuzz(func(t *testing.T, key, value, sender string) {
		if strings.ContainsAny(key, ":\n") || strings.ContainsRune(value, '\n') {
			return
		}
		const where = "control/domaincerts line 1"
		tab := control.Table{control.Lower(key): {Value: value, Where: where}}
		c, ok, err := SelectCert(tab, sender)
		if err != nil {
			if ok || (err.Error() != where+": no certificate file" && err.Error() != where+": NUL, CR or LF in the value" &&
				err.Error() != where+": the key password is longer than 1024 bytes") {
				t.Fatalf("error %q", err)
			}
			return
		}
		if !ok {
			if c != (Cert{}) {
				t.Fatalf("not ok but %+v", c)
			}
			return
		}
		if c.CertFile == "" || c.Where != where || strings.ContainsAny(c.CertFile+c.KeyFile+c.Password, bad) ||
			strings.ContainsRune(c.CertFile+c.KeyFile, '|') {
			t.Fatalf("cert %+v", c)
		}
		whole := c.CertFile + "|" + c.KeyFile + "|" + c.Password
		if value != whole && !(c.Password == "" && value == c.CertFile+"|"+c.KeyFile) &&
			!(c.Password == "" && c.KeyFile == "" && value == c.CertFile) {
			t.Fatalf("%q -> %+v", value, c)
		}
	})
}
