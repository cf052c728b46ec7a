package main

import (
	"fmt"
	"os"
	"os/exec"
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

// cloexec tells whether fd is close-on-exec: whether a child (this test
// binary again, as TestFdChild) finds it closed. Through a child, not
// fcntl(F_GETFD): package syscall has no fcntl wrapper, and a system
// call by number fails on OpenBSD.
func cloexec(t *testing.T, fd int) bool {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestFdChild$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("QR_TEST_FD=%d %d %d", fd, st.Dev, st.Ino))
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 3 {
		return true
	}
	if err != nil {
		t.Fatalf("child: %v %s", err, out)
	}
	return false
}

// TestFdChild is cloexec's child: it exits 3 when descriptor fd of
// $QR_TEST_FD ("fd dev inode") is not open on that file (the runtime
// may have taken the number for one of its own).
func TestFdChild(t *testing.T) {
	v := os.Getenv("QR_TEST_FD")
	if v == "" {
		t.Skip("cloexec's child only")
	}
	var fd int
	var dev, ino uint64
	fmt.Sscan(v, &fd, &dev, &ino)
	var st syscall.Stat_t
	if syscall.Fstat(fd, &st) != nil || uint64(st.Dev) != dev || uint64(st.Ino) != ino {
		os.Exit(3)
	}
}
