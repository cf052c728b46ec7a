//go:build linux

package main

// reuse: the SMTP session cache over the slow link (issue 21 item 6).
// *nReuse small messages, one recipient each, to one destination (the
// bench's sink behind the link, offering PIPELINING and CHUNKING) at
// concurrency 20, in clear text and with STARTTLS, each without and with
// the cache (bin/qmail-scache under the row's own QMAILHOME), side by
// side:
//
//   - deliveries per second: the wall time of the batch alone;
//   - CPU per delivery of every process the row ran: the bench starts
//     its helper (`bench -reusehelper`, in the client's namespace) in a
//     cgroup of its own (cgroup v2, clone3 into it), so qmail-remote, its
//     stages, qmail-scache and the tlswrap processes that smtpclient
//     leaves running detached (not children of anyone the bench waits
//     for) are all counted; the row ends when the cgroup is empty, and
//     the helper's own CPU (starting the deliveries) is taken off, as the
//     other rows count only the pipeline;
//   - round trips per delivery, measured by the sink (sink.go,
//     flightConn): each connection costs two (the TCP handshake, the
//     greeting), then every flight of the client's that the sink
//     answered and the client waited for: the sink counts a flight when
//     it reads after it last wrote; a QUIT that opens a flight is not
//     counted (the client does not wait for 221); the handshake's flights
//     are counted below TLS. The sum over the row's connections, over
//     the messages the sink took;
//   - the connections the sink saw.
//
// Every delivery must end in K, and the sink must have taken exactly
// as many messages: anything else fails the row and the bench (exit
// 111) after the table is printed.

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"qmail-remote-go/lib/scache"
)

var (
	nReuse      = flag.Int("reusen", 1000, "small messages per row and pass of the reuse part")
	reusePasses = flag.Int("reusepasses", 2, "passes of the reuse part's rows, taking turns")
	reuseOne    = flag.Int("reuseone", 30, "deliveries one at a time per row of the reuse part, after the passes (0: none)")
)

// failures are the rows that must fail the bench (after the table).
var failures []string

func failRow(what, why string) {
	add(what, "FAILED", why)
	failures = append(failures, what+": "+why)
}

// The sinks of the reuse part, behind the link.
const (
	reuseClearServer = addrServer + ":2525"
	reuseTLSServer   = addrServer + ":2526"
)

