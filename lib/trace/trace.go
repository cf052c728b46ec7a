// Package trace writes the transcript of an SMTP dialogue for an
// administrator: each line we sent, each reply we read, and notes (TLS
// started, the message body, the report), one write per line, on the
// descriptor named by TRACEFD (qmail-remote.8, TRANSCRIPTS).
//
// A transcript never holds a secret: AUTH payloads in either direction
// are replaced by a placeholder (Secret, Masked), and never the message
// body. It is bounded (Max bytes per process), and it never fails the
// delivery: a write that fails ends the transcript, nothing more.
//
// Tracing off costs nothing but a nil check: every method of a nil *T
// returns at once.
package trace

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"qmail-remote-go/lib/report"
)

// Max bounds what one process writes, whatever the peer says.
const Max = 64 << 10

// A T is one process's transcript; nil when tracing is off.
type T struct {
	mu     sync.Mutex // chunks are written beside the reading of their replies
	f      *os.File
	prefix string // "smtpclient[pid] "
	t0     time.Time
	left   int
}

// FromEnv returns the transcript on the descriptor TRACEFD names, or nil
// when it is unset or not an open descriptor number above 2 (fd 0, 1
// and 2 are the message, the reports and the diagnostics: never a
// transcript). The descriptor is made close-on-exec: a child gets it
// only when handed on (Fd) on purpose.
func FromEnv(prog string) *T {
	v, ok := os.LookupEnv("TRACEFD")
	if !ok {
		return nil
	}
	fd, err := strconv.Atoi(v)
	if err != nil || fd < 3 {
		return nil
	}
	f := os.NewFile(uintptr(fd), "TRACEFD")
	if f == nil {
		return nil
	}
	if _, err := f.Stat(); err != nil {
		return nil
	}
	syscall.CloseOnExec(fd)
	return New(f, prog)
}

// New returns the transcript of prog on f; nil for a nil f.
func New(f *os.File, prog string) *T {
	if f == nil {
		return nil
	}
	return &T{f: f, prefix: prog + "[" + strconv.Itoa(os.Getpid()) + "] ", t0: time.Now(), left: Max}
}

// File is the transcript's descriptor, for a child that traces too; nil
// when tracing is off.
func (t *T) File() *os.File {
	if t == nil {
		return nil
	}
	return t.f
}

// Sent records a command line we sent.
func (t *T) Sent(line string) {
	if t != nil {
		t.write("> ", line)
	}
}

// Got records a reply: its text as captured, one line per line.
func (t *T) Got(text []byte) {
	if t == nil {
		return
	}
	for _, l := range strings.Split(strings.TrimSuffix(string(text), "\n"), "\n") {
		t.write("< ", l)
	}
}

// Note records what happened beside the dialogue.
func (t *T) Note(s string) {
	if t != nil {
		t.write("* ", s)
	}
}

// Hidden is what stands in a transcript for an AUTH payload.
const Hidden = "<AUTH data hidden>"

// Secret records a line we sent that holds a secret (an AUTH response):
// only that something was sent.
func (t *T) Secret() {
	if t != nil {
		t.write("> ", Hidden)
	}
}

// Masked records a reply in the middle of an AUTH exchange: the code
// only. A challenge (a SCRAM server signature, say) with the response
// to it would let a reader guess the password offline.
func (t *T) Masked(code int) {
	if t != nil {
		t.write("< ", strconv.Itoa(code)+" "+Hidden)
	}
}

// write puts one line out: prefix, seconds since start, dir, text made
// printable. Past Max one last line says the transcript was cut.
func (t *T) write(dir, text string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.left <= 0 {
		return
	}
	if len(text) > 1000 {
		text = text[:1000] + "..."
	}
	ms := time.Since(t.t0).Milliseconds()
	line := t.prefix + strconv.FormatInt(ms/1000, 10) + "." + pad3(ms%1000) + " " + dir + report.Printable(text) + "\n"
	if len(line) > t.left-100 {
		line = t.prefix + "* transcript cut: " + strconv.Itoa(Max) + " bytes\n"
		t.left = 0
	} else {
		t.left -= len(line)
	}
	if _, err := t.f.WriteString(line); err != nil {
		t.left = 0 // never a cause of a failed delivery: just stop
	}
}

func pad3(n int64) string {
	s := strconv.FormatInt(n, 10)
	return strings.Repeat("0", 3-len(s)) + s
}
