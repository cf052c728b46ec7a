package tlspolicy

import (
	"strings"
	"testing"
)

// TestParseValue covers every value form of SPEC 4.9.2's tolerant parse.
func TestParseValue(t *testing.T) {
	const u = DepthUnset
	tests := []struct {
		value string
		want  params
	}{
		// 1. empty
		{"", params{depth: u}},
		// 2. the port shortcut
		{":", params{depth: u}},
		{";", params{depth: u}},
		{":25", params{depth: u, port: 25}},
		{";465", params{depth: u, port: 465}},
		{":00026", params{depth: u, port: 26}},
		// 3. F1 only
		{"/etc/ssl/ca.pem", params{f1: "/etc/ssl/ca.pem", depth: u}},
		{"/etc/ssl/certs/", params{f1: "/etc/ssl/certs/", depth: u}},
		// depth/port forms in F2
		{"ca|3", params{f1: "ca", depth: 3}},
		{"ca|0", params{f1: "ca", depth: 0}},
		{"ca|3:465", params{f1: "ca", depth: 3, port: 465}},
		{"ca|:465", params{f1: "ca", depth: u, port: 465}},
		{"ca|3;465", params{f1: "ca", depth: 3, port: 465}},
		{"ca|;465", params{f1: "ca", depth: u, port: 465}},
		{"ca|3:", params{f1: "ca", depth: 3}},
		{"ca|:", params{f1: "ca", depth: u}},
		// depth/port forms in F3
		{"ca||3", params{f1: "ca", depth: 3}},
		{"ca||3:26", params{f1: "ca", depth: 3, port: 26}},
		{"ca||:26", params{f1: "ca", depth: u, port: 26}},
		{"ca||3;26", params{f1: "ca", depth: 3, port: 26}},
		{"ca||;26", params{f1: "ca", depth: u, port: 26}},
		// F2 numeric, F3 not: depth/port = F2, ciphers = F3
		{"ca|3|HIGH", params{f1: "ca", depth: 3, ciphers: "HIGH"}},
		{"ca||!SSLv2:HIGH", params{f1: "ca", depth: u, ciphers: "!SSLv2:HIGH"}},
		// F3 numeric, F2 not: depth/port = F3, ciphers = F2
		{"ca|HIGH|3;26", params{f1: "ca", depth: 3, port: 26, ciphers: "HIGH"}},
		{"ca|HIGH", params{f1: "ca", depth: u, ciphers: "HIGH"}},
		{"|aNULL:!kRSA", params{depth: u, ciphers: "aNULL:!kRSA"}},
		{"ca|3:4:5", params{f1: "ca", depth: u, ciphers: "3:4:5"}}, // two separators: not numeric
		// both numeric: F2 if non-empty, else F3; no ciphers
		{"ca|3|4", params{f1: "ca", depth: 3}},
		{"ca||4", params{f1: "ca", depth: 4}},
		{"ca||", params{f1: "ca", depth: u}},
		// F4, the sender domain, is the rest of the line
		{"ca|||example.net", params{f1: "ca", depth: u, domain: "example.net"}},
		{"ca|2||example.net|x", params{f1: "ca", depth: 2, domain: "example.net|x"}},
		// the pin of a '%' rule stays in F1, colons and all
		{"=AB:CD:ef|HIGH", params{f1: "=AB:CD:ef", depth: u, ciphers: "HIGH"}},
	}
	for _, tt := range tests {
		got, err := parseValue(tt.value, "L")
		if err != nil || got != tt.want {
			t.Errorf("parseValue(%q) = %+v, %v\n want %+v", tt.value, got, err, tt.want)
		}
	}
}

func TestParseValueErrors(t *testing.T) {
	tests := []struct{ value, want string }{
		{":0", `L: bad port "0"`},
		{";65536", `L: bad port "65536"`},
		{":x", `L: bad port "x"`},
		{":35|example.net", `L: bad port "35|example.net"`},
		{":999999999999999999999", `L: bad port "999999999999999999999"`},
		{"ca|3:0", `L: bad port "0"`},
		{"ca||;70000", `L: bad port "70000"`},
		{"ca|101", `L: bad depth "101"`},
		{"ca|99999999999999999999999", `L: bad depth "99999999999999999999999"`},
		{"ca|HIGH|MEDIUM", `L: bad depth "MEDIUM"`},
		{"ca|HIGH|3x", `L: bad depth "3x"`},
		{"ca\x00", "L: NUL, CR or LF in the value"},
		{"ca|HIGH\r", "L: NUL, CR or LF in the value"},
		{"\n", "L: NUL, CR or LF in the value"},
	}
	for _, tt := range tests {
		_, err := parseValue(tt.value, "L")
		if err == nil || err.Error() != tt.want {
			t.Errorf("parseValue(%q) error = %v, want %s", tt.value, err, tt.want)
		}
	}
}

func TestPin(t *testing.T) {
	for f1, want := range map[string]string{
		"=E4:41:94:c5":            "E44194c5",
		"=ab":                     "ab", // wrong length: tlswrap's pinlen, not a syntax error
		"=0123456789abcdefABCDEF": "0123456789abcdefABCDEF",
	} {
		if got, err := (params{f1: f1}).pin("L"); err != nil || got != want {
			t.Errorf("pin(%q) = %q, %v; want %q", f1, got, err, want)
		}
	}
	for _, f1 := range []string{"", "=", "=::", "AB:CD", "/etc/ssl/ca", "=E44194C56EF...", "=xyz", "= AB"} {
		_, err := (params{f1: f1}).pin("L")
		if err == nil || !strings.HasPrefix(err.Error(), "L: ") {
			t.Errorf("pin(%q): err = %v, want a syntax error naming the line", f1, err)
		}
	}
}

func TestNumeric(t *testing.T) {
	for s, want := range map[string]bool{
		"": true, "3": true, "3:465": true, ":465": true, "3;465": true, ";": true, ":": true, "3:": true,
		"3:4:5": false, "3;4:5": false, "HIGH": false, "3x": false, " 3": false, "-1": false,
	} {
		if numeric(s) != want {
			t.Errorf("numeric(%q) = %v", s, !want)
		}
	}
}
