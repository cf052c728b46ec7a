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
	// check. Nothing sets it yet: mxlookup -t will (the DANE work).
	MXSecure bool
}

// ParseCandidates reads mxlookup's "PREF ADDRESS HOSTNAME" lines.
func ParseCandidates(out []byte) ([]Candidate, error) {
	var cands []Candidate
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		f := strings.Split(line, " ")
		if len(f) != 3 || f[2] == "" {
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
		cands = append(cands, Candidate{Pref: int(pref), Addr: addr.Unmap(), Name: f[2]})
	}
	if len(cands) == 0 {
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
// with -a the addresses of a relay.
func (p *Plan) MXLookupArgs() []string {
	if p.Route.Relay {
		return []string{"-a", p.Route.Host}
	}
	return []string{p.Route.Host}
}
