package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"qmail-remote-go/lib/mtasts"
	"qmail-remote-go/lib/plan"
	"qmail-remote-go/lib/route"
	"qmail-remote-go/lib/tcpto"
	"qmail-remote-go/lib/tlspolicy"
)

// An rcheck is one run for a host and a sender.
type rcheck struct {
	w            *bufio.Writer
	bin          string // the folder of our stages
	host, sender string
	probe        bool
	p            *plan.Plan
	stsID        string // the id of the domain's _mta-sts TXT record (mxlookup -s), "" for none
	cache        bool   // a session cache runs (scache.go)
}

func (r *rcheck) say(format string, a ...any) { fmt.Fprintf(r.w, format+"\n", a...) }

// run prints the plan and the candidates, and probes them with -p.
func (r *rcheck) run() int {
	r.say("host %s, sender <%s>", r.host, r.sender)
	cfg, err := plan.ReadConfig()
	if err == nil {
		r.p, err = plan.Make(cfg, r.host, r.sender)
	}
	if err != nil {
		// plan.Error is qmail-remote's report text; any other error
		// is a file that could not be read.
		r.say("qmail-remote would defer: %s", firstLine(err.Error()))
		return 111
	}
	r.route()
	r.tls()
	r.source()
	if !r.scache() {
		return 111
	}
	cands, code := r.candidates()
	if cands == nil || !r.probe {
		return code
	}
	return r.probeAll(cands)
}

// route prints the route: protocol, relay or MX, port, the line, and
// whether credentials apply (never their values).
func (r *rcheck) route() {
	p := r.p
	proto := strings.ToUpper(p.Route.Proto)
	switch {
	case p.SMTPS():
		proto = "SMTPS (TLS from the first byte)"
	case p.QMTPS():
		proto = "QMTPS (TLS from the first byte)"
	}
	to := "MX lookup of " + p.Route.Host
	if p.Route.Relay {
		to = "relay " + p.Route.Host
	} else if _, ok := p.Literal(); ok {
		to = "address " + p.Route.Host
	}
	r.say("route: %s to %s port %d (%s)", proto, to, p.Route.Port, where(p.Route.Where, "no route line: the default"))
	if p.Route.Proto == route.SMTP && p.Route.Port == tlspolicy.SMTPSPort && !p.SMTPS() {
		// SMTPSTo: DANE and MTA-STS enforce start TLS at connect on
		// port 465 whatever the '!' rule says; each candidate says.
		r.say("route: SMTPS (TLS from the first byte) all the same to a host DANE or MTA-STS enforce decides (see the candidates)")
	}
	if p.TLS.Port != 0 && p.Route.Proto == route.SMTP {
		r.say("route: port %d from %s", p.TLS.Port, p.TLS.Where)
	}
	if p.Route.User != "" {
		r.say("auth: credentials from %s (user and password not shown)", p.Route.Where)
	} else {
		r.say("auth: none")
	}
}

// tls prints the TLS rule that applies and the client certificate.
func (r *rcheck) tls() {
	p := r.p
	from := p.TLS.Where
	switch {
	case p.TLS.ForAuth:
		// SPEC D9 (revised): no rule keyed on the relay decides.
		from = "credentials: a verified certificate for " + p.Route.Host + ", as no rule keyed on it says otherwise (D9; loopback addresses exempt)"
	case from != "":
		from += ", key " + p.TLS.Key
	case p.Route.Proto == route.QMTP:
		from = "QMTP: no STARTTLS"
	case !p.Cfg.TLSDestFound:
		from = "no control/tlsdestinations: the default"
	default:
		from = "no rule matches: the default"
	}
	desc := p.TLS.Level.String()
	if p.TLS.Level != tlspolicy.Never {
		desc += ", verify " + p.TLS.Verify.String()
	}
	r.say("tls: %s (%s)", desc, from)
	for _, kv := range [][2]string{{"CA file", p.TLS.CAFile}, {"CA folder", p.TLS.CADir}, {"ciphers", p.TLS.Ciphers}, {"pin", p.TLS.Pin}} {
		if kv[1] != "" && p.TLS.Level != tlspolicy.Never {
			r.say("tls: %s %s", kv[0], kv[1])
		}
	}
	if p.TLS.Depth != tlspolicy.DepthUnset && p.TLS.Level != tlspolicy.Never {
		r.say("tls: depth %d", p.TLS.Depth)
	}
	if !p.HasCert {
		r.say("client certificate: none")
		return
	}
	key := p.Cert.KeyFile
	if key == "" {
		key = "in the certificate file"
	}
	pass := "no key password"
	if p.Cert.Password != "" {
		pass = "a key password (not shown)"
	}
	r.say("client certificate: %s, key %s, %s (%s)", p.Cert.CertFile, key, pass, p.Cert.Where)
}

