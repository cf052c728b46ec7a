//go:build !linux || portable

package main

import (
	"os"
	"syscall"
	"time"
)

// A child is a started stage. Here (not Linux, or the build tag
// portable, which tests this on Linux) there is neither Pdeathsig nor a
// pidfd: a goroutine waits for the stage and tells when it has exited
// (waitDelay), and the pipes are read through the runtime's poller. If
// we die, the stage lives on to the end of its own timeouts.
type child struct {
	pid    int
	exited chan struct{} // closed when wait4 has returned
	status syscall.WaitStatus
	waited bool
}

func pipe(p *[2]int) error {
	syscall.ForkLock.RLock() // no fork between the pipe and close-on-exec
	defer syscall.ForkLock.RUnlock()
	if err := syscall.Pipe(p[:]); err != nil {
		return err
	}
	syscall.CloseOnExec(p[0])
	syscall.CloseOnExec(p[1])
	return nil
}

func start(argv, env []string, files []uintptr) (*child, error) {
	attr := &syscall.ProcAttr{Env: env, Files: files, Sys: &syscall.SysProcAttr{Setpgid: true}}
	pid, err := syscall.ForkExec(argv[0], argv, attr)
	if err != nil {
		return nil, err
	}
	c := &child{pid: pid, exited: make(chan struct{})}
	go func() {
		for {
			_, err := syscall.Wait4(pid, &c.status, 0, nil)
			if err != syscall.EINTR {
				c.waited = err == nil
				break
			}
		}
		close(c.exited)
	}()
	return c, nil
}

// kill kills the stage's process group. Once the stage is reaped its
// number stays the group's while any member lives (POSIX), so this still
// reaches what is left of it.
func (c *child) kill() { syscall.Kill(-c.pid, syscall.SIGKILL) }

// read reads the stage's fds 1 and 2 (outFd, errFd) into out and errs
// until both close and the stage exits, and closes them. At limit it
// kills the stage and says so; once the stage has exited, a grandchild
// may hold the pipes for waitDelay more. As stage_linux.go's readStage.
func (c *child) read(outFd, errFd int, out, errs *capped, limit time.Duration) (timedOut bool) {
	done := make(chan struct{}, 2)
	var files []*os.File
	for _, p := range []struct {
		fd   int
		sink *capped
	}{{outFd, out}, {errFd, errs}} {
		syscall.SetNonblock(p.fd, true) // so that os.File reads it in the poller
		f := os.NewFile(uintptr(p.fd), "stage")
		files = append(files, f)
		go func() {
			buf := make([]byte, 4096)
			for {
				n, err := f.Read(buf)
				if n > 0 {
					p.sink.Write(buf[:n]) // past max the sink drops it, and we go on reading
				}
				if err != nil {
					break // the end, or we closed it
				}
			}
			done <- struct{}{}
		}()
	}
	deadline := time.Now().Add(limit)
	timer := time.NewTimer(limit)
	defer timer.Stop()
	open, exited, killed := len(files), c.exited, false
	for open > 0 || exited != nil {
		select {
		case <-done:
			open--
			continue
		case <-exited:
			exited = nil
			if d := time.Now().Add(waitDelay); d.Before(deadline) {
				deadline = d
			}
		case <-timer.C:
			if time.Now().Before(deadline) {
				break // deadline moved
			}
			if exited == nil || killed { // waitDelay is over: run kills what is left
				drain(files, done, open)
				return timedOut
			}
			timedOut = true
			c.kill()
			killed, deadline = true, time.Now().Add(waitDelay)
		}
		timer.Reset(time.Until(deadline))
	}
	drain(files, done, open)
	return timedOut
}

// drain closes files and waits for the open readers of them to end.
func drain(files []*os.File, done chan struct{}, open int) {
	for _, f := range files {
		f.Close()
	}
	for ; open > 0; open-- {
		<-done
	}
}

// wait waits for the stage; ok is false when there was none to wait for.
func (c *child) wait() (status syscall.WaitStatus, ok bool) {
	<-c.exited
	return c.status, c.waited
}
