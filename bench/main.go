//go:build linux

// Command bench measures the qmail-remote pipeline (bin/qmail-remote,
// bin/mxlookup, bin/smtpclient, bin/tlswrap, bin/qmtpclient) and prints a
// table; it asserts nothing but that the reuse part delivered every
// message (exit 111 after the table when it did not).
// `make bench` runs it from the top of the tree; see bench/README.md.
//
//	deliveries/s and CPU ms per delivery (all pipeline processes) for
//	  small messages to Postfix's smtp-sink at concurrency 1 and 20
//	peak memory of one delivery, summed over every pipeline process
//	MB/s and peak memory for one 100 MB message, against a raw copy of
//	  the same bytes into a TCP discard server (the ceiling)
//	wall time per delivery in round trips over a link with 25 ms delay
//	  each way, between two network namespaces made and removed here, and
//	  deliveries/s at concurrency 20 over that link: to the bench's own
//	  sink offering nothing (lock step), PIPELINING, and PIPELINING and
//	  CHUNKING
//	the same rows for the bench's own SMTP sink with STARTTLS (a
//	  throwaway certificate) and its own QMTP sink: deliveries/s and CPU
//	  next to clear-text SMTP (sinks.go), peak memory, 100 MB over TLS
//	  against a raw TLS copy (tls.go) and over QMTP (qmtp.go), round trips
//	  over the slow link
//	CPU per delivery with TLS started only when used (today) and with
//	  tlswrap always the outer wrapper, in clear text and with STARTTLS
//	  (startup.go)
//	the floor of the design: do-nothing Go programs starting 1, 2 or 3
//	  others, and a TLS handshake in-process, against small deliveries
//	  by a literal route, an MX route and STARTTLS (floor.go)
//	a delivery by MX to a domain whose MTA-STS policy is cached against
//	  one to a domain without a policy (mtasts.go)
//	a delivery by MX with STARTTLS to a host with a matching DANE-EE
//	  record against one with no TLSA record (dane.go)
//	1000 small deliveries at concurrency 20 over the slow link, clear
//	  text and STARTTLS, without and with the session cache
//	  (bin/qmail-scache): deliveries/s, CPU of every process by cgroup,
//	  round trips and connections counted by the sink (reuse.go)
//
// The peers: smtp-sink and unbound from tests/real/setup (their rows are
// skipped when they are not running), and servers of its own on loopback.
// The link needs root (ip netns, /dev/net/tun). BENCH_DEBUG=1 prints
// every exit the memory measurement sees, and what the bench's SMTP sink
// reads and when.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"
)

var (
	nSmall  = flag.Int("n", 2000, "small messages per concurrency level")
	bigMB   = flag.Int("big", 100, "size of the large message in MB (10^6 bytes)")
	sinkTCP = flag.String("sink", "127.0.0.1:10026", "smtp-sink of tests/real/setup")
	dnsTCP  = flag.String("dns", "127.0.0.1:10053", "unbound of tests/real/setup")
	rttN    = flag.Int("rtt", 9, "deliveries over the slow link")
	rttMany = flag.Int("rttn", 200, "deliveries at concurrency 20 over the slow link")
	only    = flag.String("only", "", "run one part alone: throughput, sinks, memory, large, rtt, startup, floor, mtasts, dane or reuse")
	delay   = flag.Duration("delay", 25*time.Millisecond, "one-way delay of the slow link")
)

