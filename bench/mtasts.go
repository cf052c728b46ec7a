//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// mtasts: the cost of a cached MTA-STS policy (issue 18 item 8): small
// deliveries by MX to the bench's SMTP sink on 127.0.0.2, for a domain
// with a _mta-sts TXT record whose policy is in the cache, against a
// domain without one, in turns. Both MX lookups ask for the TXT record
// (qmail-remote always does, with mxlookup -s, beside the MX query);
// the difference is the cache read, the policy's parse and match, and
// the header scan for TLS-Required. The policy is in testing mode, so
// that the sink can stay in clear text: enforce would add the STARTTLS
// rows' cost, which a delivery with TLS pays with or without a policy.
// DNS comes from tests/bin/fakedns (make testprogs), on loopback.
func (b *bench) mtasts() {
	const what = "small deliveries by MX, MTA-STS policy cached vs none"
	fakedns := filepath.Join(filepath.Dir(b.bin), "tests", "bin", "fakedns")
	if _, err := os.Stat(fakedns); err != nil {
		add(what, "skipped", "tests/bin/fakedns missing (make testprogs)")
		return
	}
	zone := filepath.Join(b.tmp, "mtasts.zone")
	os.WriteFile(zone, []byte("sts.bench.test MX 10 mx1.bench.test\n"+
		"_mta-sts.sts.bench.test TXT v=STSv1; id=bench1\n"+
		"plain.bench.test MX 10 mx1.bench.test\n"+
		"mx1.bench.test A 127.0.0.2\n"), 0o644)
	dns := exec.Command(fakedns, zone)
	in, _ := dns.StdinPipe()
	out, _ := dns.StdoutPipe()
	if err := dns.Start(); err != nil {
		add(what, "failed", err.Error())
		return
	}
	defer func() { in.Close(); dns.Wait() }()
	buf := make([]byte, 16)
	n, _ := out.Read(buf)
	port, err := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err != nil {
		add(what, "failed", "fakedns printed no port")
		return
	}
	_, mxPort, _ := strings.Cut(b.goSMTPmx, ":")
	route := ".bench.test::" + mxPort
	plain := b.home("mtasts-plain", route)
	sts := b.home("mtasts-sts", route)
	cache := filepath.Join(sts, "queue", "lock", "mtasts")
	os.MkdirAll(cache, 0o755)
	os.WriteFile(filepath.Join(cache, "sts.bench.test"), []byte(fmt.Sprintf(
		"STSv1 bench1 %d\nversion: STSv1\nmode: testing\nmx: mx1.bench.test\nmax_age: 86400\n", time.Now().Unix()+86400)), 0o644)
	dnsip := fmt.Sprintf("DNSCACHEIP=127.0.0.1:%d", port)
	deliver := func(home, host string) func() error {
		return func() error {
			cmd, f, err := b.command(home, host, b.small)
			if err != nil {
				return err
			}
			defer f.Close()
			cmd.Env = append(cmd.Env, dnsip) // exec keeps the last of a name
			o, err := cmd.Output()
			if err != nil {
				return err
			}
			if !strings.Contains(string(o), "MTA-STS testing") && host == "sts.bench.test" {
				return fmt.Errorf("the policy was not used: %q", o)
			}
			return okReport(o)
		}
	}
	for _, conc := range []int{1, 20} {
		none := &contender{one: deliver(plain, "plain.bench.test")}
		cached := &contender{one: deliver(sts, "sts.bench.test")}
		// Both orders, half each: the first of a turn was measured
		// slower by 10% here under load, whichever it was.
		turns(conc, *nFloor/2, 4, []*contender{none, cached})
		turns(conc, *nFloor/2, 4, []*contender{cached, none})
		add(fmt.Sprintf("%s, concurrency %d", what, conc),
			fmt.Sprintf("%.2fx CPU, %.2fx wall", cached.perDelivery()/none.perDelivery(), (cached.wall.Seconds()/float64(cached.n))/(none.wall.Seconds()/float64(none.n))),
			fmt.Sprintf("cached %.2f ms CPU, %.0f/s; no policy %.2f ms CPU, %.0f/s; %d deliveries each in 8 turns, both orders; fakedns, the bench's sink in clear text, policy mode testing%s%s",
				cached.perDelivery(), cached.rate(), none.perDelivery(), none.rate(), cached.n, cached.failNote(), none.failNote()))
	}
}
