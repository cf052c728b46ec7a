//go:build linux

package main

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net"
)

// dane: the cost of DANE (issue 18 item 8) beside the mtasts part: small
// deliveries by MX over STARTTLS to the bench's sink on 127.0.0.2, to an
// MX host with a DANE-EE 3 1 1 record that matches the sink's throwaway
// certificate against the same sink under a second MX name with no TLSA
// record, in turns. Every answer of fakedns has the AD bit (a validating
// resolver on loopback), so mxlookup asks for TLSA records for both
// hosts (the second gets a secure NODATA): the difference is the records
// carried through TLS_TLSA, tlswrap's match of the leaf's SPKI (instead
// of no check at all: opportunistic TLS without a rule), and SNI.
func (b *bench) dane() {
	const what = "small deliveries by MX with STARTTLS, DANE-EE matched vs no TLSA"
	leaf, err := x509.ParseCertificate(sinkTLS().Certificates[0].Certificate[0])
	if err != nil {
		add(what, "failed", err.Error())
		return
	}
	spki := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	_, mxPort, _ := net.SplitHostPort(b.goTLSmx)
	dnsip, stop, ok := b.fakeDNS(what, "dane", "bench.test AD\n"+
		"dane.bench.test MX 10 mxd.bench.test\n"+
		"mxd.bench.test A 127.0.0.2\n"+
		"_"+mxPort+"._tcp.mxd.bench.test TLSA 3 1 1 "+hex.EncodeToString(spki[:])+"\n"+
		"nodane.bench.test MX 10 mxn.bench.test\n"+
		"mxn.bench.test A 127.0.0.2\n")
	if !ok {
		return
	}
	defer stop()
	home := b.home("dane", ".bench.test::"+mxPort)
	for _, conc := range []int{1, 20} {
		none := &contender{one: b.dnsDelivery(home, "nodane.bench.test", dnsip, "; certificate not checked")}
		dane := &contender{one: b.dnsDelivery(home, "dane.bench.test", dnsip, "; DANE-EE 3 1 1 matched for mxd.bench.test")}
		add(fmt.Sprintf("%s, concurrency %d", what, conc), bothOrders(conc, none, dane),
			fmt.Sprintf("DANE-EE %.2f ms CPU, %.0f/s; no TLSA %.2f ms CPU, %.0f/s; %d deliveries each in 8 turns, both orders; fakedns with the AD bit, the bench's sink with STARTTLS, opportunistic TLS without a rule for the host with no TLSA%s%s",
				dane.perDelivery(), dane.rate(), none.perDelivery(), none.rate(), dane.n, dane.failNote(), none.failNote()))
	}
}
