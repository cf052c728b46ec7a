package addr

import "testing"

func TestMangle(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"bob@example.com", "bob@example.com"},
		{"a b@example.com", `"a b"@example.com`},                   // SPEC Appendix B 16
		{"#@[]", "#@[]"},                                           // double-bounce sender
		{"noat", "noat"},                                           // no '@': verbatim
		{"@example.com", `""@example.com`},                         // empty local part
		{".a@x", `".a"@x`},                                         // leading dot
		{"a.@x", `"a."@x`},                                         // trailing dot
		{"a..b@x", `"a..b"@x`},                                     // double dot
		{"a.b-c+d@x", "a.b-c+d@x"},                                 // dot-atom
		{`a"b\c@x`, `"a\"b\\c"@x`},                                 // quote and backslash escaped
		{"a\r\nb@x", "\"a\\\r\\\nb\"@x"},                           // CR LF escaped
		{"a@b@example.com", `"a@b"@example.com`},                   // split at the last '@'
		{"j\xc3\xbcrg@example.com", "\"j\xc3\xbcrg\"@example.com"}, // 8-bit forces quoting
		{"A-Z!#$%&'*+/=?^_`{|}~@Example.COM", "A-Z!#$%&'*+/=?^_`{|}~@Example.COM"},
		{"a(b)@x", `"a(b)"@x`},
	}
	for _, tt := range tests {
		if got := Mangle(tt.in); got != tt.want {
			t.Errorf("Mangle(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestMangleUTF8: SPEC D35. UTF-8 is atext; the ASCII reasons still
// quote, and a byte that is not valid UTF-8 quotes as in Mangle.
func TestMangleUTF8(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"josé@example", "josé@example"},
		{"j\xc3\xbcrg@example.com", "j\xc3\xbcrg@example.com"},
		{"用户@例子.广告", "用户@例子.广告"},
		{"δοκιμή.test@x", "δοκιμή.test@x"},
		{"😀@x", "😀@x"},               // 4-byte sequence
		{"a\uFFFDb@x", "a\uFFFDb@x"}, // U+FFFD itself is valid UTF-8
		{"bob@example.com", "bob@example.com"},
		{"josé smith@x", `"josé smith"@x`}, // a space: quoted, for the ASCII reason
		{"josé.@x", `"josé."@x`},
		{`jo"sé@x`, `"jo\"sé"@x`},
		{"@x", `""@x`},
		{"j\xfcrg@x", "\"j\xfcrg\"@x"},             // Latin-1, not UTF-8: quoted
		{"a\xc0\xa2b@x", "\"a\xc0\xa2b\"@x"},       // overlong '"': quoted
		{"a\xed\xa0\x80@x", "\"a\xed\xa0\x80\"@x"}, // a surrogate
		{"a\xc3@x", "\"a\xc3\"@x"},                 // cut short
		{"a@b@ex", `"a@b"@ex`},
	}
	for _, tt := range tests {
		if got := MangleUTF8(tt.in); got != tt.want {
			t.Errorf("MangleUTF8(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Without SMTPUTF8 nothing changes: 8-bit bytes quote.
	if got := Mangle("josé@example"); got != `"josé"@example` {
		t.Errorf("Mangle(josé@example) = %q", got)
	}
}

func TestHasLineBreak(t *testing.T) {
	for s, want := range map[string]bool{"a@b": false, "a\r@b": true, "a@b\n": true, "": false} {
		if HasLineBreak(s) != want {
			t.Errorf("HasLineBreak(%q) != %v", s, want)
		}
	}
}

// TestDomainOK: a domain that could end the path or add parameters never
// passes; the domains qmail sends for real mail do.
func TestDomainOK(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"", true},           // the null sender
		{"postmaster", true}, // no '@': BareOK's matter
		{"a@example.com", true},
		{"a@Example.COM.", true}, // a trailing dot, upper case
		{"a@mail_1.example", true},
		{"a@xn--mnchen-3ya.test", true},
		{"a@münchen.test", true}, // U-labels: judged as UTF-8 by the caller
		{"a@\xfc.test", true},    // likewise
		{"#@[]", true},           // qmail's double-bounce sender
		{"a@[192.0.2.7]", true},
		{"a@[IPv6:2001:db8::7]", true},
		{"a@[IPv6:::ffff:192.0.2.7]", true},
		{"a@", true},
		{"a@b>c@d", true}, // the last '@' splits: "b>c" is the local part, quoted
		{"a@b>", false},
		{"a@b> NOTIFY=NEVER", false},
		{"a@b NOTIFY=NEVER", false},
		{"a@b\tc", false},
		{"a@b\x00c", false},
		{"a@b\x7f", false},
		{"a@b<c", false},
		{`a@b"c`, false},
		{`a@b\c`, false},
		{"a@b,c", false},
		{"a@b:25", false},
		{"a@b;c", false},
		{"a@b(c)", false},
		{"a@b+c", false},
		{"a@[192.0.2.7", false},
		{"a@192.0.2.7]", false},
		{"a@[1.2.3.4]x", false},
		{"a@x[1.2.3.4]", false},
		{"a@[a>b]", false},
		{"a@[IPv6:1::2> SIZE=1]", false},
		{"a@[1 2]", false},
		{"a@[a]b]", false},
		{"a@[[a]", false},
		{`a@[a"b]`, false},
		{"a@[ü]", false},
	} {
		if got := DomainOK(tt.in); got != tt.want {
			t.Errorf("DomainOK(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestBareOK(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"", true},
		{"postmaster", true},
		{"MAILER-DAEMON", true},
		{"a.b+c", true},
		{"josé", true},  // UTF-8: the caller's SMTPUTF8 rules decide
		{"a@b c", true}, // has '@': DomainOK's matter
		{"a> SIZE=1", false},
		{"a b", false},
		{"a>", false},
		{"<a", false},
		{`"a"`, false},
		{".a", false},
		{"a..b", false},
		{"\xfc", false},
	} {
		if got := BareOK(tt.in); got != tt.want {
			t.Errorf("BareOK(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
