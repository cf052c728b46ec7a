//go:build linux

package main

// The floor of the design (issue 12, items 1 and 2): what a delivery
// would cost if every stage did nothing but start. Three programs are
// built here, into the bench's temp folder, with conf-cc's command line
// (static, -trimpath, -ldflags -s) and the module's go.mod settings
// (its godebug lines): a do-nothing Go program, and a do-nothing Go
// program that starts it 1, 2 or 3 times in turn and waits for each.
//
//	floor of 2 processes: qmail-remote + smtpclient (a literal route)
//	floor of 3 processes: + mxlookup (an MX route)
//	floor of 4 processes: + tlswrap (STARTTLS), plus the client side of
//	  one TLS 1.3 handshake measured on its own, in this process
//
// The starter uses syscall.ForkExec and syscall.Wait4 (package syscall
// alone, not os or os/exec), so it is a floor: no Go program can start
// and wait for another for less. The floors and the deliveries take
// turns in blocks, at concurrency 1 and 20, and each delivery row
// prints its CPU per delivery as a multiple of its floor of that run.

import (
	"crypto/tls"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"time"
)

var (
	nFloor = flag.Int("floorn", 600, "runs of each floor and deliveries of each shape per concurrency level (floor)")
	nHS    = flag.Int("hsn", 300, "TLS handshakes measured in-process (floor)")
)

const floorNothing = `package main

func main() {}
`

// floorStarter's child and children are set with -X (a string, as -X
// sets only strings: "1", "2" or "3").
const floorStarter = `package main

import "syscall"

var child, children string

func main() {
	argv, env := []string{child}, syscall.Environ()
	for i := 0; i < int(children[0]-'0'); i++ {
		pid, err := syscall.ForkExec(child, argv, &syscall.ProcAttr{Env: env, Files: []uintptr{0, 1, 2}})
		if err != nil {
			syscall.Exit(111)
		}
		var ws syscall.WaitStatus
		for {
			_, err = syscall.Wait4(pid, &ws, 0, nil)
			if err != syscall.EINTR {
				break
			}
		}
		if err != nil || !ws.Exited() || ws.ExitStatus() != 0 {
			syscall.Exit(111)
		}
	}
}
`

// buildFloors builds the do-nothing program and the three starters and
// returns the starters' paths (index: children started).
func (b *bench) buildFloors() (starters [4]string, cmdLine string, err error) {
	dir := filepath.Join(b.tmp, "floor")
	for _, d := range []string{"nothing", "starter"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return starters, "", err
		}
	}
	// the module's go.mod under another name: its go and godebug lines
	// (containermaxprocs=0) change what the runtime does at start
	gomod, err := os.ReadFile("go.mod")
	if err != nil {
		return starters, "", err
	}
	gomod = regexp.MustCompile(`(?m)^module .*$`).ReplaceAll(gomod, []byte("module floor"))
	files := map[string]string{"go.mod": string(gomod), "nothing/main.go": floorNothing, "starter/main.go": floorStarter}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return starters, "", err
		}
	}
	cc, err := os.ReadFile("conf-cc")
	if err != nil {
		return starters, "", err
	}
	first, _, _ := strings.Cut(string(cc), "\n")
	cmdLine = strings.TrimSpace(first)
	argv := strings.Fields(cmdLine)
	build := func(ldflags, out, pkg string) error {
		cmd := exec.Command(argv[0], append(argv[1:], "-ldflags", ldflags, "-o", out, pkg)...)
		cmd.Dir = dir
		if msg, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v: %s", strings.Join(cmd.Args, " "), err, msg)
		}
		return nil
	}
	nothing := filepath.Join(dir, "bin-nothing")
	if err := build("-s", nothing, "./nothing"); err != nil {
		return starters, "", err
	}
	for k := 1; k <= 3; k++ {
		starters[k] = filepath.Join(dir, fmt.Sprintf("bin-starter%d", k))
		if err := build(fmt.Sprintf("-s -X main.child=%s -X main.children=%d", nothing, k), starters[k], "./starter"); err != nil {
			return starters, "", err
		}
	}
	return starters, cmdLine, nil
}

