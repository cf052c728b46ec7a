package main

import (
	"bytes"

	"qmail-remote-go/lib/plan"
)

// A candidate is one address to try, in mxlookup's order.
type candidate = plan.Candidate

// candidates lists the addresses to try: a literal as it is, else what
// mxlookup prints; then the self-MX check of SPEC 3.6 unless a relay
// was chosen.
func (d *delivery) candidates() ([]candidate, *final) {
	var cands []candidate
	if c, ok := d.Literal(); ok {
		cands = []candidate{c}
	} else {
		var f *final
		if cands, f = d.mxlookup(); f != nil {
			return nil, f
		}
	}
	if d.Route.Relay {
		return cands, nil
	}
	return d.notMe(cands)
}

// mxlookup runs the mxlookup stage: an MX lookup of the host, or with -a
// the addresses of a relay (plan.MXLookupArgs). Its failure line becomes
// our report.
func (d *delivery) mxlookup() ([]candidate, *final) {
	args := d.MXLookupArgs()
	if d.stsDom != "" {
		args = append([]string{"-s"}, args...) // the MTA-STS id too (mtasts.go)
	}
	r := stage{name: "mxlookup", args: args, env: plan.StageEnv(), limit: plan.MXLookupLimit, max: 256 * 1024}.run(d.bin)
	switch r.exitCode() {
	case 0:
	case 100, 111:
		letter := byte('Z')
		if r.exitCode() == 100 {
			letter = 'D'
		}
		line, _, _ := bytes.Cut(r.out, []byte("\n"))
		if len(line) == 0 || r.overflow {
			return nil, lookupSilent(d.Route.Host, r.tail("mxlookup"))
		}
		return nil, &final{letter, oneLine(string(line)) + "\n"}
	default:
		return nil, lookupFailed(d.Route.Host, r.why("mxlookup"), r.tail("mxlookup"))
	}
	out := r.out
	if d.stsDom != "" {
		out = d.stsLine(out)
	}
	cands, err := plan.ParseCandidates(out)
	if err != nil || r.overflow {
		return nil, lookupMalformed(d.Route.Host)
	}
	return cands, nil
}

// notMe applies the self-MX check of SPEC 3.6 with this machine's
// addresses.
func (d *delivery) notMe(cands []candidate) ([]candidate, *final) {
	me, err := plan.Ipme()
	if err != nil {
		return nil, noResources()
	}
	if cands = plan.WithoutMe(cands, me); len(cands) == 0 {
		return nil, notLocal()
	}
	return cands, nil
}
