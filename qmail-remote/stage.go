package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// A stage is one run of a helper program (mxlookup, smtpclient).
type stage struct {
	name  string
	args  []string
	env   []string
	stdin *os.File
	extra []*os.File    // fds 3, 4, ... of the child
	limit time.Duration // the stage is killed after this long
	max   int           // most bytes of fd 1 kept; more makes the output malformed
}

// A result is what a stage left behind.
type result struct {
	out      []byte
	overflow bool   // it printed more than max bytes
	said     string // the last line it wrote on fd 2, cleaned
	state    *os.ProcessState
	timedOut bool
	err      error // it could not be started
}

// run starts the stage in a process group of its own, with fd 2 on a
// pipe of its own (our fd 2 is the report pipe), and waits for it.
func (s stage) run(bin string) result {
	out := &capped{max: s.max}
	errs := &capped{max: 4096, keepTail: true}
	cmd := exec.Command(bin+"/"+s.name, s.args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = s.env, out, errs
	if s.stdin != nil {
		// A nil *os.File in the io.Reader would start the stage with
		// fd 0 closed, and the first file it opens would become fd 0.
		cmd.Stdin = s.stdin
	}
	cmd.ExtraFiles = s.extra
	// Pdeathsig: if we die (qmail-rspawn reports that as a failure and
	// qmail retries), the stage dies too rather than go on delivering
	// on its own. (It follows the thread that forks; Go ends no idle
	// thread of ours, so that is for our whole life.)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = 5 * time.Second // a grandchild holding fd 1 open cannot keep us waiting
	// Start sets cmd.Process before the goroutine that calls out.Write.
	out.full = func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	if err := cmd.Start(); err != nil {
		return result{err: err}
	}
	var timedOut atomic.Bool
	timer := time.AfterFunc(s.limit, func() {
		timedOut.Store(true)
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	})
	cmd.Wait()
	timer.Stop()
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // leave no helper of it behind
	return result{out: out.Bytes(), overflow: out.over, said: lastLine(errs.Bytes()),
		state: cmd.ProcessState, timedOut: timedOut.Load()}
}

// exitCode is the stage's exit code, or -1 when it did not exit by itself.
func (r result) exitCode() int {
	if r.state == nil || r.timedOut {
		return -1
	}
	return r.state.ExitCode()
}

// why says why a stage gave no usable output, for a Z report.
func (r result) why(name string) string {
	switch {
	case r.err != nil:
		return "unable to run " + name + ": " + oneLine(r.err.Error())
	case r.timedOut:
		return name + " did not finish in time and was killed"
	case r.overflow:
		return name + " printed too much"
	}
	return name + " crashed: " + r.state.String()
}

// tail is the stage's last diagnostic as one more report line, if any.
func (r result) tail(name string) string {
	if r.said == "" {
		return ""
	}
	return name + " said: " + r.said + "\n"
}

// capped keeps at most max bytes: the head, or with keepTail the tail.
// It has no ReadFrom on purpose: io.Copy must go through Write, or a
// stage could fill our memory. Past max, a head keeper stops taking
// bytes and calls full once (run kills the stage then).
type capped struct {
	buf      bytes.Buffer
	max      int
	over     bool
	keepTail bool
	full     func()
}

var errFull = errors.New("output limit reached")

func (c *capped) Write(p []byte) (int, error) {
	if c.keepTail {
		c.buf.Write(p)
		if extra := c.buf.Len() - c.max; extra > 0 {
			c.buf.Next(extra)
		}
		return len(p), nil
	}
	if room := c.max - c.buf.Len(); len(p) > room {
		c.buf.Write(p[:max(room, 0)])
		if !c.over && c.full != nil {
			c.full()
		}
		c.over = true
		return max(room, 0), errFull
	}
	return c.buf.Write(p)
}

func (c *capped) Bytes() []byte  { return c.buf.Bytes() }
func (c *capped) String() string { return c.buf.String() }

// lastLine returns the last non-empty line of b, made printable.
func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return oneLine(lines[len(lines)-1])
}
