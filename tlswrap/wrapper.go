package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"

	"qmail-remote-go/lib/ucspitls"
)

// wrapperMode (tlswrap prog...) is the wrapper side of UCSPI-TLS 2-5:
// tlswrap is the parent, prog gets SSLCTLFD=3 SSLREADFD=4 SSLWRITEFD=5
// and owns the network on 6/7 until it asks for TLS.
func wrapperMode(argv []string, s *settings) int {
	w, err := startWrapped(argv)
	if err != nil {
		return fatal(111, err.Error())
	}
	// UCSPI-TLS 2.4: wait for the control byte; 6/7 are prog's till then.
	var b [1]byte
	n, err := w.ctl.Read(b[:])
	if n == 0 || (b[0] != 'y' && b[0] != 'Y') {
		// No TLS: our copies of 6/7 must not keep prog's connection open.
		syscall.Close(6)
		syscall.Close(7)
	}
	switch {
	case n == 0 && (err == nil || err == io.EOF):
		// UCSPI-TLS 3: EOF means prog declined TLS; never touch the network.
		return w.end(0, "")
	case n == 0:
		return w.end(111, "unable to read control socket: "+err.Error())
	case b[0] == 'y':
		w.ctl.Close() // no reply for y: s6 closes before the handshake
		w.ctl = nil
	case b[0] != 'Y':
		return w.end(100, "unrecognized command on control socket")
	}
	sess, f := connect(s)
	if f != nil {
		if w.ctl != nil {
			w.ctl.Write(ucspitls.EncodeFailure(f.kind, s.text(f), f.reason))
		}
		return w.end(0, f.Error()) // UCSPI-TLS 5: the exit code is prog's
	}
	if w.ctl != nil {
		w.ctl.Write(ucspitls.Encode(sess.entries))
		w.ctl.Close()
	}
	return finish(w.cmd, startRelay(sess.conn, sess.raw, w.wWrap, w.rWrap, s.timeout), sess)
}

// wrapped is prog as the wrapper runs it, and tlswrap's ends of the
// control socket and of the two pipes.
type wrapped struct {
	cmd               *exec.Cmd
	ctl, rWrap, wWrap *os.File
}

// startWrapped makes the control socket and the pipes (UCSPI-TLS 2.2)
// and starts prog on the other ends (2.3, 8).
func startWrapped(argv []string) (*wrapped, error) {
	ctl, ctlApp, err := socketpair()
	if err != nil {
		return nil, fmt.Errorf("unable to create control socket: %w", err)
	}
	rApp, rWrap, err := os.Pipe() // decrypted data to prog
	if err != nil {
		return nil, fmt.Errorf("unable to create pipe: %w", err)
	}
	wWrap, wApp, err := os.Pipe() // data from prog to encrypt
	if err != nil {
		return nil, fmt.Errorf("unable to create pipe: %w", err)
	}
	n6, n7, err := dupNetwork()
	if err != nil {
		return nil, fmt.Errorf("unable to dup network fds: %w", err)
	}
	env := append(childEnv(os.Environ(), "SSLCTLFD", "SSLREADFD", "SSLWRITEFD"),
		"SSLCTLFD=3", "SSLREADFD=4", "SSLWRITEFD=5")
	cmd, err := startChild(argv, []*os.File{ctlApp, rApp, wApp, n6, n7}, env)
	closeAll(ctlApp, rApp, wApp, n6, n7)
	if err != nil {
		closeAll(ctl, rWrap, wWrap)
		return nil, fmt.Errorf("unable to run %s: %w", argv[0], err)
	}
	return &wrapped{cmd, ctl, rWrap, wWrap}, nil
}

// end closes tlswrap's ends (prog reads EOF everywhere), says diag as
// fatal, waits for prog and returns code, or prog's exit code for 0.
func (w *wrapped) end(code int, diag string) int {
	closeAll(w.ctl, w.rWrap, w.wWrap)
	if diag != "" {
		fatal(code, diag)
	}
	if st := waitChild(w.cmd); code == 0 {
		return st
	}
	return code
}

// socketpair makes the control channel, both ends close-on-exec under
// ForkLock (UCSPI-TLS 8: else unrelated children inherit it and EOF
// never comes).
func socketpair() (*os.File, *os.File, error) {
	syscall.ForkLock.RLock()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err == nil {
		syscall.CloseOnExec(fds[0])
		syscall.CloseOnExec(fds[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, nil, err
	}
	return os.NewFile(uintptr(fds[0]), "ctl"), os.NewFile(uintptr(fds[1]), "ctlapp"), nil
}

// dupNetwork gives prog copies of 6/7, so that fds 6/7 themselves stay
// tlswrap's own for after the switch.
func dupNetwork() (*os.File, *os.File, error) {
	var fds [2]int
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	for i, fd := range []int{6, 7} {
		nfd, err := syscall.Dup(fd)
		if err != nil {
			if i == 1 {
				syscall.Close(fds[0])
			}
			return nil, nil, err
		}
		syscall.CloseOnExec(nfd)
		fds[i] = nfd
	}
	return os.NewFile(uintptr(fds[0]), "net6"), os.NewFile(uintptr(fds[1]), "net7"), nil
}
