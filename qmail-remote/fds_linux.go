//go:build linux && !portable

package main

import (
	"os"
	"strconv"
	"syscall"
)

// cloexecFrom3 marks descriptors 3 and up close-on-exec with one
// close_range(2) (Linux 5.11); on an older kernel it walks
// /proc/self/fd. It tells whether it could.
func cloexecFrom3() bool { return closeRange() || procWalk() }

func closeRange() bool {
	const sysCloseRange = 436 // the same number on every Linux architecture
	const closeRangeCloexec = 1 << 2
	_, _, e := syscall.RawSyscall(sysCloseRange, 3, uintptr(^uint32(0)), closeRangeCloexec)
	return e == 0
}

func procWalk() bool {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return false
	}
	names, err := d.Readdirnames(-1)
	d.Close() // before the loop: its own descriptor is in names
	if err != nil {
		return false
	}
	for _, n := range names {
		if fd, err := strconv.Atoi(n); err == nil && fd > 2 {
			syscall.CloseOnExec(fd)
		}
	}
	return true
}
