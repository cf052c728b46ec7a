package plan

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"qmail-remote-go/lib/literal"
)

// A Candidate is one address to try, in mxlookup's order.
type Candidate struct {
	Pref int
	Addr netip.Addr
	Name string // the MX host name, or the relay or host itself
	// MXSecure: the MX answer that named Name was DNSSEC-authenticated
	// (SPEC D16, D30), so Name may stand for the host in a certificate
	// check: mxlookup -t's flag m.
	MXSecure bool
	DANE     DANE // what else mxlookup -t said of the host (dane.go)
}

// ParseCandidates reads mxlookup's "PREF ADDRESS HOSTNAME" lines, or
// with -t "PREF ADDRESS HOSTNAME FLAGS" and "tlsa HOST BASE ..." lines
// (mxlookup.8). Every candidate flagged t gets its host's records;
// records without such a candidate, and a t without records, make the
// output malformed.
func ParseCandidates(out []byte) ([]Candidate, error) {
	var cands []Candidate
	hasTLSA := map[int]bool{}
	tlsa := map[string]*DANE{}
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		f := strings.Split(line, " ")
		if f[0] == "tlsa" {
			if !parseTLSALine(f) {
				return nil, strconv.ErrSyntax
			}
			d := tlsa[f[1]]
			if d == nil {
				d = &DANE{Base: f[2]}
				tlsa[f[1]] = d
			}
			if d.Base != f[2] || strings.Count(d.TLSA, ",") == maxTLSA-1 {
				return nil, strconv.ErrSyntax
			}
			if d.TLSA != "" {
				d.TLSA += ","
			}
			d.TLSA += strings.Join(f[3:], " ")
			continue
		}
		if len(f) != 3 && len(f) != 4 || f[2] == "" {
			return nil, strconv.ErrSyntax
		}
		pref, err := strconv.ParseUint(f[0], 10, 16)
		if err != nil {
			return nil, err
		}
		addr, err := netip.ParseAddr(f[1])
		if err != nil || addr.Zone() != "" {
			return nil, strconv.ErrSyntax
		}
		c := Candidate{Pref: int(pref), Addr: addr.Unmap(), Name: f[2]}
		if len(f) == 4 {
			var t, ok bool
			if c.MXSecure, c.DANE, t, ok = parseFlags(f[3]); !ok {
				return nil, strconv.ErrSyntax
			}
			hasTLSA[len(cands)] = t
		}
		cands = append(cands, c)
	}
	if len(cands) == 0 {
		return nil, strconv.ErrSyntax
	}
	used := map[string]bool{}
	for i := range cands {
		if !hasTLSA[i] {
			continue
		}
		d := tlsa[cands[i].Name]
		if d == nil {
			return nil, strconv.ErrSyntax
		}
		cands[i].DANE.Base, cands[i].DANE.TLSA = d.Base, d.TLSA
		used[cands[i].Name] = true
	}
	if len(used) != len(tlsa) {
		return nil, strconv.ErrSyntax
	}
	return cands, nil
}

// WithoutMe keeps the candidates whose preference is strictly better
// than the best one that names this machine: mail must not loop back
// (SPEC 3.6).
func WithoutMe(cands []Candidate, me map[netip.Addr]bool) []Candidate {
	prefme := 100000
	for _, c := range cands {
		if me[c.Addr] && c.Pref < prefme {
			prefme = c.Pref
		}
	}
	var keep []Candidate
	for _, c := range cands {
		if c.Pref < prefme {
			keep = append(keep, c)
		}
	}
	return keep
}

// Ipme returns the addresses of this machine's interfaces that are up,
// plus the unspecified addresses (SPEC 3.6 REC).
func Ipme() (map[netip.Addr]bool, error) {
	me := map[netip.Addr]bool{netip.IPv4Unspecified(): true, netip.IPv6Unspecified(): true}
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			return nil, err
		}
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				if ip, ok := netip.AddrFromSlice(n.IP); ok {
					me[ip.Unmap()] = true
				}
			}
		}
	}
	return me, nil
}

// Local is the address a connection to remote binds to: bind, the
// domainips address, when it has remote's family (sq3), else none
// (invalid).
func Local(bind, remote netip.Addr) netip.Addr {
	if bind.IsValid() && bind.Is4() == remote.Is4() {
		return bind
	}
	return netip.Addr{}
}

// Dial connects from local (when valid) to remote.
func Dial(ctx context.Context, local netip.Addr, remote netip.AddrPort) (net.Conn, error) {
	// No TCP keep-alive (Go's default turns it on, with three more
	// system calls): every read and write of the stage has its own
	// timeoutremote.
	d := net.Dialer{KeepAlive: -1}
	if local.IsValid() {
		d.LocalAddr = &net.TCPAddr{IP: local.AsSlice(), Zone: local.Zone()}
	}
	return d.DialContext(ctx, "tcp", remote.String())
}

// Literal is the one candidate of an address literal: the host itself,
// or a relay route's literal (smtproutes :2001:db8::1;25, sq3). ok is
// false when the destination is a name that mxlookup resolves.
func (p *Plan) Literal() (c Candidate, ok bool) {
	parse := literal.Parse
	if p.Route.Relay {
		parse = literal.ParseRelay
	}
	a, ok := parse(p.Route.Host)
	return Candidate{Pref: 0, Addr: a, Name: p.Route.Host}, ok
}

// MXLookupLimit bounds a run of mxlookup, whose own schedule of DNS
// retries ends well before it (mxlookup.8).
const MXLookupLimit = 150 * time.Second

// MXLookupArgs are mxlookup's arguments: an MX lookup of the host, or
// with -a the addresses of a relay; for SMTP with -t and the port: which
// answers were authenticated, and the TLSA records of the hosts whose
// were (SPEC D30).
func (p *Plan) MXLookupArgs() []string {
	var args []string
	if p.Route.Relay {
		args = []string{"-a"}
	}
	if port := p.DANEPort(); port != 0 {
		args = append(args, "-t", strconv.Itoa(port))
	}
	return append(args, p.Route.Host)
}
