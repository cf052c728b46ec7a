package main

import (
	"os"
	"strings"
	"syscall"

	"qmail-remote-go/lib/control"
)

// traceFD is where the speaker finds the transcript (TRACEFD,
// smtpclient.8).
const traceFD = 10

// maxTraceFile bounds a transcript file: past it, the file becomes
// file.old (one generation kept) and a new one starts.
const maxTraceFile = 16 << 20

// openTrace opens the transcript of this delivery, or returns nil: the
// file $SMTPTRACE names, else the one the first line of
// control/tracedestinations gives for the host (qmail-remote.8,
// TRANSCRIPTS). Tracing never fails a delivery: a file that cannot be
// read, opened or written means no transcript, nothing more. Nor does it
// cost anything when off: one getenv and one failed open.
func (d *delivery) openTrace() *os.File {
	name, ok := os.LookupEnv("SMTPTRACE")
	if !ok {
		t, err := control.ReadTable("tracedestinations")
		if err != nil || len(t) == 0 {
			return nil
		}
		if name, ok = traceFile(t, d.host, d.Route.Host); !ok {
			return nil
		}
	}
	if name == "" {
		return nil
	}
	if st, err := os.Stat(name); err == nil && st.Mode().IsRegular() && st.Size() > maxTraceFile {
		os.Rename(name, name+".old")
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil
	}
	if reportStream(f) {
		f.Close()
		return nil
	}
	return f
}

// traceFile finds the file for the recipient's domain or the host after
// routing: an exact key, then the longest .suffix key, then *.
func traceFile(t control.Table, hosts ...string) (string, bool) {
	for _, h := range hosts {
		if e, ok := t.Get(strings.TrimSuffix(h, ".")); ok {
			return strings.TrimSpace(e.Value), true
		}
	}
	for _, h := range hosts {
		h = strings.TrimSuffix(h, ".")
		for i := strings.IndexByte(h, '.'); i >= 0; i = next(h, i) {
			if e, ok := t.Get(h[i:]); ok {
				return strings.TrimSpace(e.Value), true
			}
		}
	}
	e, ok := t.Get("*")
	return strings.TrimSpace(e.Value), ok
}

func next(h string, i int) int {
	j := strings.IndexByte(h[i+1:], '.')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// reportStream tells whether f is our fd 1 or 2 when that is a pipe or a
// socket: qmail-rspawn reads the reports there, and fd 2 with them, so a
// transcript in it (SMTPTRACE=/dev/stderr) would corrupt them. A
// terminal is fine.
func reportStream(f *os.File) bool {
	var st syscall.Stat_t
	if syscall.Fstat(int(f.Fd()), &st) != nil {
		return true
	}
	if st.Mode&syscall.S_IFMT == syscall.S_IFCHR {
		return false
	}
	for _, fd := range []int{1, 2} {
		var o syscall.Stat_t
		if syscall.Fstat(fd, &o) == nil && o.Dev == st.Dev && o.Ino == st.Ino {
			return true
		}
	}
	return false
}
