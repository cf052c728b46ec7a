// Package tlspolicy decides, from control/tlsdestinations and
// control/domaincerts, whether and how qmail-remote uses TLS for one
// destination, and turns the decision into the TLS_* variables that
// tlswrap reads (tlswrap.8). Pure functions: no I/O,
// no crypto. See SPEC 4.1, 4.9, 4.10 and decisions D6, D7, D15, D16.
package tlspolicy

import (
	"strings"

	"qmail-remote-go/lib/control"
	"qmail-remote-go/lib/handoff"
)

// Level says whether TLS is used.
type Level int

const (
	Never Level = iota // no STARTTLS, even if offered ('!' rules)
	Try                // opportunistic: STARTTLS if offered, clear text otherwise
	Must               // mandatory: no TLS, no delivery to this address (D8)
)

// String gives the value of smtpclient's TLS variable: no, try, must.
func (l Level) String() string {
	switch l {
	case Never:
		return "no"
	case Try:
		return "try"
	case Must:
		return "must"
	}
	return "unknown"
}

// Verify says what is checked about the server's certificate.
type Verify int

const (
	None     Verify = iota // nothing: encryption only ('*', '-' rules; D15: no anonymous DH in Go)
	Chain                  // the chain must verify (TLS_VERIFY=cert)
	Name                   // chain + exact name ('=' rules)
	Wildcard               // chain + name, "*.example.com" accepted ('~' rules)
	Pin                    // the leaf's fingerprint ('%' rules); the chain is not checked
)

// String gives the value of tlswrap's TLS_VERIFY.
func (v Verify) String() string {
	switch v {
	case None:
		return handoff.VerifyNone
	case Chain:
		return handoff.VerifyCert
	case Name:
		return handoff.VerifyName
	case Wildcard:
		return handoff.VerifyWildcard
	case Pin:
		return handoff.VerifyPin
	}
	return "unknown"
}

// DepthUnset is Policy.Depth when the line gives no verify depth (tlswrap
// then uses its default, 1). 0 is a real depth: no intermediate CA.
const DepthUnset = -1

// SMTPSPort is the port that means TLS at connect instead of STARTTLS.
const SMTPSPort = 465

// A Policy is the TLS decision for one destination.
type Policy struct {
	Level   Level
	Verify  Verify
	CAFile  string // PEM file of trusted CAs, as written
	CADir   string // a CA value ending in '/' is a folder
	Depth   int    // verify depth; DepthUnset when not given
	Ciphers string // OpenSSL cipher string as written
	Port    int    // 0: not given
	Pin     string // hex, colons removed, case kept
	// Key is the table key that matched, lower case ("!.example.com",
	// "*"), "" for the built-in default. It tells a '!' rule naming the
	// host from a sender-domain mismatch (both Never), for D9.
	Key   string
	Where string // "control/tlsdestinations line N"; "" for the built-in default
	// Explicit is true when the rule is keyed on the host or a .suffix
	// of it, not a '*' form nor the default: only such a rule may
	// weaken the TLS of a route with credentials (D9).
	Explicit bool
	// ForAuth is true when the policy is D9's default for a route with
	// credentials (ForCredentials), not a rule.
	ForAuth bool
}

// Default is the policy when control/tlsdestinations is absent or no
// rule matches: opportunistic STARTTLS, certificate not checked.
var Default = Policy{Level: Try, Verify: None, Depth: DepthUnset}

// rule is what a key form means before the value adds to it.
type rule struct {
	level  Level
	verify Verify
	caCert bool // plain rules: Verify Chain when a CA file/dir is given
	pin    bool // '%' rules: F1 is "=fingerprint"
}

// Select returns the policy for host, the destination after routing
// (the relay, or the recipient domain or literal), for a message from
// sender. t is control/tlsdestinations; exists is false when the file is
// absent. Keys match ASCII-case-insensitively (control.Table).
//
// Team decision (D7, which overrides SPEC 4.9's "absent: TLS is never
// used", and the no-match rule): opportunistic STARTTLS is
// the baseline. An absent file acts as if it held "*:", and a file in
// which no rule matches the host also gives Try: the file only adds
// rules. "!*:" or "!:" turns TLS off for every destination.
//
// The first match wins, in this order (D28, which overrides sq3's
// order of SPEC 4.9.1 where "!*" came second): every rule keyed on the
// host or a suffix of it before every '*' form, so a global "!*" turns
// off only the default:
//
//	!host, !.suffix          never (the value is ignored, but its 4th field)
//	%host                    must, pin
//	=host                    must, chain + exact name
//	~host, ~.suffix          must, chain + name, wildcards ok
//	host, .suffix            must; chain if a CA file/dir is given
//	-host, -.suffix          must, nothing checked (D15)
//	!*, !                    never (the value is ignored, but its 4th field)
//	=*  ~*  +*  -*           must: name, wildcard, chain, nothing
//	*                        try, nothing checked
//	-                        try, nothing checked
//
// "*" is Try+None even when the line gives a CA: an opportunistic
// session that fails verification falls back to clear text (D8), so
// checking the chain there would only make mail less private. A
// suffix lookup here does not try the empty key (a line starting with
// ':'); the '*' forms are the defaults. Rules of the first six lines
// are Explicit (D9).
//
// A rule whose 4th field names a sender domain applies only when the
// envelope sender's domain equals it; otherwise it is skipped and the
// next matching rule, or the default, applies (D28).
//
// The error names the line, e.g. `control/tlsdestinations line 3: bad
// port "x"`; the caller reports "ZSyntax error in <err>. (#4.3.5)".
func Select(t control.Table, exists bool, host, sender string) (Policy, error) {
	if !exists {
		return Default, nil
	}
	host = control.Host(host) // SPEC D27, as the keys (control.HostTableOf)
	type form struct {
		keys     []string
		r        rule
		explicit bool // keyed on the host
	}
	never := rule{level: Never}
	forms := []form{
		{suffixKeys("!", host), never, true},
		{exactKey("%", host), rule{level: Must, verify: Pin, pin: true}, true},
		{exactKey("=", host), rule{level: Must, verify: Name}, true},
		{suffixKeys("~", host), rule{level: Must, verify: Wildcard}, true},
		{suffixKeys("", host), rule{level: Must, verify: None, caCert: true}, true},
		{suffixKeys("-", host), rule{level: Must, verify: None}, true},
		{[]string{"!*", "!"}, never, false},
		{[]string{"=*"}, rule{level: Must, verify: Name}, false},
		{[]string{"~*"}, rule{level: Must, verify: Wildcard}, false},
		{[]string{"+*"}, rule{level: Must, verify: Chain}, false},
		{[]string{"-*"}, rule{level: Must, verify: None}, false},
		{[]string{"*"}, rule{level: Try, verify: None}, false},
		{[]string{"-"}, rule{level: Try, verify: None}, false},
	}
	for _, f := range forms {
		for _, k := range f.keys {
			e, ok := t.Get(k)
			if !ok {
				continue
			}
			if f.r.level == Never {
				if !forSender(neverDomain(e.Value), sender) {
					continue // D28: not for this sender
				}
				return Policy{Level: Never, Depth: DepthUnset, Key: control.Lower(k), Where: e.Where, Explicit: f.explicit}, nil
			}
			p, skip, err := build(f.r, control.Lower(k), e, sender)
			if err != nil {
				return Policy{}, err
			}
			if skip {
				continue
			}
			p.Explicit = f.explicit
			return p, nil
		}
	}
	return Default, nil
}

