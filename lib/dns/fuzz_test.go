package dns

import (
	"net/netip"
	"strings"
	"testing"
)

// FuzzServers: $DNSCACHEIP and resolv.conf are outside input to
// mxlookup. Neither parser panics; each gives at most MaxServers
// servers, none of them zero, IPv4-mapped or (from $DNSCACHEIP) zoned,
// and an error names $DNSCACHEIP with at most 40 quoted characters of the bad field (at most 4 bytes each once escaped).
func FuzzServers(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "127.0.0.1:5353, ::1 [::1]:53", "::ffff:1.2.3.4", "x", "fe80::1%eth0",
		"nameserver 192.0.2.1\nnameserver ::1\n#x\nnameserver\nsearch a\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		servers, err := parseServers(s)
		if err != nil {
			if servers != nil || !strings.Contains(err.Error(), "$DNSCACHEIP") || len(err.Error()) > 250 {
				t.Fatalf("%q: %v %v", s, servers, err)
			}
		}
		for _, list := range [][]netip.AddrPort{servers, nameservers([]byte(s))} {
			if len(list) > MaxServers {
				t.Fatalf("%d servers from %q", len(list), s)
			}
			for _, ap := range list {
				if !ap.IsValid() || ap.Addr().Is4In6() {
					t.Fatalf("server %v from %q", ap, s)
				}
			}
		}
		for _, ap := range servers {
			if ap.Addr().Zone() != "" && !strings.Contains(s, "%") {
				t.Fatalf("zone from nowhere: %v", ap)
			}
		}
	})
}
