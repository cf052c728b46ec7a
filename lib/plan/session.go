package plan

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"qmail-remote-go/lib/control"
	"qmail-remote-go/lib/route"
	"qmail-remote-go/lib/scache"
)

// The session cache (qmail-scache, issue 21): qmail-remote asks it for
// an idle session to each candidate before connecting, and the speaker
// hands the session back after a K. A session is found by its key,
// the hash of everything that made it what it is; a delivery gets a
// session only when all of that is the same for it.

// SessionLimits is what control/sessionmessages and
// control/sessionlifetime say: a session is handed back only while it
// has carried fewer than Messages messages and is younger than Lifetime
// seconds. qmail-remote reads them only when a cache answered.
type SessionLimits struct {
	Messages int // 0 and 1: never hand back
	Lifetime int // seconds; 0: never hand back
}

// The defaults, and the most each file may say.
const (
	DefaultSessionMessages = scache.DefaultMessages
	DefaultSessionLifetime = scache.DefaultLifetime
	MaxSessionMessages     = 1000000
	MaxSessionLifetime     = 86400
)

// ReadSessionLimits reads control/sessionmessages and
// control/sessionlifetime: one decimal number each (SPEC D34, a line
// that is not one is an *Error naming it, as ReadConfig's are).
func ReadSessionLimits() (SessionLimits, error) {
	l, err := readSessionLimits()
	var se *control.SyntaxError
	if errors.As(err, &se) {
		return l, fail("Syntax error in %s. (#4.3.5)\n", OneLine(se.Error()))
	}
	return l, err
}

func readSessionLimits() (l SessionLimits, err error) {
	if l.Messages, err = control.ReadNumber("sessionmessages", DefaultSessionMessages, 0, MaxSessionMessages); err != nil {
		return l, err
	}
	l.Lifetime, err = control.ReadNumber("sessionlifetime", DefaultSessionLifetime, 0, MaxSessionLifetime)
	return l, err
}

// HandBack tells whether the limits let a session be handed back at all.
func (l SessionLimits) HandBack() bool { return l.Messages > 1 && l.Lifetime > 0 }

// Env is what the speaker is told of the limits (smtpclient.8).
func (l SessionLimits) Env() []string {
	return []string{"SESSIONMESSAGES=" + strconv.Itoa(l.Messages), "SESSIONLIFETIME=" + strconv.Itoa(l.Lifetime)}
}

// keyVars are the variables of the speaker's environment that are part
// of a session's identity: the HELO name, the TLS policy and what it
// checks against (TLS, TLS_*, TLSMECH), the client certificate, the
// system roots' location, and AUTH's settings. The others (TCP*,
// TIMEOUTREMOTE, PATH...) are not: a session is the same with them.
// Nor is TLSHOST, the destination's name: smtpclient and tlswrap put it
// only in the texts of a failed handshake, which a session from the
// cache never makes (its TLS is up); every check that names the
// destination does so in TLS_NAMES, which is part of the key. So the
// recipient domains behind one MX host share its sessions when their
// policies are the same, as issue 21's list of the key's parts has it.
func keyVar(name string) bool {
	switch name {
	case "HELOHOST", "CERTFILE", "KEYFILE", "KEYPASSFD", "CAFILE", "CADIR",
		"SSL_CERT_FILE", "SSL_CERT_DIR", "AUTHCLEAR", "AUTHFD":
		return true
	case "TLSHOST":
		return false
	}
	return strings.HasPrefix(name, "TLS")
}

// systemRoots are where Go looks for the system roots on Linux when
// SSL_CERT_FILE and SSL_CERT_DIR are unset (crypto/x509): the first of
// the files that exists, and every folder.
var (
	systemRootFiles = []string{"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
		"/etc/ssl/ca-bundle.pem", "/etc/pki/tls/cacert.pem", "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/ssl/cert.pem"}
	systemRootDirs = []string{"/etc/ssl/certs", "/etc/pki/tls/certs"}
)

// SessionKey is the cache's key for a session of the speaker name (its
// argv name: smtpclient, qmtpclient, or tlswrap for SMTPS and QMTPS) to
// candidate c, which the speaker would run with sp: the hex SHA-256 of
// a text that holds the session's whole identity (issue 21
// item 2): the protocol and the speaker; the address, the port, and the
// source address domainips binds to (not the local port); the MX host
// name and what DNSSEC said of it (its TLSA records); the control lines
// that chose the route, the TLS rule (D9's rule beside its default for
// credentials), the client certificate and the source; the MTA-STS
// policy's id and mode when one applies and TLS-Required: No (D32); the
// AUTH user (never the password); the variables of sp.Env that keyVar
// names, sorted; and the identity (device, inode, size, modification
// time) of every file and folder those name, and of the system roots
// when a chain is checked against them: a certificate or CA replaced
// on disk is a new key. A file changed in place inside a CA folder
// keeps the folder's identity; one added, removed or renamed into it
// changes it.
func (p *Plan) SessionKey(c Candidate, sp Speaking, name string) string {
	sum := sha256.Sum256([]byte(p.sessionText(c, sp, name)))
	return hex.EncodeToString(sum[:])
}

