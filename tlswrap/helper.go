package main

import (
	"os"

	"qmail-remote-go/lib/ucspitls"
)

// helperMode (-d FD): the application is the parent and has asked for
// TLS already. Handshake now, the block on FD, then relay fd 0 -> TLS
// and TLS -> fd 1, until both directions end; with -q (quick) until the
// application's side ends.
func helperMode(fd int, quick bool, s *settings) int {
	if err := checkFDs(fd); err != nil {
		return fatal(111, "unable to use notification fd: "+err.Error())
	}
	out := os.NewFile(uintptr(fd), "notify")
	sess, f := connect(s)
	if f != nil {
		out.Write(ucspitls.EncodeFailure(f.kind, s.text(f), f.reason))
		out.Close()
		return fatal(111, f.Error())
	}
	_, err := out.Write(ucspitls.Encode(sess.entries))
	out.Close()
	if err != nil {
		return fatal(111, "unable to write the reply block: "+err.Error())
	}
	r := startRelay(sess.conn, sess.raw, os.Stdin, os.Stdout, s.timeout)
	wait := r.wait
	if quick {
		wait = r.untilAppDone
	}
	if err := wait(); err != nil {
		return fatal(111, "unable to relay: "+err.Error())
	}
	sess.conn.Close()
	return 0
}
