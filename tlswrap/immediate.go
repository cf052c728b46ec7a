package main

import (
	"os"
	"strings"

	"qmail-remote-go/lib/report"
	"qmail-remote-go/lib/tlsreport"
)

// immediateMode (tlswrap -i prog...): SMTPS and QMTPS. Handshake first;
// then prog runs with clear-text pipes on 6/7 and the block in its
// environment. Without a TLS session prog does not run: one Z report.
func immediateMode(argv []string, s *settings, inherited map[int]bool) int {
	files := make([]*os.File, 5) // fds 3, 4, 5 pass through, when open
	for fd := 3; fd <= 5; fd++ {
		if inherited[fd] {
			files[fd-3] = os.NewFile(uintptr(fd), "inherited")
		}
	}
	sess, f := connect(s)
	if f != nil {
		return immediateFailure(s, f)
	}
	app6, net6, err := os.Pipe() // network -> prog
	if err != nil {
		return fatal(111, "unable to create pipe: "+err.Error())
	}
	net7, app7, err := os.Pipe() // prog -> network
	if err != nil {
		return fatal(111, "unable to create pipe: "+err.Error())
	}
	files[3], files[4] = app6, app7
	env := exported(childEnv(os.Environ(), "SSLCTLFD", "SSLREADFD", "SSLWRITEFD"), sess.entries)
	cmd, err := startChild(argv, files, env)
	closeAll(app6, app7)
	if err != nil {
		return fatal(111, "unable to run "+argv[0]+": "+err.Error())
	}
	return finish(cmd, startRelay(sess.conn, sess.raw, net7, net6, s.timeout), sess)
}

// exported is env with the block's entries applied: NAME=value sets,
// NAME unsets.
func exported(env, entries []string) []string {
	for _, e := range entries {
		name, _, set := strings.Cut(e, "=")
		out := env[:0:0]
		for _, v := range env {
			if n, _, _ := strings.Cut(v, "="); n != name {
				out = append(out, v)
			}
		}
		if set {
			out = append(out, e)
		}
		env = out
	}
	return env
}

// immediateFailure is the one report of -i when there is no TLS
// session: prog does not run.
func immediateFailure(s *settings, f *failure) int {
	text := s.text(f) + "\n"
	if os.Getenv("TLS") == "must" {
		// What smtpclient does for STARTTLS (TLSMECH, smtpclient.8):
		// "MTA-STS: ..." when MTA-STS enforce made TLS mandatory.
		text = tlsreport.MechText(os.Getenv("TLSMECH"), text)
	}
	if f.reason != "" {
		text += f.reason + "\n" // SPEC D33
	}
	report.Write(os.Stdout, 'Z', text)
	return fatal(111, f.Error())
}
