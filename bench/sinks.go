//go:build linux

package main

// Deliveries to the bench's own sinks, side by side: SMTP in clear text,
// SMTP with STARTTLS, and QMTP, at concurrency 1 and 20. The three take
// turns in blocks (a quarter of the messages each time), so that other
// work on this shared machine weighs on all three alike.

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

var nOwn = flag.Int("own", 600, "small messages per concurrency level to each of the bench's own sinks")

// literal is an smtproutes or qmtproutes line routing everything to addr.
func literal(addr string) string { return ":[" + strings.Replace(addr, ":", "]:", 1) }

// homeQMTP makes a qmail home whose qmtproutes sends everything to addr.
func (b *bench) homeQMTP(name, addr string) string {
	h := b.home(name)
	os.WriteFile(filepath.Join(h, "control", "qmtproutes"), []byte(literal(addr)+"\n"), 0o644)
	return h
}

// batch runs n deliveries of one at concurrency conc and returns the wall
// time, the CPU of the waited-for children, and the failures.
func batch(conc, n int, one func() error) (wall, cpu time.Duration, fails int, firstErr error) {
	jobs := make(chan struct{})
	var mu sync.Mutex
	var wg sync.WaitGroup
	cpu0, t0 := childCPU(), time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				if err := one(); err != nil {
					mu.Lock()
					fails++
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- struct{}{}
	}
	close(jobs)
	wg.Wait()
	return time.Since(t0), childCPU() - cpu0, fails, firstErr
}

// A contender is one way of delivering, measured in turns with others.
type contender struct {
	what, procs string
	one         func() error
	wall, cpu   time.Duration
	n, fails    int
	firstErr    error
}

// turns runs n deliveries of each contender at concurrency conc, in
// rounds blocks taken in turn.
func turns(conc, n, rounds int, cs []*contender) {
	for r := 0; r < rounds; r++ {
		for _, c := range cs {
			k := n / rounds
			wall, cpu, fails, err := batch(conc, k, c.one)
			c.wall += wall
			c.cpu += cpu
			c.n += k
			c.fails += fails
			if c.firstErr == nil {
				c.firstErr = err
			}
		}
	}
}

func (c *contender) rate() float64        { return float64(c.n) / c.wall.Seconds() }
func (c *contender) perDelivery() float64 { return ms(c.cpu) / float64(c.n) }
func (c *contender) failNote() (s string) {
	if c.fails > 0 {
		s = fmt.Sprintf("; %d NOT delivered, first: %v", c.fails, c.firstErr)
	}
	return s
}

// lastReport runs one delivery and returns its last report.
func (b *bench) lastReport(home, host, msg string) (string, error) {
	cmd, f, err := b.command(home, host, msg)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return "", err
	}
	reports := strings.Split(strings.TrimSuffix(out.String(), "\x00"), "\x00")
	last := reports[len(reports)-1]
	return last, okReport(out.Bytes())
}

// tlsLine is the TLS: line of a K report ("" if none).
func tlsLine(report string) string {
	for _, l := range strings.Split(report, "\n") {
		if strings.HasPrefix(l, "TLS: ") {
			return strings.TrimPrefix(l, "TLS: ")
		}
	}
	return ""
}

// sinks: small messages to the bench's own SMTP sink (PIPELINING and
// CHUNKING offered) in clear text and with STARTTLS, and to its QMTP
// sink, at concurrency 1 and 20.
func (b *bench) sinks() {
	plain := b.home("own-plain", literal(b.goBDAT))
	starttls := b.home("own-tls", literal(b.goTLS))
	qmtp := b.homeQMTP("own-qmtp", b.goQMTP)
	rep, err := b.lastReport(starttls, "tls.test", b.small)
	if err != nil || tlsLine(rep) == "" {
		add("small messages to the bench's SMTP sink with STARTTLS", "failed", fmt.Sprintf("no TLS: line in %q: %v", rep, err))
		return
	}
	tlsNote := "; " + tlsLine(rep)
	for _, conc := range []int{1, 20} {
		cs := []*contender{
			{what: "SMTP sink, clear text", procs: "qmail-remote, smtpclient",
				one: func() error { return b.deliver(plain, "plain.test", b.small) }},
			{what: "SMTP sink, STARTTLS", procs: "qmail-remote, smtpclient, tlswrap -d",
				one: func() error { return b.deliver(starttls, "tls.test", b.small) }},
			{what: "QMTP sink", procs: "qmail-remote, qmtpclient",
				one: func() error { return b.deliver(qmtp, "qmtp.test", b.small) }},
		}
		turns(conc, *nOwn, 4, cs)
		for i, c := range cs {
			note := fmt.Sprintf("%.2f ms CPU per delivery (%s); %.1f s in all", c.perDelivery(), c.procs, c.wall.Seconds())
			if i > 0 {
				note = fmt.Sprintf("%.2fx the deliveries/s and %.2fx the CPU of clear-text SMTP; ", c.rate()/cs[0].rate(), c.perDelivery()/cs[0].perDelivery()) + note
			}
			if i == 1 {
				note += tlsNote
			}
			add(fmt.Sprintf("%d small messages to the bench's %s, concurrency %d", c.n, c.what, conc),
				fmt.Sprintf("%.0f deliveries/s", c.rate()), note+c.failNote())
		}
	}
}

