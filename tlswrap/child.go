package main

import (
	"os"
	"os/exec"
	"syscall"
)

// startChild runs argv with fds 0, 1, 2 inherited, files as fds 3 on
// (nil: closed) and env (UCSPI-TLS 8: os/exec, no raw fork).
func startChild(argv []string, files []*os.File, env []string) (*exec.Cmd, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = files
	cmd.Env = env
	return cmd, cmd.Start()
}

// waitChild waits for the child and returns its exit code, 111 when a
// signal killed it (UCSPI-TLS 8).
func waitChild(cmd *exec.Cmd) int {
	cmd.Wait()
	st := cmd.ProcessState
	if st == nil {
		return 111
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 111
	}
	return st.ExitCode()
}

// finish relays until the child is gone and what it wrote went out
// (after that nobody reads the network side), then returns the child's
// exit code. Relay failures end their direction and are said on fd 2;
// the child learns of them by EOF or EPIPE.
func finish(cmd *exec.Cmd, r *relay, sess *session) int {
	exited := make(chan int, 1)
	go func() { exited <- waitChild(cmd) }()
	up, down, code := r.up, r.down, -1
	for code < 0 || up != nil {
		select {
		case err := <-up:
			up = nil
			if err != nil {
				warn("unable to relay to the network: " + err.Error())
			}
		case err := <-down:
			down = nil
			if err != nil {
				warn("unable to relay from the network: " + err.Error())
			}
		case code = <-exited:
		}
	}
	sess.conn.Close()
	return code
}

// closeAll closes every file that is not nil.
func closeAll(files ...*os.File) {
	for _, f := range files {
		if f != nil {
			f.Close()
		}
	}
}