// threadCPU is the CPU time of the calling OS thread (RUSAGE_THREAD).
func threadCPU() time.Duration {
	const rusageThread = 1
	var ru syscall.Rusage
	syscall.Getrusage(rusageThread, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// hsResult is the CPU of n TLS handshakes over loopback TCP, each side
// on a goroutine locked to its own thread and timed by that thread's
// CPU clock (the dial and the accept not counted), the first one (cold:
// lazy tables built, as in every new tlswrap process) apart.
type hsResult struct {
	client, server, both     time.Duration // per handshake, warm
	coldClient, coldServer   time.Duration // the first
	version, suite, exchange string
}

func handshakes(n int) (r hsResult, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return r, err
	}
	defer ln.Close()
	// tlswrap's client settings (tlswrap/config.go), no tlsdestinations:
	// nothing verified, no session cache (a new process has none)
	ccfg := &tls.Config{ServerName: "bench.sink", MinVersion: tls.VersionTLS12, Renegotiation: tls.RenegotiateNever,
		InsecureSkipVerify: true, VerifyConnection: func(tls.ConnectionState) error { return nil }}
	scfg := sinkTLS()
	type side struct {
		cold, warm time.Duration
		err        error
	}
	// record counts handshake i's CPU d on s; false (s.err set) ends the side.
	record := func(s *side, i int, d time.Duration, err error) bool {
		switch {
		case err != nil:
			s.err = err
			return false
		case i == 0:
			s.cold = d
		default:
			s.warm += d
		}
		return true
	}
	srv := make(chan side, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		var s side
		for i := 0; i < n; i++ {
			c, err := ln.Accept()
			if err != nil {
				s.err = err
				break
			}
			t0 := threadCPU()
			err = tls.Server(c, scfg).Handshake()
			d := threadCPU() - t0
			c.Close()
			if !record(&s, i, d, err) {
				break
			}
		}
		srv <- s
	}()
	cli := make(chan side, 1)
	self0 := selfCPU()
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		var s side
		for i := 0; i < n; i++ {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				s.err = err
				break
			}
			tc := tls.Client(c, ccfg)
			t0 := threadCPU()
			err = tc.Handshake()
			d := threadCPU() - t0
			if i == 0 && err == nil {
				st := tc.ConnectionState()
				r.version, r.suite, r.exchange = tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite), st.CurveID.String()
			}
			c.Close()
			if !record(&s, i, d, err) {
				break
			}
		}
		cli <- s
	}()
	c, s := <-cli, <-srv
	all := selfCPU() - self0
	if c.err != nil {
		return r, fmt.Errorf("client: %v", c.err)
	}
	if s.err != nil {
		return r, fmt.Errorf("server: %v", s.err)
	}
	if n < 2 {
		return r, fmt.Errorf("-hsn %d: need 2 or more", n)
	}
	w := time.Duration(n - 1)
	r.client, r.server, r.coldClient, r.coldServer = c.warm/w, s.warm/w, c.cold, s.cold
	r.both = all / time.Duration(n)
	return r, nil
}

