//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// What the dane and mtasts parts share: DNS from tests/bin/fakedns, a
// delivery that must say something in its report, and a pair of
// contenders measured in turns of both orders.

// fakeDNS starts tests/bin/fakedns answering from zone (written to
// b.tmp/name.zone) and returns the DNSCACHEIP setting for it and the
// function that stops it; ok is false, with the row for what added,
// when it cannot.
func (b *bench) fakeDNS(what, name, zone string) (dnsip string, stop func(), ok bool) {
	fakedns := filepath.Join(filepath.Dir(b.bin), "tests", "bin", "fakedns")
	if _, err := os.Stat(fakedns); err != nil {
		add(what, "skipped", "tests/bin/fakedns missing (make testprogs)")
		return "", nil, false
	}
	file := filepath.Join(b.tmp, name+".zone")
	os.WriteFile(file, []byte(zone), 0o644)
	dns := exec.Command(fakedns, file)
	in, _ := dns.StdinPipe()
	out, _ := dns.StdoutPipe()
	if err := dns.Start(); err != nil {
		add(what, "failed", err.Error())
		return "", nil, false
	}
	stop = func() { in.Close(); dns.Wait() }
	buf := make([]byte, 16)
	n, _ := out.Read(buf)
	port, err := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err != nil {
		stop()
		add(what, "failed", "fakedns printed no port")
		return "", nil, false
	}
	return fmt.Sprintf("DNSCACHEIP=127.0.0.1:%d", port), stop, true
}

// dnsDelivery is one small delivery to host with home's control files
// and dnsip's resolver, whose report must hold want (when want is not
// empty) and be a K.
func (b *bench) dnsDelivery(home, host, dnsip, want string) func() error {
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
		if want != "" && !strings.Contains(string(o), want) {
			return fmt.Errorf("no %q in %q", want, o)
		}
		return okReport(o)
	}
}

// bothOrders measures base and x in turns at concurrency conc, half of
// them with base first and half with x first (the first of a turn was
// measured slower by 10% here under load, whichever it was), and
// returns x's CPU and wall multiples of base's.
func bothOrders(conc int, base, x *contender) string {
	turns(conc, *nFloor/2, 4, []*contender{base, x})
	turns(conc, *nFloor/2, 4, []*contender{x, base})
	return fmt.Sprintf("%.2fx CPU, %.2fx wall", x.perDelivery()/base.perDelivery(),
		(x.wall.Seconds()/float64(x.n))/(base.wall.Seconds()/float64(base.n)))
}
