package main

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
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
	status   syscall.WaitStatus
	waited   bool // status is the stage's
	timedOut bool
	err      error // it could not be started
}

// waitDelay: once the stage has exited, how long a grandchild holding
// its fd 1 or 2 open may keep us reading.
var waitDelay = 5 * time.Second

// run starts the stage in a process group of its own, with fd 2 on a
// pipe of its own (our fd 2 is the report pipe), reads its fds 1 and 2
// until they close, and waits for it. Chosen for speed (make bench, the
// floor rows): syscall.ForkExec and, on Linux, one poll loop in this
// goroutine (stage_linux.go), where os/exec spent a trial fork (its
// pidfd probe), two copying goroutines with 32 KiB buffers each and two
// timers on every stage: 37 fewer page faults and about 1.3 ms less CPU
// per stage here. Elsewhere start, read and wait are stage_portable.go's.
func (s stage) run(bin string) result {
	var outP, errP [2]int
	if err := pipe(&outP); err != nil {
		return result{err: err}
	}
	if err := pipe(&errP); err != nil {
		closeFds(outP[0], outP[1])
		return result{err: err}
	}
	stdin := s.stdin
	if stdin == nil {
		// A closed fd 0 would become the first file the stage opens.
		null, err := os.Open(os.DevNull)
		if err != nil {
			closeFds(outP[0], outP[1], errP[0], errP[1])
			return result{err: err}
		}
		defer null.Close()
		stdin = null
	}
	files := []uintptr{stdin.Fd(), uintptr(outP[1]), uintptr(errP[1])}
	for _, f := range s.extra {
		fd := ^uintptr(0) // -1: closed in the stage
		if f != nil {
			fd = f.Fd()
		}
		files = append(files, fd)
	}
	env := s.env
	if env == nil {
		env = os.Environ() // as os/exec does
	}
	argv := append([]string{bin + "/" + s.name}, s.args...)
	c, err := start(argv, env, files)
	closeFds(outP[1], errP[1])
	if err != nil {
		closeFds(outP[0], errP[0])
		return result{err: &os.PathError{Op: "fork/exec", Path: argv[0], Err: err}}
	}
	out := &capped{max: s.max, full: c.kill}
	errs := &capped{max: 4096, keepTail: true}
	timedOut := c.read(outP[0], errP[0], out, errs, s.limit)
	c.kill() // leave no helper of it behind
	r := result{out: out.Bytes(), overflow: out.over, said: lastLine(errs.Bytes()), timedOut: timedOut}
	r.status, r.waited = c.wait()
	return r
}

func closeFds(fds ...int) {
	for _, fd := range fds {
		if fd >= 0 {
			syscall.Close(fd)
		}
	}
}

// exitCode is the stage's exit code, or -1 when it did not exit by itself.
func (r result) exitCode() int {
	if !r.waited || r.timedOut || !r.status.Exited() {
		return -1
	}
	return r.status.ExitStatus()
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
	return name + " crashed: " + r.statusString()
}

// statusString says how the stage ended, as os.ProcessState does.
func (r result) statusString() string {
	switch st := r.status; {
	case !r.waited:
		return "not waited for"
	case st.Exited():
		return "exit status " + strconv.Itoa(st.ExitStatus())
	case st.Signaled() && st.CoreDump():
		return "signal: " + st.Signal().String() + " (core dumped)"
	case st.Signaled():
		return "signal: " + st.Signal().String()
	}
	return "wait status " + strconv.Itoa(int(r.status))
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
