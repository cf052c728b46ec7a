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

func TestHasLineBreak(t *testing.T) {
	for s, want := range map[string]bool{"a@b": false, "a\r@b": true, "a@b\n": true, "": false} {
		if HasLineBreak(s) != want {
			t.Errorf("HasLineBreak(%q) != %v", s, want)
		}
	}
}
