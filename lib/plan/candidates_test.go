package plan

import (
	"net/netip"
	"reflect"
	"testing"

	"qmail-remote-go/lib/control"
)

func TestParseCandidates(t *testing.T) {
	got, err := ParseCandidates([]byte("10 192.0.2.7 mx1.example.test\n10 2001:db8::7 mx1.example.test\n20 ::ffff:192.0.2.8 mx2.example.test\n"))
	want := []Candidate{
		{Pref: 10, Addr: netip.MustParseAddr("192.0.2.7"), Name: "mx1.example.test"},
		{Pref: 10, Addr: netip.MustParseAddr("2001:db8::7"), Name: "mx1.example.test"},
		{Pref: 20, Addr: netip.MustParseAddr("192.0.2.8"), Name: "mx2.example.test"},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, bad := range []string{
		"", "\n", "10 192.0.2.7\n", "10 192.0.2.7 a b\n", "x 192.0.2.7 a\n", "-1 192.0.2.7 a\n",
		"65536 192.0.2.7 a\n", "10 192.0.2.300 a\n", "10 fe80::1%eth0 a\n", "10  192.0.2.7 a\n",
		"10 192.0.2.7 \n", "10 192.0.2.7 a\n\n",
	} {
		if c, err := ParseCandidates([]byte(bad)); err == nil {
			t.Errorf("ParseCandidates(%q) = %v, want an error", bad, c)
		}
	}
}

func TestWithoutMe(t *testing.T) {
	me := map[netip.Addr]bool{netip.MustParseAddr("127.0.0.1"): true}
	c := func(pref int, a string) Candidate {
		return Candidate{Pref: pref, Addr: netip.MustParseAddr(a), Name: "x"}
	}
	tests := []struct {
		in, want []Candidate
	}{
		{[]Candidate{c(10, "192.0.2.1"), c(20, "127.0.0.1")}, []Candidate{c(10, "192.0.2.1")}},
		{[]Candidate{c(10, "127.0.0.1"), c(20, "192.0.2.1")}, nil},
		{[]Candidate{c(10, "192.0.2.1"), c(10, "127.0.0.1")}, nil}, // equal preference to me: never
		{[]Candidate{c(0, "127.0.0.1")}, nil},
		{[]Candidate{c(10, "192.0.2.1"), c(20, "192.0.2.2")}, []Candidate{c(10, "192.0.2.1"), c(20, "192.0.2.2")}},
	}
	for _, tt := range tests {
		if got := WithoutMe(tt.in, me); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("WithoutMe(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestIpmeHasLoopback(t *testing.T) {
	me, err := Ipme()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"127.0.0.1", "0.0.0.0", "::"} {
		if !me[netip.MustParseAddr(a)] {
			t.Errorf("Ipme lacks %s", a)
		}
	}
}

// TestCheckSource: a domainips line checked alone gives the report
// qmail-remote gives when the line applies.
func TestCheckSource(t *testing.T) {
	e := func(v string) control.Entry { return control.Entry{Value: v, Where: "control/domainips line 3"} }
	for v, want := range map[string]string{
		"192.0.2.5|out.test":   "",
		"|out.test":            "",
		"::":                   "",
		"192.0.2.500":          "Invalid ipaddr in control/domainips (#4.3.0)\ncontrol/domainips line 3: \"192.0.2.500\" is not an IP address\n",
		"fe80::1%nosuchif0":    "Invalid ipaddr in control/domainips (#4.3.0)\ncontrol/domainips line 3: no interface nosuchif0\n",
		"192.0.2.5|out\r.test": "Syntax error in control/domainips line 3: a line break inside the name. (#4.3.5)\n",
	} {
		got := ""
		if f := CheckSource(e(v)); f != nil {
			got = f.Text
		}
		if got != want {
			t.Errorf("%q: %q, want %q", v, got, want)
		}
	}
}