func (b *bench) floor() {
	starters, cmdLine, err := b.buildFloors()
	if err != nil {
		add("floor of the design", "failed", err.Error())
		return
	}
	hs, err := handshakes(*nHS)
	if err != nil {
		add("one TLS handshake in-process", "failed", err.Error())
		return
	}
	add("one TLS handshake in-process, loopback TCP, client side (added to the STARTTLS floor)", fmt.Sprintf("%.2f ms CPU", ms(hs.client)),
		fmt.Sprintf("server side %.2f ms; whole process %.2f ms per handshake with dial, accept and GC; first (cold) handshake: client %.2f ms, server %.2f ms; mean of %d after the first; %s, %s, %s; tlswrap's client settings, the sink's ECDSA P-256 certificate; only the client side is added: the server is the peer, whose CPU no delivery row counts",
			ms(hs.server), ms(hs.both), ms(hs.coldClient), ms(hs.coldServer), *nHS-1, hs.version, hs.suite, hs.exchange))

	// an MX sink like the literal one: mx1.real.test is 127.0.0.2
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		add("floor of the design", "failed", err.Error())
		return
	}
	defer ln.Close()
	go serveSMTP(ln, "PIPELINING,CHUNKING")
	_, mxPort, _ := net.SplitHostPort(ln.Addr().String())
	lit := b.home("floor-lit", literal(b.goBDAT))
	mx := b.home("floor-mx", "::"+mxPort)
	starttls := b.home("floor-tls", literal(b.goTLS))

	type shape struct {
		what, procs, home, host string
		floor                   int // index of its starter
		tls                     bool
	}
	shapes := []shape{
		{"literal route", "qmail-remote + smtpclient", lit, "sink.test", 1, false},
		{"MX route (real.test via unbound)", "qmail-remote + mxlookup + smtpclient", mx, "real.test", 2, false},
		{"STARTTLS", "qmail-remote + smtpclient + tlswrap -d", starttls, "tls.test", 3, true},
	}
	if !b.dnsUp {
		add("small deliveries against the floor, MX route", "skipped", "unbound is not running on "+*dnsTCP+" (tests/real/setup)")
		shapes = append(shapes[:1], shapes[2])
	}
	for _, s := range shapes {
		rep, err := b.lastReport(s.home, s.host, b.small)
		if err == nil && s.tls && tlsLine(rep) == "" {
			err = fmt.Errorf("no TLS: line in %q", rep)
		}
		if err != nil {
			add("small deliveries against the floor, "+s.what, "failed", err.Error())
			return
		}
	}
	run := func(path string) func() error {
		return func() error { return exec.Command(path).Run() }
	}
	for _, conc := range []int{1, 20} {
		var cs []*contender
		floors := map[int]*contender{}
		for k := 1; k <= 3; k++ {
			floors[k] = &contender{one: run(starters[k])}
			cs = append(cs, floors[k])
		}
		var ds []*contender
		for _, s := range shapes {
			s := s
			c := &contender{one: func() error { return b.deliver(s.home, s.host, b.small) }}
			ds = append(ds, c)
			cs = append(cs, c)
		}
		turns(conc, *nFloor, 4, cs)
		for k := 1; k <= 3; k++ {
			f := floors[k]
			add(fmt.Sprintf("floor: a do-nothing Go program starting %d in turn (%d processes), concurrency %d", k, k+1, conc),
				fmt.Sprintf("%.2f ms CPU", f.perDelivery()),
				fmt.Sprintf("per run, %d runs, %.0f runs/s; built with %q -ldflags -s; syscall.ForkExec and Wait4%s", f.n, f.rate(), cmdLine, f.failNote()))
		}
		for i, s := range shapes {
			d := ds[i]
			fl := floors[s.floor].perDelivery()
			of := fmt.Sprintf("its floor of %.2f ms (%d processes)", fl, s.floor+1)
			if s.tls {
				fl += ms(hs.client)
				of = fmt.Sprintf("its floor of %.2f ms (4 processes %.2f + TLS handshake, client side, %.2f)", fl, floors[s.floor].perDelivery(), ms(hs.client))
			}
			add(fmt.Sprintf("small deliveries, %s, concurrency %d", s.what, conc),
				fmt.Sprintf("%.2f ms CPU", d.perDelivery()),
				fmt.Sprintf("%.2fx %s; %s; %d deliveries, %.0f/s; the bench's sink (PIPELINING, CHUNKING%s)%s",
					d.perDelivery()/fl, of, s.procs, d.n, d.rate(), map[bool]string{true: ", STARTTLS"}[s.tls], d.failNote()))
		}
	}
}
