//go:build linux && !portable

package main

import (
	"syscall"
	"time"
	"unsafe"
)

// A child is a started stage. On Linux it dies with us (Pdeathsig: if
// we die, qmail-rspawn reports a failure and qmail retries, so the stage
// must not go on delivering on its own; it follows the thread that
// forks, and Go ends no idle thread of ours, so that is for our whole
// life), and its pidfd tells when it has exited (waitDelay). The build
// tag portable puts stage_portable.go in its place, to test that on
// Linux: go test -tags portable.
type child struct{ pid, pidfd int }

func pipe(p *[2]int) error { return syscall.Pipe2(p[:], syscall.O_CLOEXEC) }

func start(argv, env []string, files []uintptr) (*child, error) {
	c := &child{pidfd: -1}
	attr := &syscall.ProcAttr{Env: env, Files: files,
		Sys: &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL, PidFD: &c.pidfd}}
	pid, err := syscall.ForkExec(argv[0], argv, attr)
	if err == syscall.EINVAL { // a kernel without CLONE_PIDFD (before 5.2)
		attr.Sys.PidFD, c.pidfd = nil, -1
		pid, err = syscall.ForkExec(argv[0], argv, attr)
	}
	c.pid = pid
	return c, err
}

// kill kills the stage's process group.
func (c *child) kill() { syscall.Kill(-c.pid, syscall.SIGKILL) }

// read reads the stage's fds 1 and 2 (outFd, errFd) into out and errs,
// as readStage says, and closes them.
func (c *child) read(outFd, errFd int, out, errs *capped, limit time.Duration) (timedOut bool) {
	timedOut = readStage(outFd, errFd, c.pidfd, out, errs, limit, c.kill)
	closeFds(outFd, errFd, c.pidfd)
	c.pidfd = -1
	return timedOut
}

// wait waits for the stage; ok is false when there was none to wait for.
func (c *child) wait() (status syscall.WaitStatus, ok bool) {
	for {
		_, err := syscall.Wait4(c.pid, &status, 0, nil)
		if err != syscall.EINTR {
			return status, err == nil
		}
	}
}

// readStage reads the stage's fds 1 and 2 into out and errs until both
// close and the stage exits, in one ppoll loop. At limit it kills the
// stage (kill) and says so; once pidfd tells that the stage exited, a
// grandchild may hold the pipes for waitDelay more. Without a pidfd
// (-1) it ends when both pipes close.
func readStage(outFd, errFd, pidfd int, out, errs *capped, limit time.Duration, kill func()) (timedOut bool) {
	const pollIn, pollHup, pollErr = 0x1, 0x10, 0x8
	type pollFd struct {
		fd             int32
		events, revent int16
	}
	fds := []pollFd{{fd: int32(outFd), events: pollIn}, {fd: int32(errFd), events: pollIn}, {fd: int32(pidfd), events: pollIn}}
	sinks := []*capped{out, errs}
	deadline := time.Now().Add(limit)
	exited, killed := false, false
	buf := make([]byte, 4096)
	// Until fds 1 and 2 are closed and the stage has exited (when pidfd
	// can tell), as os/exec's Wait did.
	for fds[0].fd >= 0 || fds[1].fd >= 0 || fds[2].fd >= 0 {
		left := time.Until(deadline)
		if left <= 0 {
			if exited || killed { // waitDelay is over: run kills what is left
				return timedOut
			}
			timedOut = true
			kill()
			killed, deadline = true, time.Now().Add(waitDelay)
			continue
		}
		ts := syscall.NsecToTimespec(int64(left))
		_, _, e := syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&fds[0])), uintptr(len(fds)),
			uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
		if e != 0 && e != syscall.EINTR {
			return timedOut
		}
		for i := range sinks {
			if fds[i].fd < 0 || fds[i].revent&(pollIn|pollHup|pollErr) == 0 {
				continue
			}
			n, err := syscall.Read(int(fds[i].fd), buf)
			if n > 0 {
				sinks[i].Write(buf[:n])
			}
			if n == 0 || err != nil && err != syscall.EINTR && err != syscall.EAGAIN {
				fds[i].fd = -1 // closed (ppoll skips a negative fd)
			}
		}
		if fds[2].fd >= 0 && fds[2].revent != 0 { // the stage exited
			fds[2].fd, exited = -1, true
			if d := time.Now().Add(waitDelay); d.Before(deadline) {
				deadline = d
			}
		}
	}
	return timedOut
}
