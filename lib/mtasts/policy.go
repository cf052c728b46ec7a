package mtasts

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// A Mode is what a policy asks of senders (RFC 8461 5).
type Mode int

// The modes. Enforce skips MX hosts the policy does not list and needs
// an authenticated TLS session with the others; Testing only reports
// what would have failed; None says the domain has no policy now.
const (
	None Mode = iota
	Testing
	Enforce
)

func (m Mode) String() string {
	switch m {
	case Enforce:
		return "enforce"
	case Testing:
		return "testing"
	}
	return "none"
}

// MaxAge caps max_age (RFC 8461 3.2: about one year).
const MaxAge = 31557600

// MaxPolicy bounds the policy body (SPEC D31).
const MaxPolicy = 64 * 1024

// A Policy is a parsed policy file.
type Policy struct {
	Mode   Mode
	MaxAge int64    // seconds, at most MaxAge
	MX     []string // patterns, lower case: "mx.example.net" or "*.example.net"
}

// ParsePolicy reads a policy file (RFC 8461 3.2): "key: value" lines
// ended by LF or CRLF. version (STSv1), mode and max_age are required,
// and mx (one line per pattern) unless the mode is none. The first of a
// repeated field other than mx counts; unknown fields are ignored; keys
// and the version and mode values are compared ignoring ASCII case, as
// ABNF strings are. A line without a colon, or a field whose value is
// not valid, makes the whole policy invalid: RFC 8461 3.2 treats it as
// no policy.
func ParsePolicy(body []byte) (Policy, error) {
	var p Policy
	if len(body) > MaxPolicy {
		return p, errors.New("policy longer than 64 KiB")
	}
	var version, mode, maxAge bool
	for n, line := range strings.Split(string(body), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if strings.Trim(line, " \t") == "" {
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			return p, fmt.Errorf("line %d: no colon", n+1)
		}
		value = strings.Trim(value, " \t")
		bad := func() (Policy, error) {
			return Policy{}, fmt.Errorf("line %d: invalid %s: %q", n+1, key, trunc(value))
		}
		switch strings.ToLower(key) {
		case "version":
			if !version {
				if !strings.EqualFold(value, "STSv1") {
					return bad()
				}
				version = true
			}
		case "mode":
			if !mode {
				switch strings.ToLower(value) {
				case "enforce":
					p.Mode = Enforce
				case "testing":
					p.Mode = Testing
				case "none":
					p.Mode = None
				default:
					return bad()
				}
				mode = true
			}
		case "max_age":
			if !maxAge {
				if value == "" || len(value) > 10 || strings.Trim(value, "0123456789") != "" {
					return bad()
				}
				age, _ := strconv.ParseInt(value, 10, 64)
				p.MaxAge = min(age, MaxAge)
				maxAge = true
			}
		case "mx":
			pat, ok := mxPattern(value)
			if !ok {
				return bad()
			}
			p.MX = append(p.MX, pat)
		}
	}
	switch {
	case !version:
		return Policy{}, errors.New("no version: STSv1")
	case !mode:
		return Policy{}, errors.New("no mode")
	case !maxAge:
		return Policy{}, errors.New("no max_age")
	case p.Mode != None && len(p.MX) == 0:
		return Policy{}, errors.New("no mx")
	}
	return p, nil
}

func trunc(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// mxPattern checks an mx value, ["*."] Domain (RFC 8461 3.2, RFC 5321
// 4.1.2), and returns it in lower case without a final dot.
func mxPattern(v string) (string, bool) {
	v = strings.ToLower(strings.TrimSuffix(v, "."))
	if !IsDomain(strings.TrimPrefix(v, "*.")) {
		return "", false
	}
	return v, true
}

// IsDomain tells whether s is a host name of letters, digits and
// hyphens (RFC 5321 4.1.2 Domain, A-labels for IDNs), at most 253
// bytes, labels of 1 to 63 that do not start or end with a hyphen. It
// is also what makes a domain safe as a cache file name.
func IsDomain(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range []byte(l) {
			if !alnum(c) && c != '-' {
				return false
			}
		}
	}
	return true
}

// Matches tells whether the MX host name matches one of the policy's
// mx patterns (RFC 8461 4.1): exactly, or "*." standing for exactly one
// label, ASCII case ignored and a final dot not counted.
func (p Policy) Matches(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "" {
		return false
	}
	for _, pat := range p.MX {
		if rest, ok := strings.CutPrefix(pat, "*."); ok {
			label, parent, ok := strings.Cut(host, ".")
			if ok && label != "" && parent == rest {
				return true
			}
		} else if host == pat {
			return true
		}
	}
	return false
}

// Bytes is the policy in canonical form, as the cache keeps it and as
// stsfetch prints it: it parses to the same Policy.
func (p Policy) Bytes() []byte {
	var sb strings.Builder
	fmt.Fprintf(&sb, "version: STSv1\nmode: %s\n", p.Mode)
	for _, mx := range p.MX {
		fmt.Fprintf(&sb, "mx: %s\n", mx)
	}
	fmt.Fprintf(&sb, "max_age: %d\n", p.MaxAge)
	return []byte(sb.String())
}
