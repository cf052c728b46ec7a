//go:build linux && !portable

package main

import (
	"os"
	"syscall"
	"unsafe"
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

// idle tells whether descriptor fd has nothing to read and no hang-up:
// a ppoll with a zero timeout (an idle session from the cache; the
// server's EOF or unsolicited 421 makes it readable).
func idle(fd int) bool {
	pfd := struct {
		fd             int32
		events, revent int16
	}{fd: int32(fd), events: 0x1} // POLLIN
	var ts syscall.Timespec
	for {
		n, _, e := syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&pfd)), 1, uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
		if e == syscall.EINTR {
			continue
		}
		return e == 0 && n == 0
	}
}
