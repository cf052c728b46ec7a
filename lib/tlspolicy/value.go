package tlspolicy

import (
	"fmt"
	"strings"
)

// params are the fields of one tlsdestinations value (SPEC 4.9.2).
type params struct {
	f1      string // cafile/cadir, or "=fingerprint" for '%' rules
	depth   int    // DepthUnset when not given
	port    int    // 0 when not given
	ciphers string
	domain  string // the 4th field: the sender domain the rule is limited to
}

// maxDepth bounds the verify depth; no real chain comes near it.
const maxDepth = 100

// parseValue is the tolerant parse of SPEC 4.9.2 (D6). It reproduces the
// intended reading of every published example of both the brief's
// (cafile|depth:port|ciphers|domain) and sq3's
// (cafile|ciphers|depth;port|domain) field orders:
//
//  1. empty value: no parameters;
//  2. a value starting with ':' or ';': the rest is the port, nothing else;
//  3. otherwise F1|F2|F3|F4 (F4 = the rest of the line); the "numeric"
//     one of F2 and F3 holds depth/port, the other the cipher string.
//
// where names the line for error texts.
func parseValue(v, where string) (params, error) {
	p := params{depth: DepthUnset}
	if strings.ContainsAny(v, "\x00\r\n") {
		// Values end up in the environment of tlswrap (tlswrap.8).
		return p, fmt.Errorf("%s: NUL, CR or LF in the value", where)
	}
	if v == "" {
		return p, nil
	}
	if v[0] == ':' || v[0] == ';' {
		err := p.setPort(v[1:], where)
		return p, err
	}
	fields := strings.SplitN(v, "|", 4)
	for len(fields) < 4 {
		fields = append(fields, "")
	}
	f2, f3 := fields[1], fields[2]
	p.f1, p.domain = fields[0], fields[3]
	var dp string
	switch n2, n3 := numeric(f2), numeric(f3); {
	case n2 && !n3:
		dp, p.ciphers = f2, f3
	case n3 && !n2:
		dp, p.ciphers = f3, f2
	case n2 && n3:
		dp = f2
		if dp == "" {
			dp = f3
		}
	default:
		// SPEC: ciphers = F2, no depth/port. Both fields are then
		// non-empty and not numeric: whichever order was meant, one of
		// them was the depth field. Dropping F3 silently would change
		// the policy the admin wrote, so it is a syntax error.
		return p, fmt.Errorf("%s: bad depth %q", where, f3)
	}
	if dp == "" {
		return p, nil
	}
	// dp is numeric: depth, depth:port, :port, depth;port or ;port.
	depth, port, hasPort := strings.Cut(dp, ":")
	if !hasPort {
		depth, port, hasPort = strings.Cut(dp, ";")
	}
	if depth != "" {
		n := 0
		for _, c := range []byte(depth) {
			n = n*10 + int(c-'0')
			if n > maxDepth {
				return p, fmt.Errorf("%s: bad depth %q", where, depth)
			}
		}
		p.depth = n
	}
	if hasPort {
		return p, p.setPort(port, where)
	}
	return p, nil
}

// setPort sets the port from s; an empty s leaves it unset, anything but
// 1-65535 is an error.
func (p *params) setPort(s, where string) error {
	if s == "" {
		return nil
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' || n > 65535 {
			return fmt.Errorf("%s: bad port %q", where, s)
		}
		n = n*10 + int(c-'0')
	}
	if n < 1 || n > 65535 {
		return fmt.Errorf("%s: bad port %q", where, s)
	}
	p.port = n
	return nil
}

// numeric reports whether s matches ^[0-9]*([:;][0-9]*)?$ (SPEC 4.9.2);
// the empty string is numeric.
func numeric(s string) bool {
	sep := false
	for _, c := range []byte(s) {
		switch {
		case c >= '0' && c <= '9':
		case (c == ':' || c == ';') && !sep:
			sep = true
		default:
			return false
		}
	}
	return true
}

// pin returns the fingerprint of a '%' rule: F1 is "=<hex>", colons are
// removed, case is kept. Its length is checked by tlswrap (kind pinlen).
func (p params) pin(where string) (string, error) {
	fp, ok := strings.CutPrefix(p.f1, "=")
	fp = strings.ReplaceAll(fp, ":", "")
	if !ok || fp == "" {
		return "", fmt.Errorf("%s: no fingerprint (want %%host:=<hex>)", where)
	}
	for _, c := range []byte(fp) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return "", fmt.Errorf("%s: bad fingerprint %q", where, p.f1[1:])
		}
	}
	return fp, nil
}