// linkRows adds the round trips of one small delivery over the slow link
// to the peer (the bench run with the arguments peer, see overLink) with
// the qmail home home, and when many > 0 the rate of many deliveries at
// concurrency 20 over it; procs names the pipeline's processes, extra
// ends the round-trip row's details, and vs, when not 0, is lock step's
// rate to compare with. It returns the rate, and false when the rows
// were skipped or failed.
func (b *bench) linkRows(name string, peer []string, home string, many int, procs, extra string, vs float64) (rate float64, ok bool) {
	w := fmt.Sprintf("one small delivery over a link with %v each way, %s", *delay, name)
	if os.Geteuid() != 0 {
		add(w, "skipped", "needs root (ip netns, /dev/net/tun)")
		return 0, false
	}
	if _, err := exec.LookPath("ip"); err != nil {
		add(w, "skipped", "no ip command (iproute2)")
		return 0, false
	}
	rt := 2 * *delay
	base, _, _, err := b.overLink(0, peer, home, 0)
	if err != nil {
		add(w, "failed", err.Error())
		return 0, false
	}
	slow, rate, cpu, err := b.overLink(*delay, peer, home, many)
	if err != nil {
		add(w, "failed", err.Error())
		return 0, false
	}
	add(w, fmt.Sprintf("%.2f round trips", float64(slow-base)/float64(rt)),
		fmt.Sprintf("best of %d %.0f ms, %.0f ms with no delay on the same link; round trip %v; the bench's sink%s", *rttN, ms(slow), ms(base), rt, extra))
	if many > 0 {
		note := fmt.Sprintf("%.1f ms CPU per delivery (%s); bound by the link alone: 20 / %.0f ms = %.0f/s", ms(cpu), procs, ms(slow), 20/slow.Seconds())
		if vs > 0 {
			note = fmt.Sprintf("%.2fx lock step; ", rate/vs) + note
		}
		add(fmt.Sprintf("%d small deliveries over that link, concurrency 20, %s", many, name), fmt.Sprintf("%.1f deliveries/s", rate), note)
	}
	return rate, true
}

// bigRuns is how many pairs versus takes.
var bigRuns = flag.Int("bigruns", 9, "ceiling and pipeline pairs of each 100 MB row (large)")

// A race is the outcome of versus: the best time of each side (the run
// least disturbed by other work), the pipeline's CPU in its best run,
// and the median of the pair-by-pair ratios ceiling/pipeline, which
// holds when the machine's speed drifts between pairs (this one's does).
type race struct {
	ceil, pipe, pipeCPU time.Duration
	median              float64
}

// versus alternates the ceiling and the pipeline *bigRuns times each.
func versus(ceiling, pipeline func() error) (r race, err error) {
	var ratios []float64
	for i := 0; i < *bigRuns; i++ {
		t0 := time.Now()
		if err := ceiling(); err != nil {
			return r, fmt.Errorf("ceiling: %v", err)
		}
		c := time.Since(t0)
		if r.ceil == 0 || c < r.ceil {
			r.ceil = c
		}
		c0, t0 := childCPU(), time.Now()
		if err := pipeline(); err != nil {
			return r, fmt.Errorf("pipeline: %v", err)
		}
		d := time.Since(t0)
		if r.pipe == 0 || d < r.pipe {
			r.pipe, r.pipeCPU = d, childCPU()-c0
		}
		ratios = append(ratios, c.Seconds()/d.Seconds())
	}
	sort.Float64s(ratios)
	r.median = ratios[len(ratios)/2]
	return r, nil
}

// ratios says both ways of comparing a race, for the details column.
func (r race) ratios(ceiling string) string {
	return fmt.Sprintf("%.2f of the %s best against best, %.2f the median of %d pairs", r.ceil.Seconds()/r.pipe.Seconds(), ceiling, r.median, *bigRuns)
}

// rawCopyPeak is the peak memory of the raw copy helper run with args.
func rawCopyPeak(args ...string) int {
	self, _ := os.Executable()
	ps, err := peaks(exec.Command(self, args...))
	if err != nil {
		return 0
	}
	kb, _, _ := sum(ps)
	return kb
}
