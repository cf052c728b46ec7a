//go:build linux

package main

// Peak memory of a whole pipeline, process by process: the top process
// runs under ptrace with every fork, vfork, clone and exec followed, and
// each task is stopped once more just before it exits (PTRACE_O_TRACEEXIT),
// when its VmHWM (the peak resident set of its address space) is read
// from /proc. Nothing else is changed: the programs are the real ones.

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// A peak is one process's name and its peak resident set in KiB.
type peak struct {
	name string
	kb   int
}

// peaks runs cmd to the end under ptrace and returns the peak resident
// set of every process it and its descendants ran (one entry per
// program image: a process that execs counts under its new name).
// cmd's stdin and stdout must be *os.File (no copying goroutines).
func peaks(cmd *exec.Cmd) ([]peak, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Ptrace = true
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	top := cmd.Process.Pid
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(top, &ws, syscall.WALL, nil); err != nil {
		return nil, err
	}
	const opts = syscall.PTRACE_O_TRACEEXIT | syscall.PTRACE_O_TRACECLONE | syscall.PTRACE_O_TRACEFORK |
		syscall.PTRACE_O_TRACEVFORK | syscall.PTRACE_O_TRACEEXEC
	if err := syscall.PtraceSetOptions(top, opts); err != nil {
		return nil, err
	}
	if err := syscall.PtraceCont(top, 0); err != nil {
		return nil, err
	}
	// key: pid of the process and its image (pid/name); a process's own
	// HWM before an exec belongs to the image it had.
	hwm := map[string]peak{}
	// Only the top process and processes that exec'd count: Go's runtime
	// also clones short-lived children that share their parent's memory
	// (CLONE_VM, e.g. the pidfd check of os/exec) and exit without an
	// exec; their VmHWM is their parent's and would count it twice.
	execd := map[int]bool{top: true}
	for {
		pid, err := syscall.Wait4(-1, &ws, syscall.WALL, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil { // ECHILD: every traced task is gone
			break
		}
		if ws.Exited() || ws.Signaled() {
			if pid == top {
				// the top process is reaped; its descendants were already
				// waited for by it, or are orphans we still trace
				continue
			}
			continue
		}
		if !ws.Stopped() {
			continue
		}
		sig := ws.StopSignal()
		inject := 0
		switch {
		case sig == syscall.SIGTRAP && ws.TrapCause() == syscall.PTRACE_EVENT_EXIT:
			if tgid, name, kb, ok := status(pid); ok && execd[tgid] {
				if os.Getenv("BENCH_DEBUG") != "" {
					fmt.Fprintf(os.Stderr, "exit event tid %d tgid %d %s %d kB\n", pid, tgid, name, kb)
				}
				k := strconv.Itoa(tgid) + "/" + name
				if kb > hwm[k].kb {
					hwm[k] = peak{name, kb}
				}
			}
		case sig == syscall.SIGTRAP && ws.TrapCause() == syscall.PTRACE_EVENT_EXEC:
			execd[pid] = true
		case sig == syscall.SIGTRAP, sig == syscall.SIGSTOP:
			// event stops and the first stop of a new task
		default:
			inject = int(sig)
		}
		syscall.PtraceCont(pid, inject)
	}
	var out []peak
	for _, p := range hwm {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// status reads Tgid, Name and VmHWM of a task.
func status(tid int) (tgid int, name string, kb int, ok bool) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", tid))
	if err != nil {
		return 0, "", 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		v = strings.TrimSpace(v)
		switch k {
		case "Name":
			name = v
		case "Tgid":
			tgid, _ = strconv.Atoi(v)
		case "VmHWM":
			kb, _ = strconv.Atoi(strings.TrimSuffix(v, " kB"))
		}
	}
	return tgid, name, kb, tgid != 0 && kb != 0
}
