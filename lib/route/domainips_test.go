package route

import (
	"strings"
	"testing"

	"qmail-remote-go/lib/control"
)

// ips builds a control/domainips table from "key:value" lines.
func ips(lines ...string) control.Table {
	t := control.Table{}
	for i, l := range lines {
		k, v, _ := strings.Cut(l, ":")
		t[control.Lower(k)] = control.Entry{Value: v, Where: "control/domainips line " + string(rune('1'+i))}
	}
	return t
}

func TestDomainIPs(t *testing.T) {
	brief := ips("example.com:192.0.2.25|mail.example.com", ".example.net:198.51.100.9", ":192.0.2.1")
	tests := []struct {
		name   string
		t      control.Table
		sender string
		bind   string // "" for none
		helo   string
		where  string
	}{
		{"no file", ips(), "a@example.com", "", "", ""},
		{"exact domain, both parts", brief, "a@example.com", "192.0.2.25", "mail.example.com", "control/domainips line 1"},
		{"keys ignore ASCII case", brief, "a@EXAMPLE.Com", "192.0.2.25", "mail.example.com", "control/domainips line 1"},
		{".suffix matches a subdomain", brief, "a@mail.example.net", "198.51.100.9", "", "control/domainips line 2"},
		{".suffix does not match the domain itself", brief, "a@example.net", "192.0.2.1", "", "control/domainips line 3"},
		{"empty key: everybody else", brief, "a@other.org", "192.0.2.1", "", "control/domainips line 3"},
		{"empty key: the bounce sender", brief, "", "192.0.2.1", "", "control/domainips line 3"},
		{"the last '@' starts the domain", brief, `"x@other"@example.com`, "192.0.2.25", "mail.example.com", "control/domainips line 1"},
		{"* is the default (sq3)", ips("*:2001:db8::25|mx6.example.com"), "a@b.example", "2001:db8::25", "mx6.example.com", "control/domainips line 1"},
		{"the empty key before *", ips("*:192.0.2.8", ":192.0.2.9"), "a@b.example", "192.0.2.9", "", "control/domainips line 2"},
		{"a domain before *", ips("*:192.0.2.8", "b.example:192.0.2.9"), "a@b.example", "192.0.2.9", "", "control/domainips line 2"},
		{"helohost alone", ips(":|helo.example"), "a@b", "", "helo.example", "control/domainips line 1"},
		{"address alone, empty helohost", ips(":192.0.2.7|"), "a@b", "192.0.2.7", "", "control/domainips line 1"},
		{"0.0.0.0: no bind", ips(":0.0.0.0|helo.example"), "a@b", "", "helo.example", "control/domainips line 1"},
		{":: : no bind", ips(":::|helo.example"), "a@b", "", "helo.example", "control/domainips line 1"},
		{"an IPv4-mapped address is IPv4", ips(":::ffff:192.0.2.7"), "a@b", "192.0.2.7", "", "control/domainips line 1"},
		{"%ifname scope", ips(":fe80::1%eth0|ll.example"), "a@b", "fe80::1%eth0", "ll.example", "control/domainips line 1"},
		{"empty value: nothing", ips("b:"), "a@b", "", "", "control/domainips line 1"},
		{"a more specific empty value shields", ips("b:", ":192.0.2.1"), "a@b", "", "", "control/domainips line 1"},
	}
	for _, tt := range tests {
		s, err := DomainIPs(tt.t, tt.sender)
		bind := ""
		if s.Bind.IsValid() {
			bind = s.Bind.String()
		}
		if err != nil || bind != tt.bind || s.Helo != tt.helo || s.Where != tt.where {
			t.Errorf("%s: got %q %q %q, %v", tt.name, bind, s.Helo, s.Where, err)
		}
	}
}

func TestDomainIPsErrors(t *testing.T) {
	for _, v := range []string{"192.0.2.256", "mail.example.com", "192.0.2.1%eth0", "[192.0.2.1]", " 192.0.2.1", "192.0.2.1:25", "2001:db8::1%"} {
		_, err := DomainIPs(ips(":"+v+"|h"), "a@b")
		want := "control/domainips line 1: " + `"` + strings.Split(v, "|")[0] + `" is not an IP address`
		if err == nil || err.Error() != want {
			t.Errorf("%q: error %v, want %s", v, err, want)
		}
	}
}
