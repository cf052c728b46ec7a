package main

import (
	"cmp"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"

	"qmail-remote-go/lib/dns"
	"qmail-remote-go/lib/literal"
	"qmail-remote-go/lib/report"
)

// A candidate is one line of output: an address to try and the MX
// preference and host name it came from.
type candidate struct {
	pref uint16
	addr netip.Addr
	host string
	sec  security // with -t (dane.go)
}

// maxCandidates bounds the output (qmail-remote reads at most 256 KB of it,
// and nobody tries a hundred hosts).
const maxCandidates = 100

// A resolver is what lookup needs of lib/dns.
type resolver interface {
	LookupMX(name string) ([]dns.MX, dns.Answer, error)
	LookupAddr(name string, t dns.Type) ([]netip.Addr, dns.Answer, error)
	LookupTLSA(name string) ([]dns.TLSA, dns.Answer, error)
}

// lookup returns the candidates for name: its mail exchangers, best
// first, or with addrOnly (a relay from smtproutes) its own addresses.
// With port (not 0) it also finds out for each host whether DANE
// applies (dane.go).
func lookup(r resolver, name string, addrOnly bool, port int) ([]candidate, *failure) {
	cands, f := candidates(r, name, addrOnly)
	if port != 0 && f == nil {
		withDANE(r, cands, port)
	}
	return cands, f
}

func candidates(r resolver, name string, addrOnly bool) ([]candidate, *failure) {
	if strings.Trim(name, ".") == "" {
		return nil, permHost(name)
	}
	if addrOnly {
		return implicit(r, name)
	}
	mxs, mxAns, err := r.LookupMX(name)
	switch {
	case err == nil && len(mxs) > 0:
	case err == nil, dns.KindOf(err) == dns.NXDomain, dns.KindOf(err) == dns.NoData:
		return implicit(r, name) // RFC 5321 5.1: no MX, the name is its own
	default:
		return nil, soft(name, err)
	}
	if len(mxs) == 1 && mxs[0].Host == "." { // RFC 7505 3: null MX
		return nil, nullMX(name)
	}
	return exchangers(r, name, order(mxs), mxAns.Secure)
}

// order sorts by preference, in random order among equal preferences
// (RFC 5321 5.1; SPEC A24): a shuffle, then a stable sort.
func order(mxs []dns.MX) []dns.MX {
	rand.Shuffle(len(mxs), func(i, j int) { mxs[i], mxs[j] = mxs[j], mxs[i] })
	slices.SortStableFunc(mxs, func(a, b dns.MX) int { return cmp.Compare(a.Pref, b.Pref) })
	return mxs
}

// exchangers lists the addresses of each MX in turn. An MX host that does
// not exist is skipped; one that fails temporarily is skipped too, but
// makes "no address" temporary (SPEC 3.2 step 4).
// mxSecure: the MX answer was authenticated (SPEC D16, D30).
func exchangers(r resolver, name string, mxs []dns.MX, mxSecure bool) ([]candidate, *failure) {
	var out []candidate
	var softErr error
	for _, mx := range mxs {
		if len(out) >= maxCandidates {
			break
		}
		if mx.Host == "." { // RFC 7505 4.3: a null MX among others names no host
			continue
		}
		addrs, as, err := addresses(r, mx.Host)
		if isTemp(err) && softErr == nil {
			softErr = err
		}
		sec := security{byMX: true, mx: mxSecure, addr: as.Secure, name: mx.Host, expanded: as.Name}
		for _, a := range addrs {
			out = append(out, candidate{mx.Pref, a, report.Safe(mx.Host), sec})
		}
	}
	switch {
	case len(out) > 0:
		return out[:min(len(out), maxCandidates)], nil
	case softErr != nil:
		return nil, soft(name, softErr)
	}
	return nil, noAddress()
}

// implicit makes name its own exchanger, preference 0 (RFC 5321 5.1).
func implicit(r resolver, name string) ([]candidate, *failure) {
	addrs, as, err := addresses(r, name)
	if len(addrs) == 0 {
		if isTemp(err) {
			return nil, soft(name, err)
		}
		return nil, permHost(name)
	}
	var out []candidate
	sec := security{addr: as.Secure, name: name, expanded: as.Name}
	for _, a := range addrs[:min(len(addrs), maxCandidates)] {
		out = append(out, candidate{0, a, report.Safe(name), sec})
	}
	return out, nil
}

// addresses returns the AAAA then the A records of host (sq3's order),
// or host itself when it is an address literal. The error, when there is
// no address, is a temporary one if either lookup had one. The Answer is
// secure when every lookup that gave addresses was (RFC 7672 2.2.2: an
// address an attacker could have added makes the host insecure); its
// Name is where a CNAME chain ended.
func addresses(r resolver, host string) ([]netip.Addr, dns.Answer, error) {
	if a, ok := literal.Parse(host); ok {
		return []netip.Addr{a}, dns.Answer{Name: host}, nil
	}
	six, ans6, err6 := r.LookupAddr(host, dns.TypeAAAA)
	four, ans4, err4 := r.LookupAddr(host, dns.TypeA)
	if addrs := append(six, four...); len(addrs) > 0 {
		ans := dns.Answer{Secure: (len(six) == 0 || ans6.Secure) && (len(four) == 0 || ans4.Secure), Name: ans4.Name}
		if len(six) > 0 {
			ans.Name = ans6.Name
		}
		return addrs, ans, nil
	}
	if isTemp(err6) {
		return nil, ans6, err6
	}
	return nil, ans4, err4
}

// isTemp tells whether err is a failure that may pass.
func isTemp(err error) bool {
	k := dns.KindOf(err)
	return err != nil && k != dns.NXDomain && k != dns.NoData
}