// source prints the domainips binding, the HELO name and the timeouts.
func (r *rcheck) source() {
	p := r.p
	if p.Src.Bind.IsValid() {
		r.say("source: bind %s (%s)", p.Src.Bind, p.Src.Where)
	} else {
		r.say("source: no bind (%s)", where(p.Src.Where, "no domainips line"))
	}
	r.say("helo: %s (control/%s)", p.Cfg.Helohost, p.Cfg.HeloFile)
	r.say("timeouts: connect %d s, remote %d s", p.Cfg.TimeoutConnect, p.Cfg.TimeoutRemote)
}

func where(w, none string) string {
	if w == "" {
		return none
	}
	return w
}

// candidates prints the addresses qmail-remote would try, in order,
// with their timeout-table state and what tlswrap would be told; nil
// and the exit code when there are none.
func (r *rcheck) candidates() ([]plan.Candidate, int) {
	p := r.p
	var cands []plan.Candidate
	asked := p.DANEPort() != 0 // mxlookup -t: what DNSSEC authenticated
	if c, ok := p.Literal(); ok {
		asked = false
		r.say("candidates: the literal itself")
		cands = []plan.Candidate{c}
	} else {
		r.say("candidates: mxlookup %s", strings.Join(p.MXLookupArgs(), " "))
		var code int
		if cands, code = r.mxlookup(); cands == nil {
			return nil, code
		}
	}
	keep := cands
	if !p.Route.Relay {
		me, err := plan.Ipme()
		if err != nil {
			r.say("qmail-remote would defer: System resources temporarily unavailable. (#4.3.0)")
			return nil, 111
		}
		keep = plan.WithoutMe(cands, me)
	}
	sts := keep
	if dom := p.STSDomain(); dom != "" {
		r.mtasts(dom)
		if len(keep) > 0 {
			var f *plan.Error
			if sts, f = p.STSCandidates(keep); f != nil {
				sts = nil
			}
		}
	}
	table := readTcpto()
	now := time.Now().Unix()
	for i, c := range cands {
		if i >= len(keep) || keep[i] != c {
			r.say("  %d %s %s: dropped, this machine is an MX of no better preference (SPEC 3.6)", c.Pref, c.Addr, c.Name)
			continue
		}
		if !slices.Contains(sts, c) {
			r.say("  %d %s %s: dropped, MTA-STS enforce: the host matches no mx pattern of the policy (SPEC D31)", c.Pref, c.Addr, c.Name)
			continue
		}
		r.say("  %d %s %s: %s", c.Pref, c.Addr, c.Name, tcptoState(table, c.Addr, now))
		if asked {
			r.say("    dnssec: %s", dnssec(c, p.Route.Relay))
		}
		if p.DANEFailed(c) {
			r.say("    qmail-remote would skip it: DANE: TLSA lookup failed temporarily for %s. (#4.4.3)", c.Name)
			continue
		}
		mech, vars := p.TLSFor(c)
		if mech != "" {
			r.say("    TLS decided by %s", mech)
		}
		if p.SMTPSTo(c) && !p.SMTPS() {
			r.say("    SMTPS: TLS from the first byte, under tlswrap -i")
		}
		if len(vars) > 0 {
			r.say("    tlswrap: %s", strings.Join(vars, " "))
		}
		r.sessionKey(c)
	}
	if len(keep) > 0 && len(sts) == 0 {
		r.say("qmail-remote would defer: MTA-STS: no MX host of %s matches its policy. (#4.7.5)", p.Route.Host)
		return nil, 111
	}
	if len(keep) == 0 {
		r.say("qmail-remote would bounce: Sorry. Although I'm listed as a best-preference MX or A for that host, it isn't in my control/locals file, so I don't treat it as local. (#5.4.6)")
		return nil, 100
	}
	return keep, 0
}

// mxlookup runs the real stage as qmail-remote does.
func (r *rcheck) mxlookup() ([]plan.Candidate, int) {
	ctx, cancel := context.WithTimeout(context.Background(), plan.MXLookupLimit)
	defer cancel()
	args := r.p.MXLookupArgs()
	if r.p.STSDomain() != "" {
		args = append([]string{"-s"}, args...) // the MTA-STS id too, as qmail-remote asks
	}
	cmd := exec.CommandContext(ctx, r.bin+"/mxlookup", args...)
	cmd.Env = plan.StageEnv()
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &limited{&out, 256 * 1024}, &limited{&errs, 4096}
	err := cmd.Run()
	code := cmd.ProcessState.ExitCode()
	switch {
	case err == nil:
		var rest []byte
		r.stsID, rest = mtasts.CutIDLine(out.Bytes())
		cands, err := plan.ParseCandidates(rest)
		if err != nil {
			r.say("qmail-remote would defer: mxlookup printed a malformed line")
			return nil, 111
		}
		return cands, 0
	case code == 100 || code == 111:
		letter := map[int]string{100: "bounce", 111: "defer"}[code]
		r.say("qmail-remote would %s: %s", letter, firstLine(out.String()))
		return nil, code
	}
	r.say("qmail-remote would defer: unable to run mxlookup: %v %s", err, firstLine(errs.String()))
	return nil, 111
}