// mode runs the mode a flag named, if any, with args, and gives its
// exit code.
func mode(args []string) (int, bool) {
	fail := func(name string, err error) (int, bool) {
		if err != nil {
			fmt.Fprintln(os.Stderr, name+":", err)
			return 111, true
		}
		return 0, true
	}
	switch {
	case (*modeRawCopy || *modeRawTLSCopy) && len(args) == 2:
		if *modeRawTLSCopy {
			return fail("rawtlscopy", rawTLSCopy(args[0], args[1]))
		}
		return fail("rawcopy", rawCopy(args[0], args[1]))
	case *modeMany && len(args) == 3:
		return fail("many", manyMode(args))
	case *modeReuse && len(args) == 5:
		return fail("reusehelper", reuseHelper(args))
	case *modeServeQMTP && len(args) == 1:
		ln, err := net.Listen("tcp", args[0])
		if err != nil {
			return fail("serveqmtp", err)
		}
		serveQMTP(ln)
		return 0, true
	case *modeServe && len(args) == 2:
		ln, err := net.Listen("tcp", args[0])
		if err != nil {
			return fail("serve", err)
		}
		usr1 := make(chan os.Signal, 1)
		signal.Notify(usr1, syscall.SIGUSR1)
		go func() {
			for range usr1 {
				fmt.Println(sinkStats())
			}
		}()
		serveSMTP(ln, args[1])
		return 0, true
	case *modeRawCopy || *modeRawTLSCopy || *modeMany || *modeReuse || *modeServe || *modeServeQMTP:
		fmt.Fprintln(os.Stderr, "bench: a mode with the wrong number of arguments (bench -h)")
		return 100, true
	}
	return 0, false
}

// A row of the table.
type row struct{ what, value, note string }

var (
	rows       []row
	loadBefore string
)

func add(what, value, note string) {
	rows = append(rows, row{what, value, note})
	fmt.Fprintf(os.Stderr, "bench: %s: %s %s\n", what, value, note)
}

// The modes bench runs itself in, each a named flag (so -h lists them)
// with its arguments after it.
var (
	modeRawCopy    = flag.Bool("rawcopy", false, "mode, ADDR FILE: copy FILE to the discard server at ADDR in 64 KiB blocks (the ceiling of the 100 MB rows)")
	modeRawTLSCopy = flag.Bool("rawtlscopy", false, "mode, ADDR FILE: the same over TLS")
	modeMany       = flag.Bool("many", false, "mode, N QMAILREMOTE MSG: N deliveries at concurrency 20 from inside the slow link's namespace (many.go)")
	modeReuse      = flag.Bool("reusehelper", false, "mode, N CONC QMAILREMOTE MSG SCACHE: N deliveries at concurrency CONC from inside the slow link's namespace, with the session cache SCACHE running (\"-\": none) (reuse.go)")
	modeServe      = flag.Bool("serve", false, "mode, ADDR EXTENSIONS: an SMTP sink (in the slow link's namespace)")
	modeServeQMTP  = flag.Bool("serveqmtp", false, "mode, ADDR: a QMTP sink (in the slow link's namespace)")
)

func main() {
	flag.Parse()
	if code, ok := mode(flag.Args()); ok {
		os.Exit(code)
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench: fatal:", err)
		os.Exit(111)
	}
}

type bench struct {
	bin, tmp  string
	small     string // a small message
	big       string // the large message
	bigBytes  int64
	sinkUp    bool
	dnsUp     bool
	goSMTP    string // address of our own SMTP sink
	goSMTPmx  string // the same on 127.0.0.2 (mx1.real.test)
	goBDAT    string // our own sink offering PIPELINING and CHUNKING
	goTLS     string // the same offering STARTTLS too
	goTLSmx   string // the same on 127.0.0.2, for MX names (dane.go)
	goDiscard string
	goTLSDisc string // a TLS discard server
	goQMTP    string // our own QMTP sink
}

