package literal

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"[192.0.2.7]", "192.0.2.7"},
		{"192.0.2.7", "192.0.2.7"},
		{"[2001:db8::7]", "2001:db8::7"},
		{"[IPv6:2001:db8::7]", "2001:db8::7"},
		{"[ipv6:2001:DB8::7]", "2001:db8::7"},
		{"[::ffff:192.0.2.7]", "192.0.2.7"},
		{"[IPv6:::ffff:192.0.2.7]", "192.0.2.7"},
		{"[IPv6:192.0.2.7]", ""},
		{"2001:db8::7", ""},
		{"[192.0.2.256]", ""},
		{"192.0.2", ""},
		{"[192.0.2.7", ""},
		{"192.0.2.7]", ""},
		{"example.com", ""},
		{"[fe80::1%eth0]", ""},
		{"", ""},
		{"[]", ""},
	}
	for _, tt := range tests {
		a, ok := Parse(tt.in)
		got := ""
		if ok {
			got = a.String()
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseRelay(t *testing.T) {
	for in, want := range map[string]string{
		"2001:db8::7":       "2001:db8::7",
		"::1":               "::1",
		"[::1]":             "::1",
		"[IPv6:::1]":        "::1",
		"192.0.2.7":         "192.0.2.7",
		"::ffff:192.0.2.7":  "192.0.2.7",
		"fe80::1%eth0":      "",
		"relay.example.com": "",
		"2001:db8::7:25":    "2001:db8::7:25", // eight groups: an address, not a port
		"2001:db8::7;25":    "",
		"[2001:db8::7]:25":  "",
		"IPv6:2001:db8::7":  "",
	} {
		a, ok := ParseRelay(in)
		got := ""
		if ok {
			got = a.String()
		}
		if got != want {
			t.Errorf("ParseRelay(%q) = %q, want %q", in, got, want)
		}
	}
}
