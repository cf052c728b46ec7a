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
