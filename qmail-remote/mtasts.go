package main

import (
	"net"
	"net/netip"
	"os"
	"strconv"
	"time"

	"qmail-remote-go/lib/handoff"
	"qmail-remote-go/lib/mtasts"
	"qmail-remote-go/lib/plan"
)

// MTA-STS (RFC 8461, SPEC D31): mxlookup -s gives the id of the
// domain's _mta-sts TXT record beside the candidates; the policy comes
// from the cache (lib/mtasts, queue/lock/mtasts/) or, when the cache has
// none fresh under that id, from stsfetch under tlswrap -i. lib/plan
// (mtasts.go) says what the policy means for the candidates and the
// speaker.

// sts finds the policy for the delivery to d.stsDom and what the
// message says of it (D32), into the plan, and applies it to cands.
func (d *delivery) sts(cands []candidate) ([]candidate, *final) {
	if d.STS = d.stsPolicy(d.stsDom, d.stsID); d.STS != nil && d.STS.Policy.Mode != mtasts.None {
		d.TLSRequiredNo = d.msg.tlsRequiredNo()
	}
	cands, err := d.STSCandidates(cands)
	if err != nil {
		return nil, temp("%s", err)
	}
	return cands, nil
}

// stsLine takes the "mta-sts ID" line that mxlookup -s prints first,
// when there is one, into d.stsID, and returns the rest.
func (d *delivery) stsLine(out []byte) []byte {
	d.stsID, out = mtasts.CutIDLine(out)
	return out
}

// stsPolicy returns the policy to follow for domain, given the TXT id
// mxlookup printed ("" for none): the cached one when it is fresh under
// that id, else a fetched one (then cached), else an unexpired cached
// one, else nil. A failed fetch is kept for mtasts.FailHold under its
// id (the domain's ",failed" file): within that, no fetch, as if it had
// failed again. The cache never fails a delivery: a file that cannot
// be read is no cache, one that cannot be written is not written.
func (d *delivery) stsPolicy(domain, id string) *mtasts.Entry {
	cached, err := mtasts.Load(mtasts.Dir, domain)
	if err != nil {
		cached = nil
	}
	now := time.Now()
	use, fetch := mtasts.Decide(cached, id, now)
	if !fetch {
		return use
	}
	if failed, _ := mtasts.LoadFailure(mtasts.Dir, domain); failed.Holds(id, now) {
		use, _ = mtasts.AfterFetch(cached, nil, id, now)
		return use
	}
	fetched := d.fetchPolicy(domain)
	if fetched == nil {
		mtasts.StoreFailure(mtasts.Dir, domain, &mtasts.Failure{ID: id, Until: time.Now().Add(mtasts.FailHold)})
	} else {
		mtasts.ClearFailure(mtasts.Dir, domain)
	}
	use, store := mtasts.AfterFetch(cached, fetched, id, now)
	if store {
		mtasts.Store(mtasts.Dir, domain, use)
	}
	return use
}

// stsPortEnv names the variable that replaces port 443 for the policy
// host. For tests only (qmail-remote.8): a test's HTTPS server listens
// on a loopback port of its own.
const stsPortEnv = "QMAILREMOTE_MTASTS_PORT"

// stsFetchLimit caps the fetch's TIMEOUTREMOTE, in seconds: a policy
// server that dawdles must not hold the delivery for timeoutremote's
// default 1200.
const stsFetchLimit = 60

// fetchPolicy fetches the policy of domain: the addresses of
// mta-sts.<domain> from mxlookup -a (the same resolver as every other
// lookup), a connection to the first that answers within
// timeoutconnect, and stsfetch under tlswrap -i on it, which checks the
// certificate against the system roots for that name. nil when any step
// fails.
func (d *delivery) fetchPolicy(domain string) *mtasts.Policy {
	host := "mta-sts." + domain
	r := stage{name: "mxlookup", args: []string{"-a", host}, env: plan.StageEnv(), limit: plan.MXLookupLimit, max: 256 * 1024}.run(d.bin)
	if r.exitCode() != 0 || r.overflow {
		return nil
	}
	cands, err := plan.ParseCandidates(r.out)
	if err != nil {
		return nil
	}
	port := 443
	if p, err := strconv.Atoi(os.Getenv(stsPortEnv)); err == nil && p > 0 && p < 65536 {
		port = p
	}
	for _, c := range cands {
		conn, err := net.DialTimeout("tcp", netip.AddrPortFrom(c.Addr, uint16(port)).String(),
			time.Duration(d.Cfg.TimeoutConnect)*time.Second)
		if err != nil {
			continue
		}
		return d.runFetch(conn.(*net.TCPConn), host, domain, min(d.Cfg.TimeoutRemote, stsFetchLimit))
	}
	return nil
}

// runFetch runs tlswrap -i stsfetch on conn: the chain to the system
// roots through at most plan.STSDepth intermediates, the name host.
func (d *delivery) runFetch(conn *net.TCPConn, host, domain string, timeout int) *mtasts.Policy {
	defer conn.Close()
	sock, err := conn.File()
	if err != nil {
		return nil
	}
	defer sock.Close()
	env := append(plan.StageEnv(), "TLS_VERIFY="+handoff.VerifyWildcard, "TLS_NAMES="+host, "TLS_SERVERNAME="+host,
		"TLSHOST="+host, "TLS_DEPTH="+strconv.Itoa(plan.STSDepth), "TIMEOUTREMOTE="+strconv.Itoa(timeout))
	r := stage{name: "tlswrap", args: []string{"-i", d.bin + "/stsfetch", domain}, env: env,
		extra: []*os.File{nil, nil, nil, sock, sock},
		limit: time.Duration(timeout+5) * time.Second, max: mtasts.MaxPolicy}.run(d.bin)
	if r.exitCode() != 0 || r.overflow {
		return nil
	}
	p, err := mtasts.ParsePolicy(r.out)
	if err != nil {
		return nil
	}
	return &p
}
