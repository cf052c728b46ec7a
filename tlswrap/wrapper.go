package main

import (
	"io"
	"os"
	"syscall"

	"qmail-remote-go/lib/ucspitls"
)

// wrapperMode (tlswrap prog...) is the wrapper side of UCSPI-TLS 2-5:
// tlswrap is the parent, prog gets SSLCTLFD=3 SSLREADFD=4 SSLWRITEFD=5
// and owns the network on 6/7 until it asks for TLS.
func wrapperMode(argv []string, s *settings) int {
	ctl, ctlApp, err := socketpair()
	if err != nil {
		return fatal(111, "unable to create control socket: "+err.Error())
	}
	rApp, rWrap, err := os.Pipe() // decrypted data to prog
	if err != nil {
		return fatal(111, "unable to create pipe: "+err.Error())
	}
	wWrap, wApp, err := os.Pipe() // data from prog to encrypt
	if err != nil {
		return fatal(111, "unable to create pipe: "+err.Error())
	}
	n6, n7, err := dupNetwork()
	if err != nil {
		return fatal(111, "unable to dup network fds: "+err.Error())
	}
	env := append(childEnv(os.Environ(), "SSLCTLFD", "SSLREADFD", "SSLWRITEFD"),
		"SSLCTLFD=3", "SSLREADFD=4", "SSLWRITEFD=5")
	cmd, err := startChild(argv, []*os.File{ctlApp, rApp, wApp, n6, n7}, env)
	closeAll(ctlApp, rApp, wApp, n6, n7)
	if err != nil {
		closeAll(ctl, rWrap, wWrap)
		return fatal(111, "unable to run "+argv[0]+": "+err.Error())
	}
	// UCSPI-TLS 2.4: wait for the control byte; 6/7 are prog's till then.
	var b [1]byte
	n, err := ctl.Read(b[:])
	switch {
	case n == 0 && (err == nil || err == io.EOF):
		// UCSPI-TLS 3: EOF means prog declined TLS; never touch the network.
		closeAll(ctl, rWrap, wWrap)
		return waitChild(cmd)
	case n == 0:
		closeAll(ctl, rWrap, wWrap)
		code := waitChild(cmd)
		fatal(111, "unable to read control socket: "+err.Error())
		return code
	case b[0] == 'y':
		ctl.Close() // no reply for y: s6 closes before the handshake
		ctl = nil
	case b[0] != 'Y':
		closeAll(ctl, rWrap, wWrap)
		waitChild(cmd)
		return fatal(100, "unrecognized command on control socket")
	}
	sess, f := connect(s)
	if f != nil {
		if ctl != nil {
			ctl.Write(ucspitls.EncodeFailure(f.kind, s.text(f)))
		}
		closeAll(ctl, rWrap, wWrap)
		fatal(111, f.Error()) // UCSPI-TLS 5; the exit code is prog's
		return waitChild(cmd)
	}
	if ctl != nil {
		ctl.Write(ucspitls.Encode(sess.entries))
		ctl.Close()
	}
	return finish(cmd, startRelay(sess.conn, sess.raw, wWrap, rWrap, s.timeout), sess)
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
