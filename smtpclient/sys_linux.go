//go:build linux && !portable

package main

import (
	"os"
	"strconv"
	"syscall"
)

// The Linux-only parts of starting tlswrap and authclient; the build
// tag portable puts sys_portable.go in their place, to test that on
// Linux too: go test -tags portable.

// diesWithUs makes a helper die with us (Pdeathsig), rather than go on
// with a session nobody reads.
func diesWithUs() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }

// bigPipe asks for a 1 MiB pipe buffer (F_SETPIPE_SZ). Through
// SyscallConn, not Fd: Fd would make the pipe blocking, and its
// deadlines (TIMEOUTREMOTE) would stop working.
func bigPipe(f *os.File) {
	const setPipeSize = 1031 // F_SETPIPE_SZ
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { syscall.Syscall(syscall.SYS_FCNTL, fd, setPipeSize, 1<<20) })
	}
}

// keepInherited marks every descriptor above 2 close-on-exec, whatever
// our parent left open without the flag: a detached tlswrap must hold
// nothing but what it is handed (exec.Cmd's files, which stay open in
// the child), or a reader of such a descriptor would wait for it.
func keepInherited() {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	for _, n := range names {
		if fd, err := strconv.Atoi(n); err == nil && fd > 2 {
			syscall.CloseOnExec(fd)
		}
	}
}
