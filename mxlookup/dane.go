package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"

	"qmail-remote-go/lib/dns"
	"qmail-remote-go/lib/report"
)

// security is what -t reports of a candidate's host (SPEC D30, RFC 7672
// section 2.2): whether its MX answer and address records were
// authenticated, and for a host whose were, its TLSA records.
type security struct {
	byMX     bool   // the host is an MX host (not an implicit MX, not -a)
	mx       bool   // the MX answer was authenticated (by MX only)
	addr     bool   // the host's address records were authenticated
	name     string // the host as the MX record (or the argument) gave it
	expanded string // where its address lookups' CNAME chain ended
	tlsa     *tlsaResult
}

// A tlsaResult is the outcome of the TLSA lookups for one host.
type tlsaResult struct {
	failed bool       // a lookup failed: the host must not be used now
	base   string     // the TLSA base domain the records were found at
	recs   []dns.TLSA // a secure RRset: DANE applies
}

// maxTLSA bounds the records printed per host, maxTLSAData the data of
// one (a full certificate, matching type 0, is rarely over 2 KB): a
// record past maxTLSAData is printed unusable ("-"), so the host can
// only fail, never pass unchecked. Together they keep the TLS_TLSA
// variable qmail-remote makes of them under Linux's 128 KiB for one
// string of the environment.
const (
	maxTLSA     = 16
	maxTLSAData = 2048
)

// withDANE looks up TLSA records for every host whose address records
// were authenticated, and by MX whose MX answer was too (RFC 7672
// 2.2.1, 2.2.2), once per host.
func withDANE(r resolver, cands []candidate, port int) {
	done := map[string]*tlsaResult{}
	for i := range cands {
		s := &cands[i].sec
		if !s.addr || s.byMX && !s.mx {
			continue
		}
		res, ok := done[s.name]
		if !ok {
			res = tlsaFor(r, s.name, s.expanded, port)
			done[s.name] = res
		}
		s.tlsa = res
	}
}

// tlsaFor looks up the TLSA records of host at port: at the name its
// address lookups' secure CNAME chain expanded it to first, then at the
// host itself (RFC 7672 2.2.3). A secure RRset is DANE; a denial or an
// insecure answer is no DANE; a failed lookup fails the host.
func tlsaFor(r resolver, host, expanded string, port int) *tlsaResult {
	bases := []string{host}
	if expanded != "" && !strings.EqualFold(expanded, host) {
		bases = []string{expanded, host}
	}
	for _, base := range bases {
		recs, ans, err := r.LookupTLSA("_" + strconv.Itoa(port) + "._tcp." + base)
		switch {
		case isTemp(err):
			return &tlsaResult{failed: true}
		case err == nil && len(recs) > 0 && ans.Secure:
			return &tlsaResult{base: base, recs: recs}
		}
	}
	return nil
}

// flags is the fourth field of a -t line (mxlookup.8): m for an
// authenticated MX answer, a for authenticated addresses, then t when
// TLSA lines follow for the host or f when its TLSA lookup failed; "-"
// for none of them.
func (s security) flags() string {
	f := ""
	if s.mx {
		f += "m"
	}
	if s.addr {
		f += "a"
	}
	switch {
	case s.tlsa != nil && s.tlsa.failed:
		f += "f"
	case s.tlsa != nil:
		f += "t"
	}
	if f == "" {
		return "-"
	}
	return f
}

// writeDANE prints the candidates as -t does: before the first line of a
// host with TLSA records, one line per record,
// "tlsa HOST BASE USAGE SELECTOR MATCHING DATA" (DATA in hex, "-" when
// empty or too long), then "PREF ADDRESS HOST FLAGS" per candidate.
func writeDANE(w io.Writer, cands []candidate) {
	printed := map[*tlsaResult]bool{}
	for _, c := range cands {
		if t := c.sec.tlsa; t != nil && !t.failed && !printed[t] {
			printed[t] = true
			for i, rec := range t.recs {
				data := "-"
				if i >= maxTLSA {
					break
				}
				if len(rec.Data) > 0 && len(rec.Data) <= maxTLSAData {
					data = hex.EncodeToString(rec.Data)
				}
				fmt.Fprintf(w, "tlsa %s %s %d %d %d %s\n", c.host, report.Safe(t.base),
					rec.Usage, rec.Selector, rec.MatchingType, data)
			}
		}
		fmt.Fprintf(w, "%d %s %s %s\n", c.pref, c.addr, c.host, c.sec.flags())
	}
}
