package tlspolicy

import (
	"fmt"
	"strings"

	"qmail-remote-go/lib/control"
	"qmail-remote-go/lib/tlsreport"
)

// A Cert is the client certificate to present (SPEC 4.10).
type Cert struct {
	CertFile string // PEM certificate, may hold the key too
	KeyFile  string // "": the key is in CertFile
	Password string // decrypts the key; "" for none. Never put it in argv or the environment (KEYPASSFD).
	Where    string // "control/domaincerts line N"
}

// MaxPassword bounds the key's password: tlsreport.MaxPassword, which
// tlswrap(8) applies on KEYPASSFD.
const MaxPassword = tlsreport.MaxPassword

// SelectCert returns the client certificate for a message from sender,
// from control/domaincerts (a missing file is an empty table). Lines are
// "domain:certificate|keyfile|password"; the password is the rest of the
// line after the second '|' and may itself hold '|'. The sender's domain
// (after its last '@', "" when there is none) is looked up exactly, then
// each suffix of it that starts at a '.', then the key "*"; an empty
// domain finds only "*" (SPEC 4.10). ok is false when no line applies.
// An empty certificate, a NUL, CR or LF in the value, or a password
// longer than MaxPassword is a syntax error naming the line; the error
// never quotes the password.
func SelectCert(t control.Table, sender string) (Cert, bool, error) {
	keys := suffixKeys("", senderDomain(sender))
	for _, k := range append(keys, "*") {
		e, ok := t.Get(k)
		if !ok {
			continue
		}
		c, err := ParseCert(e)
		return c, err == nil, err
	}
	return Cert{}, false, nil
}

// ParseCert reads one domaincerts line's value (see SelectCert).
func ParseCert(e control.Entry) (Cert, error) {
	if strings.ContainsAny(e.Value, "\x00\r\n") {
		return Cert{}, fmt.Errorf("%s: NUL, CR or LF in the value", e.Where)
	}
	cert, rest, _ := strings.Cut(e.Value, "|")
	key, pass, _ := strings.Cut(rest, "|")
	if cert == "" {
		return Cert{}, fmt.Errorf("%s: no certificate file", e.Where)
	}
	if len(pass) > MaxPassword {
		return Cert{}, fmt.Errorf("%s: the key password is longer than %d bytes", e.Where, MaxPassword)
	}
	return Cert{CertFile: cert, KeyFile: key, Password: pass, Where: e.Where}, nil
}
