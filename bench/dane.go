//go:build linux

package main

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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
	fakedns := filepath.Join(filepath.Dir(b.bin), "tests", "bin", "fakedns")
	if _, err := os.Stat(fakedns); err != nil {
		add(what, "skipped", "tests/bin/fakedns missing (make testprogs)")
		return
	}
	leaf, err := x509.ParseCertificate(sinkTLS().Certificates[0].Certificate[0])
	if err != nil {
		add(what, "failed", err.Error())
		return
	}
	spki := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	_, mxPort, _ := net.SplitHostPort(b.goTLSmx)
	zone := filepath.Join(b.tmp, "dane.zone")
	os.WriteFile(zone, []byte("bench.test AD\n"+
		"dane.bench.test MX 10 mxd.bench.test\n"+
		"mxd.bench.test A 127.0.0.2\n"+
		"_"+mxPort+"._tcp.mxd.bench.test TLSA 3 1 1 "+hex.EncodeToString(spki[:])+"\n"+
		"nodane.bench.test MX 10 mxn.bench.test\n"+
		"mxn.bench.test A 127.0.0.2\n"), 0o644)
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
	home := b.home("dane", ".bench.test::"+mxPort)
	dnsip := fmt.Sprintf("DNSCACHEIP=127.0.0.1:%d", port)
	deliver := func(host, want string) func() error {
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
			if !strings.Contains(string(o), want) {
				return fmt.Errorf("no %q in %q", want, o)
			}
			return okReport(o)
		}
	}
	for _, conc := range []int{1, 20} {
		none := &contender{one: deliver("nodane.bench.test", "; certificate not checked")}
		dane := &contender{one: deliver("dane.bench.test", "; DANE-EE 3 1 1 matched for mxd.bench.test")}
		// Both orders, half each, as the mtasts part does.
		turns(conc, *nFloor/2, 4, []*contender{none, dane})
		turns(conc, *nFloor/2, 4, []*contender{dane, none})
		add(fmt.Sprintf("%s, concurrency %d", what, conc),
			fmt.Sprintf("%.2fx CPU, %.2fx wall", dane.perDelivery()/none.perDelivery(), (dane.wall.Seconds()/float64(dane.n))/(none.wall.Seconds()/float64(none.n))),
			fmt.Sprintf("DANE-EE %.2f ms CPU, %.0f/s; no TLSA %.2f ms CPU, %.0f/s; %d deliveries each in 8 turns, both orders; fakedns with the AD bit, the bench's sink with STARTTLS, opportunistic TLS without a rule for the host with no TLSA%s%s",
				dane.perDelivery(), dane.rate(), none.perDelivery(), none.rate(), dane.n, dane.failNote(), none.failNote()))
	}
}