func run() error {
	top, _ := os.Getwd()
	b := &bench{bin: filepath.Join(top, "bin")}
	for _, p := range []string{"qmail-remote", "mxlookup", "smtpclient"} {
		if _, err := os.Stat(filepath.Join(b.bin, p)); err != nil {
			return fmt.Errorf("%s: run make first (or make bench from the top of the tree)", err)
		}
	}
	var err error
	if b.tmp, err = os.MkdirTemp("", "qrbench."); err != nil {
		return err
	}
	defer os.RemoveAll(b.tmp)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() { <-sigs; removeNamespaces(); os.RemoveAll(b.tmp); os.Exit(111) }()

	if err := b.messages(); err != nil {
		return err
	}
	b.sinkUp = reachable(*sinkTCP)
	b.dnsUp = reachable(*dnsTCP) // unbound answers on TCP too
	plain := func(ln net.Listener) { serveSMTP(ln, "") }
	chunks := func(ln net.Listener) { serveSMTP(ln, "PIPELINING,CHUNKING") }
	starttls := func(ln net.Listener) { serveSMTP(ln, "PIPELINING,CHUNKING,STARTTLS") }
	for _, s := range []struct {
		addr string
		dst  *string
		f    func(net.Listener)
	}{{"127.0.0.1:0", &b.goSMTP, plain}, {"127.0.0.2:0", &b.goSMTPmx, plain}, {"127.0.0.1:0", &b.goBDAT, chunks},
		{"127.0.0.1:0", &b.goDiscard, serveDiscard}, {"127.0.0.1:0", &b.goTLS, starttls}, {"127.0.0.2:0", &b.goTLSmx, starttls},
		{"127.0.0.1:0", &b.goTLSDisc, serveTLSDiscard}, {"127.0.0.1:0", &b.goQMTP, serveQMTP}} {
		ln, err := net.Listen("tcp", s.addr)
		if err != nil {
			return err
		}
		defer ln.Close()
		*s.dst = ln.Addr().String()
		go s.f(ln)
	}

	started := time.Now()
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		loadBefore = strings.Join(strings.Fields(string(load))[:3], " ")
	}
	for _, p := range []struct {
		name string
		f    func()
	}{{"throughput", b.throughput}, {"sinks", b.sinks},
		{"memory", func() { b.memory(); b.memoryTLS(); b.memoryQMTP() }},
		{"large", func() { b.large(); b.largeTLS(); b.largeQMTP() }},
		{"rtt", func() { b.rtt(); b.rttTLS(); b.rttQMTP() }},
		{"startup", b.startup}, {"floor", b.floor}, {"mtasts", b.mtasts}, {"dane", b.dane}, {"reuse", b.reuse}} {
		if *only == "" || *only == p.name {
			p.f()
		}
	}
	b.print(started)
	if len(failures) > 0 {
		return fmt.Errorf("%d rows failed: %s", len(failures), strings.Join(failures, "; "))
	}
	return nil
}

// messages writes the small message and the large one: text lines of
// varied length, some starting with a dot, every 50th with 8-bit bytes.
func (b *bench) messages() error {
	b.small = filepath.Join(b.tmp, "small")
	hdr := "Received: (qmail 4242 invoked by uid 1000); 1 Jan 2026 00:00:00 -0000\n" +
		"From: bench@qr.test\nTo: sink@bench.test\nSubject: a small message\n" +
		"Date: Thu, 1 Jan 2026 00:00:00 +0000\nMessage-ID: <bench@qr.test>\n\n"
	body := strings.Repeat("A line of a small message, as most mail is: short.\n", 12)
	if err := os.WriteFile(b.small, []byte(hdr+body), 0o644); err != nil {
		return err
	}
	b.big = filepath.Join(b.tmp, "big")
	f, err := os.Create(b.big)
	if err != nil {
		return err
	}
	defer f.Close()
	want := int64(*bigMB) * 1000 * 1000
	var buf bytes.Buffer
	buf.WriteString(hdr)
	for i := 0; int64(buf.Len())+b.bigBytes < want; i++ {
		switch {
		case i%17 == 0:
			fmt.Fprintf(&buf, ".a line with a leading dot, number %d\n", i)
		case i%50 == 0:
			fmt.Fprintf(&buf, "8-bit: caf\xc3\xa9 na\xc3\xafve \xe2\x82\xac %d\n", i)
		case i%23 == 0:
			buf.WriteString("\n")
		default:
			fmt.Fprintf(&buf, "line %d of a large message, %s\n", i, strings.Repeat("x", i%61))
		}
		if buf.Len() > 1<<20 {
			n, err := f.Write(buf.Bytes())
			if err != nil {
				return err
			}
			b.bigBytes += int64(n)
			buf.Reset()
		}
	}
	n, err := f.Write(buf.Bytes())
	b.bigBytes += int64(n)
	return err
}

