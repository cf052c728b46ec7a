// Package mtasts holds what qmail-remote, mxlookup and stsfetch share of
// MTA-STS (RFC 8461, SPEC D31): the parsers of the _mta-sts TXT record
// and of the policy file, the match of an MX host against the policy's
// mx patterns, and the cache of policies under queue/lock/mtasts/. It
// does no I/O on the network.
package mtasts

import (
	"bytes"
	"errors"
	"strings"
)

// MaxID is the longest policy id (RFC 8461 3.1: 1 to 32 letters and
// digits).
const MaxID = 32

var errTXT = errors.New("not a valid STSv1 record")

// ParseTXT returns the id of one _mta-sts TXT record (its strings
// already joined, RFC 8461 3.1):
//
//	v=STSv1; id=20160831085700Z; ext=value
//
// The version comes first, exactly so; fields are separated by ";"
// with optional spaces and tabs around it, none around "="; extension fields are checked for their
// syntax and otherwise ignored; a trailing ";" is allowed.
func ParseTXT(rec string) (id string, err error) {
	fields := strings.Split(rec, ";")
	last := len(fields) - 1 // the one field no ";" follows
	if n := len(fields); n > 1 && strings.Trim(fields[n-1], " \t") == "" {
		fields = fields[:n-1] // the optional final delimiter
	}
	for i, f := range fields {
		if i > 0 {
			f = strings.TrimLeft(f, " \t")
		}
		if i < last {
			f = strings.TrimRight(f, " \t")
		}
		name, value, ok := strings.Cut(f, "=")
		if !ok {
			return "", errTXT
		}
		switch {
		case i == 0:
			if name != "v" || value != "STSv1" {
				return "", errTXT
			}
		case name == "id":
			if id != "" || !ValidID(value) {
				return "", errTXT
			}
			id = value
		case !extName(name) || !extValue(value):
			return "", errTXT
		}
	}
	if id == "" {
		return "", errTXT
	}
	return id, nil
}

// SelectTXT applies RFC 8461 3.1 to every TXT record of _mta-sts.<domain>:
// records that do not begin with "v=STSv1;" are discarded, and unless
// exactly one remains and it is valid, the domain has no policy (ok is
// false).
func SelectTXT(recs []string) (id string, ok bool) {
	var sts []string
	for _, r := range recs {
		if strings.HasPrefix(r, "v=STSv1;") {
			sts = append(sts, r)
		}
	}
	if len(sts) != 1 {
		return "", false
	}
	id, err := ParseTXT(sts[0])
	return id, err == nil
}

// ValidID tells whether s can be a policy id: 1 to 32 letters and digits.
func ValidID(s string) bool {
	if s == "" || len(s) > MaxID {
		return false
	}
	for _, c := range []byte(s) {
		if !alnum(c) {
			return false
		}
	}
	return true
}

// extName: (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".").
func extName(s string) bool {
	if s == "" || len(s) > 32 || !alnum(s[0]) {
		return false
	}
	for _, c := range []byte(s) {
		if !alnum(c) && c != '_' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// extValue: 1*(%x21-3A / %x3C / %x3E-7E): printable, no ";" and no "=".
func extValue(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c < 0x21 || c > 0x7e || c == ';' || c == '=' {
			return false
		}
	}
	return true
}

func alnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// CutIDLine takes the "mta-sts ID" line that mxlookup -s prints before
// the candidates (mxlookup.8), when there is one: the id ("" when the
// line is missing or its id is not valid) and the rest of out.
func CutIDLine(out []byte) (id string, rest []byte) {
	rest, ok := bytes.CutPrefix(out, []byte("mta-sts "))
	if !ok {
		return "", out
	}
	line, rest, _ := bytes.Cut(rest, []byte("\n"))
	if ValidID(string(line)) {
		id = string(line)
	}
	return id, rest
}
