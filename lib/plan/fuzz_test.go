package plan

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseCandidates: mxlookup's output is outside input to
// qmail-remote. Parsing never panics; it accepts nothing with more
// candidates than lines, no zoned or IPv4-mapped address, no empty name
// and no preference above 65535; and printing the candidates the way
// mxlookup does gives a text that parses to the same candidates.
func FuzzParseCandidates(f *testing.F) {
	for _, s := range []string{
		"10 192.0.2.7 mx1.example.test\n10 2001:db8::7 mx1.example.test\n20 ::ffff:192.0.2.8 mx2.example.test\n",
		"0 127.0.0.1 [127.0.0.1]\n", "", "\n", "10 192.0.2.7 a b\n", "010 192.0.2.7 a", "10 fe80::1%eth0 a\n",
		"tlsa mx.test mx.test 3 1 1 abcd\ntlsa mx.test mx.test 2 0 1 -\n10 192.0.2.7 mx.test mat\n20 192.0.2.8 mx2.test maf\n",
		"0 192.0.2.7 relay.test a\n0 192.0.2.9 x -\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, out []byte) {
		cands, err := ParseCandidates(out)
		if err != nil {
			if cands != nil {
				t.Fatalf("candidates %v with error %v", cands, err)
			}
			return
		}
		if len(cands) == 0 || len(cands) > strings.Count(string(out), "\n")+1 {
			t.Fatalf("%d candidates from %q", len(cands), out)
		}
		var back strings.Builder
		printed := map[string]bool{}
		for _, c := range cands {
			if c.Pref < 0 || c.Pref > 65535 || !c.Addr.IsValid() || c.Addr.Zone() != "" || c.Addr.Is4In6() || c.Name == "" || strings.ContainsAny(c.Name, " \n") {
				t.Fatalf("candidate %+v from %q", c, out)
			}
			d := c.DANE
			if (d.Base != "" || d.Failed) && !d.AddrSecure || d.Base != "" && (d.Failed || d.TLSA == "") {
				t.Fatalf("DANE %+v from %q", d, out)
			}
			flags := ""
			if c.MXSecure {
				flags += "m"
			}
			if d.AddrSecure {
				flags += "a"
			}
			if d.Failed {
				flags += "f"
			}
			if d.Base != "" {
				flags += "t"
				for _, r := range strings.Split(d.TLSA, ",") {
					if !printed[c.Name] {
						fmt.Fprintf(&back, "tlsa %s %s %s\n", c.Name, d.Base, r)
					}
				}
				printed[c.Name] = true
			}
			if flags == "" {
				flags = "-"
			}
			fmt.Fprintf(&back, "%d %s %s %s\n", c.Pref, c.Addr, c.Name, flags)
		}
		again, err := ParseCandidates([]byte(back.String()))
		if err != nil || !reflect.DeepEqual(again, cands) {
			t.Fatalf("%q -> %v; printed %q -> %v %v", out, cands, back.String(), again, err)
		}
	})
}
