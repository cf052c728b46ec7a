//go:build linux

package main

// Two ways to start TLS (doc/pipeline.md, "start TLS only when used"; issue 7):
//
//	(a) today: qmail-remote runs smtpclient, which starts tlswrap -d 3
//	    only after 220 to STARTTLS; a clear-text session runs no TLS
//	    process;
//	(b) always wrapped, as tcpclient ... tlswrap smtpclient would be:
//	    tlswrap is the outer UCSPI-TLS wrapper of every delivery and
//	    smtpclient asks it for TLS on SSLCTLFD.
//
// (b) is emulated without changing a program: qmail-remote takes its
// stages from its own folder, so a folder of its own holds a copy of
// qmail-remote, the other stages, and a script named smtpclient that
// execs "tlswrap <real smtpclient>". The script's /bin/sh is not part of
// (b), so a third folder whose smtpclient script execs the real
// smtpclient alone measures what the script costs, and that is taken
// out of (b)'s figures. All of them deliver to the bench's SMTP sink
// (PIPELINING, CHUNKING, and STARTTLS or not) at concurrency 1, in turns.

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

var nStart = flag.Int("startn", 300, "deliveries of each kind in the comparison of the ways to start TLS")

// stageFolder makes a folder with a copy of qmail-remote, links to the
// other stages, and an smtpclient script whose exec line is execLine.
func (b *bench) stageFolder(name, execLine string) (string, error) {
	dir := filepath.Join(b.tmp, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// a copy: qmail-remote finds its folder by /proc/self/exe, which
	// a symbolic link would resolve to bin/
	if err := copyFile(filepath.Join(b.bin, "qmail-remote"), filepath.Join(dir, "qmail-remote")); err != nil {
		return "", err
	}
	for _, p := range []string{"mxlookup", "authclient", "qmtpclient", "tlswrap"} {
		if err := os.Symlink(filepath.Join(b.bin, p), filepath.Join(dir, p)); err != nil {
			return "", err
		}
	}
	script := "#!/bin/sh\n# bench only: see bench/startup.go\n" + execLine + "\n"
	return dir, os.WriteFile(filepath.Join(dir, "smtpclient"), []byte(script), 0o755)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func (b *bench) startup() {
	real := func(p string) string { return filepath.Join(b.bin, p) }
	scriptOnly, err := b.stageFolder("bin-script", "exec "+real("smtpclient")+` "$@"`)
	if err == nil {
		var wrapped string
		wrapped, err = b.stageFolder("bin-wrapped", "exec "+real("tlswrap")+" "+real("smtpclient")+` "$@"`)
		if err == nil {
			b.compareStarts(scriptOnly, wrapped)
			return
		}
	}
	add("ways to start TLS", "failed", err.Error())
}

func (b *bench) compareStarts(scriptOnly, wrapped string) {
	in := func(bin string) *bench { c := *b; c.bin = bin; return &c }
	ways := []struct {
		label string
		b     *bench
	}{{"(a) TLS only when used", b}, {"script alone", in(scriptOnly)}, {"(b) always wrapped", in(wrapped)}}
	sessions := []struct{ label, home, host string }{
		{"clear-text delivery", b.home("start-plain", literal(b.goBDAT)), "plain.test"},
		{"STARTTLS delivery", b.home("start-tls", literal(b.goTLS)), "tls.test"},
	}
	var cs []*contender
	for _, s := range sessions {
		for _, w := range ways {
			wb, s := w.b, s
			c := &contender{one: func() error { return wb.deliver(s.home, s.host, b.small) }}
			// one delivery under ptrace: which processes ran, and their peak
			kb, parts, err := wb.measure(s.home, s.host, b.small)
			if err != nil {
				add("CPU per "+s.label+", "+w.label, "failed", err.Error())
				return
			}
			c.procs = fmt.Sprintf("peak %.1f MiB: %s MiB", mb(kb), parts)
			cs = append(cs, c)
		}
	}
	turns(1, *nStart, 8, cs)
	for i, s := range sessions {
		a, script, w := cs[3*i], cs[3*i+1], cs[3*i+2]
		cost := script.perDelivery() - a.perDelivery() // /bin/sh exec'ing smtpclient
		bCPU := w.perDelivery() - cost
		add(fmt.Sprintf("CPU per %s, (a) TLS only when used (today)", s.label), fmt.Sprintf("%.2f ms", a.perDelivery()),
			fmt.Sprintf("%d at concurrency 1, %.0f deliveries/s; %s%s", a.n, a.rate(), a.procs, a.failNote()))
		add(fmt.Sprintf("CPU per %s, (b) always wrapped (tlswrap smtpclient)", s.label), fmt.Sprintf("%.2f ms", bCPU),
			fmt.Sprintf("%+.2f ms (%+.0f%%) against (a); %.2f ms measured through the wrapper script less %.2f ms that the script alone costs (%.2f ms with it exec'ing smtpclient directly); %.0f deliveries/s with the script; %s%s%s",
				bCPU-a.perDelivery(), 100*(bCPU/a.perDelivery()-1), w.perDelivery(), cost, script.perDelivery(), w.rate(),
				w.procs, w.failNote(), script.failNote()))
	}
}