func reachable(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// home makes a qmail home with control/me and these smtproutes lines.
func (b *bench) home(name string, routes ...string) string {
	h := filepath.Join(b.tmp, "home-"+name)
	os.MkdirAll(filepath.Join(h, "control"), 0o755)
	os.WriteFile(filepath.Join(h, "control", "me"), []byte("bench.qr.test\n"), 0o644)
	os.WriteFile(filepath.Join(h, "control", "smtproutes"), []byte(strings.Join(routes, "\n")+"\n"), 0o644)
	return h
}

func (b *bench) env(home string) []string {
	return append(os.Environ(), "QMAILHOME="+home, "DNSCACHEIP="+*dnsTCP)
}

// command is one delivery: qmail-remote HOST with the message on fd 0.
func (b *bench) command(home, host, msg string) (*exec.Cmd, *os.File, error) {
	f, err := os.Open(msg)
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.Command(filepath.Join(b.bin, "qmail-remote"), host, "bench@qr.test", "sink@real.test")
	cmd.Env = b.env(home)
	cmd.Stdin = f
	return cmd, f, nil
}

// deliver runs one delivery and returns an error unless it ended in K.
func (b *bench) deliver(home, host, msg string) error {
	_, err := b.lastReport(home, host, msg)
	return err
}

func okReport(out []byte) error {
	reports := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	last := reports[len(reports)-1]
	if !strings.HasPrefix(last, "K") {
		return errors.New(strings.ReplaceAll(strings.TrimSpace(last), "\n", " / "))
	}
	return nil
}

func childCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// throughput: n small messages to smtp-sink at concurrency 1 and 20.
func (b *bench) throughput() {
	what := func(c int) string { return fmt.Sprintf("%d small messages to smtp-sink, concurrency %d", *nSmall, c) }
	if !b.sinkUp {
		for _, c := range []int{1, 20} {
			add(what(c), "skipped", "smtp-sink is not running on "+*sinkTCP+" (tests/real/setup)")
		}
		return
	}
	home := b.home("sink", ":["+strings.Replace(*sinkTCP, ":", "]:", 1))
	for _, conc := range []int{1, 20} {
		wall, cpu, fails, firstErr := batch(conc, *nSmall, func() error { return b.deliver(home, "sink.test", b.small) })
		note := fmt.Sprintf("%.2f ms CPU per delivery (qmail-remote + smtpclient); %.1f s in all", ms(cpu)/float64(*nSmall), wall.Seconds())
		if fails > 0 {
			note += fmt.Sprintf("; %d NOT delivered, first: %v", fails, firstErr)
		}
		add(what(conc), fmt.Sprintf("%.0f deliveries/s", float64(*nSmall)/wall.Seconds()), note)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// measure runs one delivery under ptrace and sums the peaks.
func (b *bench) measure(home, host, msg string) (int, string, error) {
	cmd, f, err := b.command(home, host, msg)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	out, err := os.CreateTemp(b.tmp, "out")
	if err != nil {
		return 0, "", err
	}
	defer out.Close()
	cmd.Stdout = out
	ps, err := peaks(cmd)
	if err != nil {
		return 0, "", err
	}
	data, _ := os.ReadFile(out.Name())
	if err := okReport(data); err != nil {
		return 0, "", err
	}
	return sum(ps)
}

func sum(ps []peak) (int, string, error) {
	total := 0
	var parts []string
	for _, p := range ps {
		total += p.kb
		parts = append(parts, fmt.Sprintf("%s %.1f", p.name, mb(p.kb)))
	}
	return total, strings.Join(parts, " + "), nil
}

func mb(kb int) float64 { return float64(kb) / 1024 }

// memory: the peak of one small delivery, by an IP literal route and by
// an MX lookup through unbound.
func (b *bench) memory() {
	lit := b.home("lit", ":["+strings.Replace(b.goSMTP, ":", "]:", 1))
	if kb, parts, err := b.measure(lit, "sink.test", b.small); err != nil {
		add("peak memory of one small delivery, IP literal route", "failed", err.Error())
	} else {
		add("peak memory of one small delivery, IP literal route", fmt.Sprintf("%.1f MiB", mb(kb)), "sum of VmHWM: "+parts+" MiB")
	}
	if !b.dnsUp {
		add("peak memory of one small delivery, MX route", "skipped", "unbound is not running on "+*dnsTCP+" (tests/real/setup)")
		return
	}
	_, port, _ := net.SplitHostPort(b.goSMTPmx)
	mx := b.home("mx", "::"+port)
	if kb, parts, err := b.measure(mx, "real.test", b.small); err != nil {
		add("peak memory of one small delivery, MX route", "failed", err.Error())
	} else {
		add("peak memory of one small delivery, MX route", fmt.Sprintf("%.1f MiB", mb(kb)), "sum of VmHWM: "+parts+" MiB (real.test via unbound)")
	}
}

// large: the big message through the pipeline, and the raw copy. The
// two alternate, five times each, and the best of each counts: this
// machine may be busy with other work, and the best run is the one
// least disturbed.
func (b *bench) large() {
	size := float64(b.bigBytes) / 1e6
	what := fmt.Sprintf("one %.0f MB message", size)
	rate := func(d time.Duration) float64 { return size / d.Seconds() }
	lit := b.home("big", ":["+strings.Replace(b.goSMTP, ":", "]:", 1))
	self, _ := os.Executable()
	rawCopy := func() error { return exec.Command(self, "-rawcopy", b.goDiscard, b.big).Run() }
	r, err := versus(rawCopy, func() error { return b.deliver(lit, "big.test", b.big) })
	if err != nil {
		add(what+", pipeline to the bench's SMTP sink", "failed", err.Error())
		return
	}
	add(what+", raw copy to a TCP discard server (ceiling)", fmt.Sprintf("%.0f MB/s", rate(r.ceil)),
		fmt.Sprintf("peak %.1f MiB; a 64 KiB read/write loop, no conversion; best of %d", mb(rawCopyPeak("-rawcopy", b.goDiscard, b.big)), *bigRuns))
	kb, parts, err := b.measure(lit, "big.test", b.big)
	if err != nil {
		parts = err.Error()
	}
	add(what+", pipeline to the bench's SMTP sink", fmt.Sprintf("%.0f MB/s", rate(r.pipe)),
		fmt.Sprintf("%s; peak %.1f MiB (%s MiB); %.0f ms CPU; best of %d", r.ratios("ceiling"), mb(kb), parts, ms(r.pipeCPU), *bigRuns))
	// The same to a sink that offers CHUNKING: 1 MiB BDAT chunks.
	bdat := b.home("bigbdat", ":["+strings.Replace(b.goBDAT, ":", "]:", 1))
	r, err = versus(rawCopy, func() error { return b.deliver(bdat, "big.test", b.big) })
	if err != nil {
		add(what+", BDAT chunks to the bench's SMTP sink", "failed", err.Error())
		return
	}
	kb, parts, err = b.measure(bdat, "big.test", b.big)
	if err != nil {
		parts = err.Error()
	}
	add(what+", BDAT chunks to the bench's SMTP sink", fmt.Sprintf("%.0f MB/s", rate(r.pipe)),
		fmt.Sprintf("%s (%.0f MB/s in these turns); peak %.1f MiB (%s MiB); %.0f ms CPU; best of %d; PIPELINING and CHUNKING offered",
			r.ratios("ceiling"), rate(r.ceil), mb(kb), parts, ms(r.pipeCPU), *bigRuns))
	if b.sinkUp {
		home := b.home("bigsink", ":["+strings.Replace(*sinkTCP, ":", "]:", 1))
		var best time.Duration
		for i := 0; i < 3; i++ {
			t0 := time.Now()
			if err := b.deliver(home, "big.test", b.big); err != nil {
				add(what+", pipeline to smtp-sink", "failed", err.Error())
				return
			}
			if d := time.Since(t0); best == 0 || d < best {
				best = d
			}
		}
		add(what+", pipeline to smtp-sink", fmt.Sprintf("%.0f MB/s", rate(best)),
			"smtp-sink reads line by line and is the bottleneck here; best of 3")
	}
}

// rtt: small deliveries over the slow link to the bench's own sink,
// offering nothing (lock step), PIPELINING, or PIPELINING and CHUNKING:
// the round trips of one delivery (its best wall time against the best
// on the same link with no delay, over the round trip: the best run is
// the one least disturbed by other work, as in large), and the
// deliveries per second at concurrency 20 (qmail's default
// concurrencyremote), with the CPU they cost: on a busy 2-core machine
// that rate is bound by CPU, not by the link.
func (b *bench) rtt() {
	home := b.home("rtt", linkRoute)
	var lock float64 // lock step's rate
	for _, m := range []struct{ name, ext string }{
		{"lock step", ""}, {"PIPELINING", "PIPELINING"}, {"PIPELINING and CHUNKING", "PIPELINING,CHUNKING"},
	} {
		rate, ok := b.linkRows(m.name, smtpPeer(m.ext), home, *rttMany, "qmail-remote, smtpclient",
			"; TUN relay in user space (no sch_netem here)", lock)
		if !ok {
			return
		}
		if lock == 0 {
			lock = rate
		}
	}
}

// linkServer is where the bench's sink listens behind the link, and
// linkRoute the smtproutes or qmtproutes line that leads there.
const (
	linkServer = addrServer + ":2525"
	linkRoute  = ":[" + addrServer + "]:2525"
)

// smtpPeer and qmtpPeer are the bench's own arguments that run its SMTP
// sink offering ext, or its QMTP sink, on linkServer.
func smtpPeer(ext string) []string { return []string{"-serve", linkServer, ext} }
func qmtpPeer() []string           { return []string{"-serveqmtp", linkServer} }

// overLink makes the link with delay d each way and the bench's sink
// (the bench run with the arguments peer) behind it, and returns the
// best wall time of *rttN deliveries with the qmail home home, one after
// the other; then, when many > 0, the rate of many deliveries at
// concurrency 20 and their CPU per delivery.
func (b *bench) overLink(d time.Duration, peer []string, home string, many int) (best time.Duration, rate float64, cpu time.Duration, err error) {
	l, err := newLink(d)
	if err != nil {
		return 0, 0, 0, err
	}
	defer l.close()
	self, _ := os.Executable()
	srv := exec.Command("ip", append([]string{"netns", "exec", nsServer, self}, peer...)...)
	srv.Stderr = os.Stderr // the sink's trace with BENCH_DEBUG set
	if err := srv.Start(); err != nil {
		return 0, 0, 0, err
	}
	defer func() { srv.Process.Kill(); srv.Wait() }()
	one := func() (time.Duration, error) {
		f, err := os.Open(b.small)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		cmd := exec.Command("ip", "netns", "exec", nsClient, filepath.Join(b.bin, "qmail-remote"), "rtt.test", "bench@qr.test", "sink@real.test")
		cmd.Env, cmd.Stdin = b.env(home), f
		var out bytes.Buffer
		cmd.Stdout = &out
		t0 := time.Now()
		if err := cmd.Run(); err != nil {
			return 0, err
		}
		return time.Since(t0), okReport(out.Bytes())
	}
	// the first delivery waits for the server to listen
	for i := 0; ; i++ {
		if _, err := one(); err == nil {
			break
		} else if i == 50 {
			return 0, 0, 0, fmt.Errorf("no delivery over the link: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var ts []time.Duration
	for i := 0; i < *rttN; i++ {
		t, err := one()
		if err != nil {
			return 0, 0, 0, err
		}
		ts = append(ts, t)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	if many == 0 {
		return ts[0], 0, 0, nil
	}
	if rate, cpu, err = b.many(home, many); err != nil {
		return 0, 0, 0, err
	}
	return ts[0], rate, cpu, nil
}

func (b *bench) print(started time.Time) {
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("make bench  (%s, %s, %d CPUs, Linux %s, %.0f s; load average before %s, after %s)\n\n",
		time.Now().UTC().Format("2006-01-02"), runtime.Version(), runtime.NumCPU(), strings.TrimSpace(string(kernel)),
		time.Since(started).Seconds(), loadBefore, strings.Join(strings.Fields(string(load))[:3], " "))
	w1, w2 := 0, 0
	for _, r := range rows {
		w1, w2 = max(w1, len(r.what)), max(w2, len(r.value))
	}
	fmt.Printf("| %-*s | %-*s | %s |\n", w1, "measure", w2, "figure", "details")
	fmt.Printf("|%s|%s|%s|\n", strings.Repeat("-", w1+2), strings.Repeat("-", w2+2), "---")
	for _, r := range rows {
		fmt.Printf("| %-*s | %-*s | %s |\n", w1, r.what, w2, r.value, r.note)
	}
}
