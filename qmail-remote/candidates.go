package main

import (
	"bytes"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"qmail-remote-go/lib/literal"
)

// A candidate is one address to try, in mxlookup's order.
type candidate struct {
	pref int
	addr netip.Addr
	name string // the MX host name, or the relay or host itself
}

// mxlookupLimit bounds a run of mxlookup, whose own schedule of DNS
// retries ends well before it (mxlookup.8).
const mxlookupLimit = 150 * time.Second

// candidates lists the addresses to try: a literal as it is, else what
// mxlookup prints; then the self-MX check of SPEC 3.6 unless a relay
// was chosen.
func (d *delivery) candidates() ([]candidate, *final) {
	var cands []candidate
	parse := literal.Parse
	if d.route.Relay {
		parse = literal.ParseRelay // smtproutes :2001:db8::1;25 (sq3)
	}
	if a, ok := parse(d.route.Host); ok {
		cands = []candidate{{0, a, d.route.Host}}
	} else {
		var f *final
		if cands, f = d.mxlookup(); f != nil {
			return nil, f
		}
	}
	if d.route.Relay {
		return cands, nil
	}
	return d.notMe(cands)
}

// mxlookup runs the mxlookup stage: an MX lookup of the host, or with -a
// the addresses of a relay. Its failure line becomes our report.
func (d *delivery) mxlookup() ([]candidate, *final) {
	args := []string{d.route.Host}
	if d.route.Relay {
		args = []string{"-a", d.route.Host}
	}
	r := stage{name: "mxlookup", args: args, env: stageEnv(), limit: mxlookupLimit, max: 256 * 1024}.run(d.bin)
	switch r.exitCode() {
	case 0:
	case 100, 111:
		letter := byte('Z')
		if r.exitCode() == 100 {
			letter = 'D'
		}
		line, _, _ := bytes.Cut(r.out, []byte("\n"))
		if len(line) == 0 || r.overflow {
			return nil, temp("Unable to look up %s: mxlookup failed without saying why. (#4.3.0)\n%s", oneLine(d.route.Host), r.tail("mxlookup"))
		}
		return nil, &final{letter, oneLine(string(line)) + "\n"}
	default:
		return nil, temp("Unable to look up %s: %s. (#4.3.0)\n%s", oneLine(d.route.Host), r.why("mxlookup"), r.tail("mxlookup"))
	}
	cands, err := parseCandidates(r.out)
	if err != nil || r.overflow {
		return nil, temp("Unable to look up %s: mxlookup printed a malformed line. (#4.3.0)\n", oneLine(d.route.Host))
	}
	return cands, nil
}

// parseCandidates reads mxlookup's "PREF ADDRESS HOSTNAME" lines.
func parseCandidates(out []byte) ([]candidate, error) {
	var cands []candidate
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
		cands = append(cands, candidate{int(pref), addr.Unmap(), f[2]})
	}
	if len(cands) == 0 {
		return nil, strconv.ErrSyntax
	}
	return cands, nil
}

// notMe applies the self-MX check of SPEC 3.6 with this machine's
// addresses.
func (d *delivery) notMe(cands []candidate) ([]candidate, *final) {
	me, err := ipme()
	if err != nil {
		return nil, temp("System resources temporarily unavailable. (#4.3.0)\n")
	}
	if cands = withoutMe(cands, me); len(cands) == 0 {
		return nil, perm("Sorry. Although I'm listed as a best-preference MX or A for that host,\nit isn't in my control/locals file, so I don't treat it as local. (#5.4.6)\n")
	}
	return cands, nil
}

// withoutMe keeps the candidates whose preference is strictly better
// than the best one that names this machine: mail must not loop back.
func withoutMe(cands []candidate, me map[netip.Addr]bool) []candidate {
	prefme := 100000
	for _, c := range cands {
		if me[c.addr] && c.pref < prefme {
			prefme = c.pref
		}
	}
	var keep []candidate
	for _, c := range cands {
		if c.pref < prefme {
			keep = append(keep, c)
		}
	}
	return keep
}

// ipme returns the addresses of this machine's interfaces that are up,
// plus the unspecified addresses (SPEC 3.6 REC).
func ipme() (map[netip.Addr]bool, error) {
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

// stageEnv is the environment every stage starts from: ours, less the
// variables that describe our own connection or TLS wrapper, which
// would mislead a stage.
func stageEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "TCP"), strings.HasPrefix(name, "SSL"), name == "PROTO",
			name == "HELOHOST", name == "TIMEOUTREMOTE",
			// The TLS policy is ours to give (tlswrap.8, smtpclient.8).
			strings.HasPrefix(name, "TLS"), name == "CAFILE", name == "CADIR",
			name == "CERTFILE", name == "KEYFILE", name == "KEYPASSFD",
			strings.HasPrefix(name, "AUTH"):
			continue
		}
		env = append(env, kv)
	}
	// Chosen for speed (make bench, the floor rows): every stage is one
	// sequential dialogue, and a second P costs each Go program of the
	// delivery page faults and threads at start (40 fewer page faults
	// and 1-3 ms less CPU per small delivery here), nothing in return.
	// An administrator's own GOMAXPROCS is kept.
	if _, ok := os.LookupEnv("GOMAXPROCS"); !ok {
		env = append(env, "GOMAXPROCS=1")
	}
	return env
}
