package tlspolicy

import (
	"testing"

	"qmail-remote-go/lib/control"
)

// TestCheckKeys: SPEC D34, every form of Select passes; a key no host
// can match is a syntax error that names its line.
func TestCheckKeys(t *testing.T) {
	good := []string{"!", "-", "*", "!*", "=*", "~*", "+*", "-*", "mx.example.com", ".example.com",
		"!mx.example.com", "!.example.com", "%mx.example.com", "=mx.example.com", "~.example.com",
		"-.example.com", "[192.0.2.7]", "=[192.0.2.7]", "MX.Example.COM", "bücher.example", "_x.example"}
	for _, k := range good {
		if bad := CheckKeys([]control.Line{{Key: k, N: 1, Where: "w"}}); len(bad) != 0 {
			t.Errorf("%q: %v", k, bad[0])
		}
	}
	for k, want := range map[string]string{
		"":                 `an empty key matches no host (* is every host)`,
		"+mx.example.com":  `unknown key prefix "+" in "+mx.example.com" (prefixes: ! % = ~ - and +* alone)`,
		"^mx.example.com":  `unknown key prefix "^" in "^mx.example.com" (prefixes: ! % = ~ - and +* alone)`,
		"*.example.com":    `'*' stands alone (*, =*, ~*, +*, -*, !*), not in "*.example.com"`,
		"=*.example.com":   `'*' stands alone (*, =*, ~*, +*, -*, !*), not in "=*.example.com"`,
		"=":                `no host after "="`,
		"%":                `no host after "%"`,
		"mx example.com":   `white space in the key "mx example.com"`,
		"=mx.example.com|": `"|" cannot be in a host name: "=mx.example.com|"`,
	} {
		bad := CheckKeys([]control.Line{{Key: "ok.example"}, {Key: k, N: 3, Where: "control/tlsdestinations line 3"}})
		if len(bad) != 1 || bad[0].Error() != "control/tlsdestinations line 3: "+want || bad[0].N != 3 {
			t.Errorf("%q: got %v, want %q", k, bad, want)
		}
	}
}