// exactKey is prefix+host, or nothing for an empty host.
func exactKey(prefix, host string) []string {
	if host == "" {
		return nil
	}
	return []string{prefix + host}
}

// suffixKeys lists prefix+host, then prefix+each suffix of host that
// starts at a '.' (SPEC 4.1), most specific first. An empty host has
// no keys: "" would be the bare '!' or '-' key, which are their own forms.
func suffixKeys(prefix, host string) []string {
	if host == "" {
		return nil
	}
	keys := []string{prefix + host}
	for i := 1; i < len(host); i++ {
		if host[i] == '.' {
			keys = append(keys, prefix+host[i:])
		}
	}
	return keys
}

// build applies the value of the matched line to its rule; skip is true
// when the line's 4th field names another sender domain.
func build(r rule, key string, e control.Entry, sender string) (pol Policy, skip bool, err error) {
	p, err := parseValue(e.Value, e.Where)
	if err != nil {
		return Policy{}, false, err
	}
	pol = Policy{Level: r.level, Verify: r.verify, Depth: p.depth, Ciphers: p.ciphers,
		Port: p.port, Key: key, Where: e.Where}
	if r.pin {
		if pol.Pin, err = p.pin(e.Where); err != nil {
			return Policy{}, false, err
		}
	} else if strings.HasSuffix(p.f1, "/") {
		pol.CADir = p.f1
	} else {
		pol.CAFile = p.f1
	}
	if r.caCert && p.f1 != "" {
		pol.Verify = Chain
	}
	if !forSender(p.domain, sender) {
		return Policy{}, true, nil // D28: not for this sender
	}
	return pol, false, nil
}

// forSender tells whether a rule whose 4th field is domain applies to
// a message from sender: always when the field is empty, else only when
// the sender's domain equals it (D28).
func forSender(domain, sender string) bool {
	return domain == "" || control.Lower(domain) == control.Lower(senderDomain(sender))
}

// neverDomain is the 4th field of a '!' rule's value, which is all of
// it that counts: the rest is ignored (SPEC 4.9.1), even when it would
// not parse. Without it, "!relay:|||partner.example", meant for one
// sender domain, would turn TLS off, and with D9 send the password of
// every sender in clear text, for all of them (D28).
func neverDomain(v string) string {
	if v == "" || v[0] == ':' || v[0] == ';' {
		return ""
	}
	if f := strings.SplitN(v, "|", 4); len(f) == 4 {
		return f[3]
	}
	return ""
}

// senderDomain is the part of the envelope sender after its last '@',
// "" when there is none (the empty bounce sender, or no '@').
func senderDomain(sender string) string {
	i := strings.LastIndexByte(sender, '@')
	if i < 0 {
		return ""
	}
	return sender[i+1:]
}

// ForCredentials is the policy for a route with credentials (D9): the
// password goes only to a server whose certificate is verified. A rule
// keyed on the relay (Explicit) decides, so an admin can weaken it for
// one private relay; otherwise TLS is mandatory, the chain checked
// against the system roots (or the CA of a '*' form that checks chains)
// and the name against the relay (as "=relay"). The depth, ciphers and
// port of a '*' form stay.
func ForCredentials(p Policy) Policy {
	if p.Explicit {
		return p
	}
	q := Policy{Level: Must, Verify: Name, Depth: p.Depth, Ciphers: p.Ciphers, Port: p.Port,
		Key: p.Key, Where: p.Where, ForAuth: true}
	if p.Level == Must && (p.Verify == Chain || p.Verify == Name || p.Verify == Wildcard) {
		q.Verify, q.CAFile, q.CADir = max(p.Verify, Name), p.CAFile, p.CADir
	}
	return q
}