// limited keeps at most n bytes.
type limited struct {
	b *bytes.Buffer
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	if room := l.n - l.b.Len(); room > 0 {
		l.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimLeft(s, "\n"), "\n")
	return plan.OneLine(line)
}

// readTcpto is the timeout table, read without the lock that qmail-remote
// takes for writing (a look, never a change); nil when unusable.
func readTcpto() *tcpto.Table {
	b, err := os.ReadFile(tcpto.Path)
	if err != nil || len(b) != tcpto.Size {
		return nil
	}
	return (*tcpto.Table)(b)
}

// tcptoState says what qmail-remote's timeout table holds for a.
func tcptoState(t *tcpto.Table, a netip.Addr, now int64) string {
	if t == nil {
		return "timeout table unreadable: every address is tried"
	}
	for i := range tcpto.Records {
		rec := t.Record(i)
		if !rec.Addr.IsValid() || rec.Addr != a {
			continue
		}
		ago := now - rec.Last
		// The window depends on the pid of the qmail-remote that looks:
		// Window(0) is the shortest, Window(31) the longest.
		switch skip, _ := t.Skip(a, now, 0); {
		case rec.Count == 0:
			return "timeout table: no recent errors"
		case skip:
			return fmt.Sprintf("timeout table: %d errors, the last %d s ago: SKIPPED (dead for another %d to %d s)", rec.Count, ago, tcpto.Window(0)-ago, tcpto.Window(31)-ago)
		case rec.Count >= 2 && rec.Last <= now && ago < tcpto.Window(31):
			return fmt.Sprintf("timeout table: %d errors, the last %d s ago: skipped by some processes for up to %d s more", rec.Count, ago, tcpto.Window(31)-ago)
		}
		return fmt.Sprintf("timeout table: %d errors, the last %d s ago: tried", rec.Count, ago)
	}
	return "timeout table: no record"
}

// dnssec says what mxlookup -t found authenticated for c's host (SPEC
// D30): the MX answer (by MX only), the addresses, the TLSA records.
func dnssec(c plan.Candidate, relay bool) string {
	d := c.DANE
	var s []string
	if !relay {
		s = append(s, map[bool]string{true: "MX answer authenticated", false: "MX answer not authenticated"}[c.MXSecure])
	}
	if !d.AddrSecure {
		return strings.Join(append(s, "addresses not authenticated: no DANE"), ", ")
	}
	s = append(s, "addresses authenticated")
	switch {
	case d.Failed:
		s = append(s, "TLSA lookup failed")
	case d.Base != "":
		s = append(s, "TLSA records of "+d.Base+": "+d.TLSA)
	default:
		s = append(s, "no TLSA records: no DANE")
	}
	return strings.Join(s, ", ")
}

// mtasts says which MTA-STS policy a delivery to dom would follow (SPEC
// D31) and puts it into the plan, from the TXT id and the cache alone:
// qmail-rcheck fetches nothing and writes nothing.
func (r *rcheck) mtasts(dom string) {
	txt := "no _mta-sts TXT record"
	if r.stsID != "" {
		txt = "_mta-sts TXT id " + r.stsID
	}
	cached, err := mtasts.Load(mtasts.Dir, dom)
	if err != nil {
		r.say("MTA-STS for %s: %s; the cache file cannot be used (%s)", dom, txt, firstLine(err.Error()))
		cached = nil
	}
	now := time.Now()
	use, fetch := mtasts.Decide(cached, r.stsID, now)
	if failed, _ := mtasts.LoadFailure(mtasts.Dir, dom); fetch && failed.Holds(r.stsID, now) {
		// A delivery fetches nothing until then (qmail-remote.8).
		txt += "; a fetch under it failed, none is tried before " + failed.Until.UTC().Format(time.RFC3339)
		use, _ = mtasts.AfterFetch(cached, nil, r.stsID, now)
		fetch = false
	}
	switch {
	case fetch:
		r.say("MTA-STS for %s: %s; no fresh policy cached under it: a delivery would fetch https://mta-sts.%s/.well-known/mta-sts.txt (shown here as if none applied)", dom, txt, dom)
	case use == nil:
		r.say("MTA-STS for %s: %s; no policy", dom, txt)
	default:
		r.say("MTA-STS for %s: %s; cached policy id %s, mode %s, mx %s, until %s", dom, txt, use.ID,
			use.Policy.Mode, strings.Join(use.Policy.MX, " "), use.Expires.UTC().Format(time.RFC3339))
		r.p.STS = use
	}
}
