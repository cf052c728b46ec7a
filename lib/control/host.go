package control

import (
	"net/netip"
	"strings"

	"qmail-remote-go/lib/idna"
	"qmail-remote-go/lib/literal"
)

// Host is the one form of a host name that every lookup keyed on it
// uses (SPEC D27): one trailing dot removed, U-labels as A-labels (IDNA
// 2008, lib/idna), ASCII lower case. A name that is not valid IDNA keeps
// its bytes (lower-cased): it then matches only a key written the same
// way, as before.
//
// An address literal has one form too: "[192.0.2.1]" for IPv4 (written
// bare, bracketed, or IPv4-mapped as [IPv6:::ffff:192.0.2.1]) and
// "[ipv6:2001:db8::1]" for IPv6 in its shortest form, since each of
// those reaches the same address: otherwise a recipient written as
// r@[IPv6:::ffff:192.0.2.1] went around a rule for [192.0.2.1].
func Host(s string) string {
	if a, ok := literal.Parse(s); ok {
		return literalForm(a)
	}
	s = strings.TrimSuffix(s, ".")
	if !idna.IsASCII(s) {
		if a, err := idna.ToASCII(s); err == nil {
			s = a
		}
	}
	return Lower(s)
}

// HostKey is Host for the key of a table keyed on hosts (smtproutes,
// qmtproutes, tlsdestinations): a rule prefix (! % = ~ - +) and the
// leading '.' of a suffix stay, and so do "*", "@" forms and address
// literals, lower-cased. A rule written in either form of a name then
// matches either form of the host (D27).
func HostKey(k string) string {
	i := 0
	if i < len(k) && strings.IndexByte("!%=~-+", k[i]) >= 0 {
		i++
	}
	if i < len(k) && k[i] == '.' {
		i++
	}
	if a, ok := literal.Parse(k[i:]); ok {
		return Lower(k[:i]) + literalForm(a)
	}
	rest := k[i:]
	if rest == "" || strings.ContainsAny(rest, "*@[") {
		return Lower(k)
	}
	return Lower(k[:i]) + Host(rest)
}

// literalForm is the one form of an address literal (Host).
func literalForm(a netip.Addr) string {
	if a.Is4() {
		return "[" + a.String() + "]"
	}
	return "[ipv6:" + a.String() + "]"
}

// HostTableOf is TableOf for a table keyed on hosts: keys in HostKey's
// form, the last line of a key (in that form) wins.
func HostTableOf(lines []Line) Table {
	t := Table{}
	for _, l := range lines {
		t[HostKey(l.Key)] = Entry{l.Value, l.Where}
	}
	return t
}

// ReadHostTable is ReadTable with keys in HostKey's form.
func ReadHostTable(name string) (Table, error) {
	lines, bad, _, err := ReadLines(name)
	if err != nil {
		return Table{}, err
	}
	if len(bad) > 0 {
		return Table{}, bad[0]
	}
	return HostTableOf(lines), nil
}