// sessionText is the text SessionKey hashes: each part with the length
// of its value, so that no two lists of parts give the same text.
func (p *Plan) sessionText(c Candidate, sp Speaking, name string) string {
	var b strings.Builder
	for _, part := range p.SessionParts(c, sp, name) {
		b.WriteString(part.Name + " " + strconv.Itoa(len(part.Value)) + ":" + part.Value + "\n")
	}
	return b.String()
}

// A KeyPart is one part of a session's identity.
type KeyPart struct{ Name, Value string }

// SessionParts are the parts SessionKey is made of, in order, for
// qmail-rcheck to show: none of them is a secret.
func (p *Plan) SessionParts(c Candidate, sp Speaking, name string) []KeyPart {
	var parts []KeyPart
	put := func(field, value string) { parts = append(parts, KeyPart{field, value}) }
	put("key", "1")
	put("proto", p.Route.Proto)
	put("speaker", name)
	put("addr", c.Addr.String())
	put("port", strconv.Itoa(p.Route.Port))
	put("source", Local(p.Src.Bind, c.Addr).String())
	put("name", c.Name)
	put("mxsecure", strconv.FormatBool(c.MXSecure))
	put("addrsecure", strconv.FormatBool(c.DANE.AddrSecure))
	put("tlsafailed", strconv.FormatBool(c.DANE.Failed))
	put("tlsabase", c.DANE.Base)
	put("tlsa", c.DANE.TLSA)
	put("route", p.Route.Where)
	put("relay", strconv.FormatBool(p.Route.Relay))
	if p.Route.Relay {
		put("routehost", p.Route.Host) // the relay; by MX, the domain is no part (keyVar)
	}
	put("tlsrule", p.TLS.Key+" "+p.TLS.Where)
	put("tlsruleauth", p.TLSRule.Key+" "+p.TLSRule.Where+" "+strconv.FormatBool(p.TLS.ForAuth))
	put("domaincerts", p.Cert.Where)
	put("domainips", p.Src.Where)
	if p.STS != nil {
		put("mtasts", p.STS.ID+" "+p.STS.Policy.Mode.String())
	} else {
		put("mtasts", "")
	}
	put("tlsrequiredno", strconv.FormatBool(p.TLSRequiredNo))
	put("authuser", p.Route.User)
	// Every occurrence, in the order of the environment within a name
	// (a name twice is unusual, but getenv in the stage sees one of
	// them, so both count).
	vars := map[string]string{}
	var kvs []string
	for _, kv := range sp.Env {
		n, v, _ := strings.Cut(kv, "=")
		if keyVar(n) {
			kvs = append(kvs, kv)
			if _, seen := vars[n]; !seen {
				vars[n] = v // as Go's getenv: the first
			}
		}
	}
	slices.SortStableFunc(kvs, func(a, b string) int {
		an, _, _ := strings.Cut(a, "=")
		bn, _, _ := strings.Cut(b, "=")
		return strings.Compare(an, bn)
	})
	for _, kv := range kvs {
		put("env", kv)
	}
	for _, kv := range kvs {
		n, v, _ := strings.Cut(kv, "=")
		switch n {
		case "CERTFILE", "KEYFILE", "CAFILE", "CADIR", "SSL_CERT_FILE":
			if v != "" {
				putFile(put, n, v)
			}
		case "SSL_CERT_DIR":
			for _, d := range strings.Split(v, ":") {
				if d != "" {
					putFile(put, n, d)
				}
			}
		}
	}
	if systemRoots(vars) {
		if _, ok := vars["SSL_CERT_FILE"]; !ok {
			for _, f := range systemRootFiles {
				if putFile(put, "roots", f) {
					break
				}
			}
		}
		if _, ok := vars["SSL_CERT_DIR"]; !ok {
			for _, d := range systemRootDirs {
				putFile(put, "rootdir", d)
			}
		}
	}
	return parts
}

// systemRoots tells whether tlswrap checks a chain against the system
// roots: a chain check without CAFILE or CADIR.
func systemRoots(vars map[string]string) bool {
	switch vars["TLS_VERIFY"] {
	case "cert", "name", "wildcard":
		return cmp.Or(vars["CAFILE"], vars["CADIR"]) == ""
	}
	return false
}

// putFile adds the identity of the file at path to h: device, inode,
// size and modification time, or why there is none. It tells whether
// the file exists.
func putFile(put func(field, value string), field, path string) bool {
	id := ""
	fi, err := os.Stat(path)
	switch {
	case err == nil:
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			id = strconv.FormatUint(uint64(st.Dev), 10) + " " + strconv.FormatUint(uint64(st.Ino), 10) + " "
		}
		id += strconv.FormatInt(fi.Size(), 10) + " " + strconv.FormatInt(fi.ModTime().UnixNano(), 10)
	case errors.Is(err, fs.ErrNotExist):
		id = "missing"
	default:
		id = "error " + err.Error()
	}
	put("file "+field, path+" "+id)
	return err == nil
}

// Cacheable tells whether a session to candidate c may come from the
// cache or go back to it: SMTP in clear text or after STARTTLS, never
// SMTPS (tlswrap -i ends with its speaker) nor QMTP.
func (p *Plan) Cacheable(c Candidate) bool {
	return p.Route.Proto == route.SMTP && !p.SMTPSTo(c)
}