func (b *bench) reuse() {
	what := func(name string) string {
		return fmt.Sprintf("%d x %d small messages over a link with %v each way, concurrency 20, %s", *reusePasses, *nReuse, *delay, name)
	}
	if os.Geteuid() != 0 {
		add(what("session cache"), "skipped", "needs root (ip netns, /dev/net/tun, cgroups)")
		return
	}
	if _, err := exec.LookPath("ip"); err != nil {
		add(what("session cache"), "skipped", "no ip command (iproute2)")
		return
	}
	daemon := filepath.Join(b.bin, "qmail-scache")
	if _, err := os.Stat(daemon); err != nil {
		daemon = ""
	}
	l, err := newLink(*delay)
	if err != nil {
		failRow(what("session cache"), err.Error())
		return
	}
	defer l.close()
	clearSink, err := startSink(reuseClearServer, "PIPELINING,CHUNKING")
	if err != nil {
		failRow(what("session cache"), err.Error())
		return
	}
	defer clearSink.stop()
	tlsSink, err := startSink(reuseTLSServer, "PIPELINING,CHUNKING,STARTTLS")
	if err != nil {
		failRow(what("session cache"), err.Error())
		return
	}
	defer tlsSink.stop()

	type contender struct {
		name   string
		sink   *sinkProc
		server string
		cache  bool
		home   string
		r, one reuseResult
		err    error
	}
	cs := []*contender{
		{name: "clear text, no cache", sink: clearSink, server: reuseClearServer},
		{name: "clear text, session cache", sink: clearSink, server: reuseClearServer, cache: true},
		{name: "STARTTLS, no cache", sink: tlsSink, server: reuseTLSServer},
		{name: "STARTTLS, session cache", sink: tlsSink, server: reuseTLSServer, cache: true},
	}
	// The first deliveries wait for the sinks to listen, without a cache.
	for i, server := range []string{reuseClearServer, reuseTLSServer} {
		if err := b.linkReady(b.reuseHome(fmt.Sprintf("reuse-warm-%d", i), server, false)); err != nil {
			failRow(what("session cache"), err.Error())
			return
		}
	}
	for i, c := range cs {
		if c.cache && daemon == "" {
			add(what(c.name), "skipped", "no bin/qmail-scache (make)")
			c.err = errors.New("skipped")
		}
		c.home = b.reuseHome(fmt.Sprintf("reuse-%d", i), c.server, c.cache)
	}
	// The rows take turns, in one order and then in the other, so that
	// other work on this shared machine weighs on all of them alike.
	for p := 0; p < *reusePasses; p++ {
		for k := range cs {
			c := cs[k]
			if p%2 == 1 {
				c = cs[len(cs)-1-k]
			}
			if c.err != nil {
				continue
			}
			r, err := b.reuseRow(c.sink, c.home, daemon, c.cache, *nReuse, 20)
			if err != nil {
				c.err = err
				failRow(what(c.name), err.Error())
				continue
			}
			c.r.plus(r)
		}
	}
	// Then one at a time: the median wall time of a delivery, against
	// the link's round trip, checks the sink's count.
	for _, c := range cs {
		if c.err != nil || *reuseOne == 0 {
			continue
		}
		if c.one, c.err = b.reuseRow(c.sink, c.home, daemon, c.cache, *reuseOne, 1); c.err != nil {
			failRow(what(c.name), "one at a time: "+c.err.Error())
		}
	}
	for i, c := range cs {
		if c.err != nil {
			continue
		}
		r := c.r
		if r.cpuHow == "every process of the row, by cgroup" {
			r.cpuHow += fmt.Sprintf("; %.1f ms of it in the processes the helper waited for", ms(r.waited/time.Duration(r.n)))
		}
		note := fmt.Sprintf("%.1f ms CPU per delivery (%s); %.2f round trips per delivery measured by the sink (%d answered flights + 2 x %d connections, over %d messages); %d connections; %.1f s in %d passes taking turns with the other rows, both orders",
			ms(r.cpuPer()), r.cpuHow, r.roundTrips(), r.flights, r.conns, r.msgs, r.conns, r.wall.Seconds(), *reusePasses)
		if *reuseOne > 0 {
			note += fmt.Sprintf("; one at a time (%d more): %.0f ms a delivery, the median, %.2fx the round trip of %v, CPU included",
				c.one.n, ms(c.one.median), float64(c.one.median)/float64(2**delay), 2**delay)
		}
		if c.cache {
			note += fmt.Sprintf("; %d of %d K reports said Session reused", r.reused, r.n)
			if base := cs[i-1]; base.err == nil {
				note = fmt.Sprintf("%.2fx the deliveries/s and %.2fx the CPU per delivery of no cache; ", r.rate()/base.r.rate(), float64(r.cpuPer())/float64(base.r.cpuPer())) + note
			}
		}
		if c.sink == tlsSink {
			note += fmt.Sprintf("; a TLS line in %d K reports", r.tlsLines)
		}
		add(what(c.name), fmt.Sprintf("%.1f deliveries/s", r.rate()), note)
	}
}

// reuseHome makes a qmail home whose smtproutes leads to server behind
// the link, with the cache's directory when cache is set.
func (b *bench) reuseHome(name, server string, cache bool) string {
	h := b.home(name, ":["+strings.Replace(server, ":", "]:", 1))
	if cache {
		os.MkdirAll(filepath.Join(h, scache.Dir), 0o700)
		os.Chmod(filepath.Join(h, scache.Dir), 0o700)
	}
	return h
}

