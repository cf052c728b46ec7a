package addr

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzMangle: no panic; the domain (after the last '@') is copied
// verbatim; the local part is either left as it is (a dot-atom) or
// quoted so that undoing the quoting gives it back; an address without
// '@' is unchanged; the output grows at most to 2n+2 bytes. The same for
// MangleUTF8, whose unquoted local parts are valid UTF-8.
func FuzzMangle(f *testing.F) {
	for _, s := range []string{"", "a@b", "a b@c", "\"x\"@y", "a\\b@c", "a\r\nRCPT TO:<x>@y", "@", "a@b@c", ".a@b", "a..b@c", "\xe9@x", "jos\xc3\xa9@x", "\xc0\xa2@x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkMangle(t, s, false)
		checkMangle(t, s, true)
	})
}

func checkMangle(t *testing.T, s string, utf bool) {
	m := mangle(s, utf)
	if len(m) > 2*len(s)+2 {
		t.Fatalf("%q -> %d bytes", s, len(m))
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		if m != s {
			t.Fatalf("%q -> %q", s, m)
		}
		return
	}
	local, domain := s[:at], s[at+1:]
	if !strings.HasSuffix(m, "@"+domain) {
		t.Fatalf("%q -> %q: domain changed", s, m)
	}
	ml := m[:len(m)-len(domain)-1]
	if ml == local {
		if !isDotAtom(local, utf) || utf && !utf8.ValidString(local) {
			t.Fatalf("%q left unquoted", local)
		}
		return
	}
	if len(ml) < 2 || ml[0] != '"' || ml[len(ml)-1] != '"' {
		t.Fatalf("%q -> %q: neither kept nor quoted", s, m)
	}
	var back []byte
	inner := ml[1 : len(ml)-1]
	for i := 0; i < len(inner); i++ {
		c := inner[i]
		switch c {
		case '\\':
			i++
			if i == len(inner) || strings.IndexByte("\r\n\"\\", inner[i]) < 0 {
				t.Fatalf("%q: stray backslash in %q", s, m)
			}
			c = inner[i]
		case '"', '\r', '\n':
			t.Fatalf("%q: unescaped %q in %q", s, c, m)
		}
		back = append(back, c)
	}
	if string(back) != local {
		t.Fatalf("%q -> %q unquotes to %q", s, m, back)
	}
}

// FuzzHasLineBreak: it is exactly "holds CR or LF".
func FuzzHasLineBreak(f *testing.F) {
	f.Add("a\rb")
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.IndexByte(s, '\r') >= 0 || strings.IndexByte(s, '\n') >= 0
		if HasLineBreak(s) != want {
			t.Fatalf("%q", s)
		}
	})
}

// FuzzPath: an address that DomainOK and BareOK let through, once
// mangled, cannot end the path early or reach the parameters: outside
// its quoted local part it holds no space, control byte, '<', '>', '"'
// or '\', and its quoted part closes just before the last '@'.
func FuzzPath(f *testing.F) {
	for _, s := range []string{"a@b", "a@b> SIZE=1", "a b@c", "#@[]", "a@[IPv6:::1]", "x> RET=FULL", "a@[a>b]", "a>@b", `"@b`, "josé@münchen"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if HasLineBreak(s) || !DomainOK(s) || !BareOK(s) {
			return
		}
		for _, utf := range []bool{false, true} {
			m := mangle(s, utf)
			rest := m
			if strings.HasPrefix(m, `"`) {
				end := strings.LastIndex(m, `"@`)
				if end <= 0 {
					t.Fatalf("%q -> %q: a quoted local part without its end", s, m)
				}
				rest = m[end+1:]
			}
			for i := 0; i < len(rest); i++ {
				if c := rest[i]; c <= ' ' || c == 0x7f || strings.IndexByte(`<>"\`, c) >= 0 {
					t.Fatalf("%q -> %q: %q outside the quotes", s, m, c)
				}
			}
		}
	})
}
