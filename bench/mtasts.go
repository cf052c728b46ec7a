//go:build linux

package main

import (
	"fmt"
	"os"
	"path/filepath"
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
	dnsip, stop, ok := b.fakeDNS(what, "mtasts", "sts.bench.test MX 10 mx1.bench.test\n"+
		"_mta-sts.sts.bench.test TXT v=STSv1; id=bench1\n"+
		"plain.bench.test MX 10 mx1.bench.test\n"+
		"mx1.bench.test A 127.0.0.2\n")
	if !ok {
		return
	}
	defer stop()
	_, mxPort, _ := strings.Cut(b.goSMTPmx, ":")
	route := ".bench.test::" + mxPort
	plain := b.home("mtasts-plain", route)
	sts := b.home("mtasts-sts", route)
	cache := filepath.Join(sts, "queue", "lock", "mtasts")
	os.MkdirAll(cache, 0o755)
	os.WriteFile(filepath.Join(cache, "sts.bench.test"), []byte(fmt.Sprintf(
		"STSv1 bench1 %d\nversion: STSv1\nmode: testing\nmx: mx1.bench.test\nmax_age: 86400\n", time.Now().Unix()+86400)), 0o644)
	for _, conc := range []int{1, 20} {
		none := &contender{one: b.dnsDelivery(plain, "plain.bench.test", dnsip, "")}
		cached := &contender{one: b.dnsDelivery(sts, "sts.bench.test", dnsip, "MTA-STS testing")}
		add(fmt.Sprintf("%s, concurrency %d", what, conc), bothOrders(conc, none, cached),
			fmt.Sprintf("cached %.2f ms CPU, %.0f/s; no policy %.2f ms CPU, %.0f/s; %d deliveries each in 8 turns, both orders; fakedns, the bench's sink in clear text, policy mode testing%s%s",
				cached.perDelivery(), cached.rate(), none.perDelivery(), none.rate(), cached.n, cached.failNote(), none.failNote()))
	}
}