// linkReady delivers one message with the qmail home home over the link,
// trying for 5 s while the sink starts.
func (b *bench) linkReady(home string) error {
	for i := 0; ; i++ {
		f, err := os.Open(b.small)
		if err != nil {
			return err
		}
		cmd := exec.Command("ip", "netns", "exec", nsClient, filepath.Join(b.bin, "qmail-remote"), "reuse.test", "bench@qr.test", "sink@real.test")
		cmd.Env, cmd.Stdin = b.env(home), f
		out, err := cmd.Output()
		f.Close()
		if err == nil {
			err = okReport(out)
		}
		if err == nil {
			return nil
		}
		if i == 50 {
			return fmt.Errorf("no delivery over the link: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A sinkProc is the bench's SMTP sink run in the server's namespace,
// printing what it saw on SIGUSR1.
type sinkProc struct {
	cmd *exec.Cmd
	out *os.File
	r   *bufio.Reader
}

func startSink(addr, ext string) (*sinkProc, error) {
	self, _ := os.Executable()
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("ip", "netns", "exec", nsServer, self, "-serve", addr, ext)
	cmd.Stdout, cmd.Stderr = w, os.Stderr
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return nil, err
	}
	w.Close()
	return &sinkProc{cmd: cmd, out: r, r: bufio.NewReader(r)}, nil
}

func (s *sinkProc) stop() {
	s.cmd.Process.Kill()
	s.cmd.Wait()
	s.out.Close()
}

// sinkSaw is what a sink saw (sinkStats).
type sinkSaw struct{ conns, open, msgs, flights int64 }

func (s *sinkProc) saw() (v sinkSaw, err error) {
	if err := s.cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		return v, err
	}
	s.out.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := s.r.ReadString('\n')
	if err != nil {
		return v, fmt.Errorf("the sink said nothing: %v", err)
	}
	if _, err := fmt.Sscan(line, &v.conns, &v.open, &v.msgs, &v.flights); err != nil {
		return v, fmt.Errorf("the sink said %q", line)
	}
	return v, nil
}

// closed waits up to 15 s for the sink's connections to end, and gives
// what it saw then.
func (s *sinkProc) closed() (sinkSaw, error) {
	for i := 0; ; i++ {
		v, err := s.saw()
		if err != nil || v.open == 0 {
			return v, err
		}
		if i == 150 {
			return v, fmt.Errorf("%d connections to the sink still open 15 s after the deliveries", v.open)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// reuseResult is what rows measured: cpu is the CPU of every process,
// waited that of the processes the helper waited for, both in all.
type reuseResult struct {
	n, reused, tlsLines  int
	wall, cpu, waited    time.Duration
	median               time.Duration // of one delivery
	cpuHow               string
	conns, msgs, flights int64
}

func (r *reuseResult) plus(o reuseResult) {
	r.n += o.n
	r.reused += o.reused
	r.tlsLines += o.tlsLines
	r.wall += o.wall
	r.cpu += o.cpu
	r.waited += o.waited
	r.cpuHow = o.cpuHow
	r.conns += o.conns
	r.msgs += o.msgs
	r.flights += o.flights
}

func (r reuseResult) rate() float64         { return float64(r.n) / r.wall.Seconds() }
func (r reuseResult) cpuPer() time.Duration { return r.cpu / time.Duration(r.n) }
func (r reuseResult) roundTrips() float64 {
	return float64(r.flights+2*r.conns) / float64(r.msgs)
}

// reuseRow runs one row: *nReuse deliveries by the helper in the
// client's namespace, in a cgroup of its own, with qmail-scache when
// cache is set.
func (b *bench) reuseRow(sink *sinkProc, home, daemon string, cache bool, n, conc int) (r reuseResult, err error) {
	before, err := sink.closed()
	if err != nil {
		return r, err
	}
	cg, cgErr := newCgroup(fmt.Sprintf("qrbench-reuse-%d", os.Getpid()))
	var cpu0 time.Duration
	if cgErr == nil {
		defer cg.remove()
		if cpu0, err = cg.usage(); err != nil {
			return r, err
		}
	}
	if !cache {
		daemon = "-"
	}
	self, _ := os.Executable()
	cmd := exec.Command("ip", "netns", "exec", nsClient, self, "-reusehelper", strconv.Itoa(n), strconv.Itoa(conc), filepath.Join(b.bin, "qmail-remote"), b.small, daemon)
	var stderr bytes.Buffer
	cmd.Env, cmd.Stderr = b.env(home), io.MultiWriter(os.Stderr, &stderr)
	if cgErr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: int(cg.fd.Fd())}
	}
	out, err := cmd.Output()
	if err != nil {
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		return r, fmt.Errorf("-reusehelper: %v: %s", err, lines[len(lines)-1])
	}
	var wall, selfCPU, childCPU int64
	var median int64
	if _, err := fmt.Sscan(string(out), &wall, &selfCPU, &childCPU, &r.tlsLines, &r.reused, &median); err != nil {
		return r, fmt.Errorf("-reusehelper printed %q", out)
	}
	r.n, r.wall, r.waited, r.median = n, time.Duration(wall), time.Duration(childCPU), time.Duration(median)
	after, err := sink.closed()
	if err != nil {
		return r, err
	}
	r.conns, r.msgs, r.flights = after.conns-before.conns, after.msgs-before.msgs, after.flights-before.flights
	if r.msgs != int64(r.n) {
		return r, fmt.Errorf("%d K reports, but the sink took %d messages", r.n, r.msgs)
	}
	if cgErr == nil {
		if !cg.waitEmpty(15 * time.Second) {
			return r, errors.New("processes of the row still running 15 s after it (a detached tlswrap?)")
		}
		cpu1, err := cg.usage()
		if err != nil {
			return r, err
		}
		r.cpu = cpu1 - cpu0 - time.Duration(selfCPU)
		r.cpuHow = "every process of the row, by cgroup"
	} else {
		r.cpu = r.waited
		r.cpuHow = "the waited-for processes only, no cgroup v2 (" + cgErr.Error() + ")"
	}
	return r, nil
}

// reuseHelper is the -reusehelper mode, run in the client's namespace
// with QMAILHOME set: args N CONC QMAILREMOTE MSG SCACHE. It starts
// SCACHE (unless "-") and waits for its socket, makes N deliveries at
// concurrency CONC, each of which must end in K, stops SCACHE with
// SIGTERM, and prints the batch's wall time, its own CPU and that of
// its waited-for children (ns), how many K reports had a TLS line and a
// Session reused line, and the median wall time of one delivery (ns).
func reuseHelper(args []string) error {
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 1 {
		return fmt.Errorf("-reusehelper: bad count %q", args[0])
	}
	conc, err := strconv.Atoi(args[1])
	if err != nil || conc < 1 {
		return fmt.Errorf("-reusehelper: bad concurrency %q", args[1])
	}
	qr, msg, prog := args[2], args[3], args[4]
	var daemon *exec.Cmd
	if prog != "-" {
		sock := scache.Path() // under $QMAILHOME
		os.Remove(sock)
		daemon = exec.Command(prog)
		daemon.Stderr = os.Stderr
		if err := daemon.Start(); err != nil {
			return err
		}
		for i := 0; ; i++ {
			if _, err := os.Stat(sock); err == nil {
				break
			}
			if i == 100 {
				daemon.Process.Kill()
				daemon.Wait()
				return fmt.Errorf("%s made no socket %s in 5 s", prog, sock)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	var tlsLines, reused atomic.Int64
	var mu sync.Mutex
	var times []time.Duration // of each delivery
	one := func() error {
		t0 := time.Now()
		defer func() {
			mu.Lock()
			times = append(times, time.Since(t0))
			mu.Unlock()
		}()
		f, err := os.Open(msg)
		if err != nil {
			return err
		}
		defer f.Close()
		cmd := exec.Command(qr, "reuse.test", "bench@qr.test", "sink@real.test")
		cmd.Stdin = f
		var out bytes.Buffer
		cmd.Stdout = &out
		if err := cmd.Run(); err != nil {
			return err
		}
		if err := okReport(out.Bytes()); err != nil {
			return err
		}
		if bytes.Contains(out.Bytes(), []byte("\nTLS: ")) {
			tlsLines.Add(1)
		}
		if bytes.Contains(out.Bytes(), []byte("\nSession reused: ")) {
			reused.Add(1)
		}
		return nil
	}
	wall, _, fails, first := batch(conc, n, one)
	if daemon != nil {
		daemon.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- daemon.Wait() }()
		select {
		case err := <-done:
			if err != nil && fails == 0 {
				return fmt.Errorf("qmail-scache: %v", err)
			}
		case <-time.After(10 * time.Second):
			daemon.Process.Kill()
			<-done
			return errors.New("qmail-scache did not stop within 10 s of SIGTERM")
		}
	}
	if fails > 0 {
		return fmt.Errorf("%d of %d deliveries did not end in K, first: %v", fails, n, first)
	}
	var self syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	slices.Sort(times)
	fmt.Printf("%d %d %d %d %d %d\n", wall.Nanoseconds(), self.Utime.Nano()+self.Stime.Nano(), childCPU().Nanoseconds(), tlsLines.Load(), reused.Load(), times[len(times)/2])
	return nil
}

// A cgroup (v2) of the bench's own, for the CPU of every process in it,
// exited or not.
type cgroup struct {
	dir string
	fd  *os.File
}

// cgroup2 is where the cgroup v2 hierarchy is mounted ("" if not).
func cgroup2() string {
	data, _ := os.ReadFile("/proc/self/mounts")
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) > 2 && f[2] == "cgroup2" {
			return f[1]
		}
	}
	return ""
}

func newCgroup(name string) (*cgroup, error) {
	mnt := cgroup2()
	if mnt == "" {
		return nil, errors.New("no cgroup2 in /proc/self/mounts")
	}
	dir := filepath.Join(mnt, name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, err
	}
	fd, err := os.Open(dir)
	if err != nil {
		os.Remove(dir)
		return nil, err
	}
	return &cgroup{dir, fd}, nil
}

func (g *cgroup) usage() (time.Duration, error) {
	data, err := os.ReadFile(filepath.Join(g.dir, "cpu.stat"))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "usage_usec "); ok {
			us, err := strconv.ParseInt(v, 10, 64)
			return time.Duration(us) * time.Microsecond, err
		}
	}
	return 0, errors.New(g.dir + "/cpu.stat: no usage_usec")
}

// waitEmpty waits up to d for the cgroup to hold no process.
func (g *cgroup) waitEmpty(d time.Duration) bool {
	for end := time.Now().Add(d); ; {
		data, _ := os.ReadFile(filepath.Join(g.dir, "cgroup.events"))
		if strings.Contains(string(data), "populated 0") {
			return true
		}
		if time.Now().After(end) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// remove kills what is left in the cgroup and removes it.
func (g *cgroup) remove() {
	if !g.waitEmpty(0) {
		os.WriteFile(filepath.Join(g.dir, "cgroup.kill"), []byte("1"), 0)
		g.waitEmpty(5 * time.Second)
	}
	g.fd.Close()
	os.Remove(g.dir)
}
