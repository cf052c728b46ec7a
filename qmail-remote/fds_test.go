package main

import (
	"syscall"
	"testing"
)

// TestInheritNothing: each way of marking descriptors close-on-exec
// marks one that was inheritable (issue 17 item 8).
func TestInheritNothing(t *testing.T) {
	ways := map[string]func(){"inheritNothing": inheritNothing, "cloexecWalk": cloexecWalk}
	addWays(ways)
	for name, mark := range ways {
		fd, err := syscall.Dup(0) // no close-on-exec
		if err != nil {
			t.Fatal(err)
		}
		if cloexec(t, fd) {
			t.Fatalf("dup: fd %d close-on-exec already", fd)
		}
		mark()
		if !cloexec(t, fd) {
			t.Errorf("%s: fd %d still inheritable", name, fd)
		}
		syscall.Close(fd)
	}
}

func cloexec(t *testing.T, fd int) bool {
	flags, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
	if e != 0 {
		t.Fatal(e)
	}
	return flags&syscall.FD_CLOEXEC != 0
}
