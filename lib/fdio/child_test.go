package fdio

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// A Conn on os.Pipe's ends keeps its deadline after a child got those
// ends and exited, and after the child (here: a stand-in on the shared
// open file description) cleared O_NONBLOCK: issue 17, item 6. With a
// plain cmd.Start, Fd made the pipe blocking and the Read below waited
// for ever (the test then fails on its own bound).
func TestStartKeepsDeadlines(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	c := New(r, w, 50*time.Millisecond)
	defer c.Close()
	cmd := exec.Command("/bin/sh", "-c", "exit 0")
	cmd.ExtraFiles = []*os.File{r, w}
	reclaim, err := Start(cmd, r, w)
	if err != nil {
		t.Fatal(err)
	}
	if cmd.ExtraFiles[0] != r || cmd.ExtraFiles[1] != w {
		t.Error("cmd.ExtraFiles not given back")
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	// What a child may do to the description it shares with us.
	rc, _ := r.SyscallConn()
	rc.Control(func(fd uintptr) { syscall.SetNonblock(int(fd), false) })
	reclaim()

	done := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 10))
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("read on a silent pipe: %v", err)
		}
	case <-time.After(5 * time.Second):
		w.Write([]byte("x")) // let the reader go
		t.Fatal("read on a silent pipe did not time out: the descriptor is blocking")
	}
}
