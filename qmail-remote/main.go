// Qmail-remote delivers one message to a remote host for qmail-rspawn:
// it chooses the route, finds the candidate addresses with mxlookup,
// connects, runs the speaker (smtpclient) on the connection and prints
// its reports. It always exits 0. See qmail-remote.8.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"qmail-remote-go/lib/control"
	"qmail-remote-go/lib/plan"
	"qmail-remote-go/lib/scache"
	"qmail-remote-go/lib/trace"
	"qmail-remote-go/lib/version"
)

// usage goes beside the D report to standard error when that is a
// terminal, for the admin who runs qmail-remote by hand: anywhere else
// it may be the report pipe itself (qmail-rspawn gives its children
// fd 2 = fd 1), where it would break the reports.
const usage = "usage: qmail-remote host sender recip [recip ...]"

// onTerminal tells whether fi is a character device: a terminal, or
// /dev/null. Never the report pipe.
func onTerminal(fi os.FileInfo, err error) bool {
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func main() {
	// A failed write of the reports must not kill us: qmail-rspawn would
	// read a death by SIGPIPE as a crash. We exit 0 whatever happens.
	signal.Ignore(syscall.SIGPIPE)
	inheritNothing()
	oneProc()
	os.Stdout.Write(deliver(os.Args[1:]))
	os.Exit(0)
}

// oneProc runs qmail-remote on one P unless the administrator set
// GOMAXPROCS. Chosen for speed (make bench, the floor rows): qmail-remote
// waits in one ppoll for its stage, and with a second P idle the
// runtime's sysmon does not sleep while it waits but wakes every 20 us
// to 10 ms; with one, it sleeps. 5% less CPU per small delivery in
// paired runs.
func oneProc() {
	if _, ok := os.LookupEnv("GOMAXPROCS"); !ok {
		runtime.GOMAXPROCS(1)
	}
}

// deliver returns everything qmail-remote prints for these arguments.
func deliver(args []string) (out []byte) {
	defer func() {
		// qmail-rspawn bounces the message when we exit 2, as a panic
		// does: a bug of ours must end in a Z so that qmail retries.
		if r := recover(); r != nil {
			out = crashed(r).bytes()
		}
	}()
	if len(args) < 3 {
		if onTerminal(os.Stderr.Stat()) {
			fmt.Fprintln(os.Stderr, version.Usage(usage))
		}
		return invokedImproperly().bytes()
	}
	d := &delivery{host: args[0], sender: args[1], rcpts: args[2:]}
	out, f := d.run()
	if f != nil {
		return f.bytes()
	}
	return out
}

// A delivery is one run of qmail-remote: the plan (lib/plan) and what
// acting on it needs.
type delivery struct {
	host, sender string
	rcpts        []string
	*plan.Plan
	msg message
	bin string // the folder our stages live in
	// trace is the transcript's file (SMTPTRACE, control/tracedestinations)
	// and note our own lines in it; nil when tracing is off.
	trace *os.File
	note  *trace.T
	// MTA-STS (mtasts.go): the domain ("" when it does not apply) and
	// the TXT record's id that mxlookup printed.
	stsDom, stsID string
	// The session cache (scache.go): nil when none runs, and the limits
	// of control/sessionmessages and sessionlifetime when one does.
	cache  *scache.Client
	limits plan.SessionLimits
	keys   map[candidate]string // the session keys made (sessionKey)
}

func (d *delivery) run() (out []byte, f *final) {
	if err := os.Chdir(control.HomeDir()); err != nil {
		return nil, noHome()
	}
	cfg, err := plan.ReadConfig()
	var syntax *plan.Error
	if errors.As(err, &syntax) {
		return nil, temp("%s", syntax)
	}
	if err != nil {
		// SPEC D33: which file, and the system's words.
		return nil, controlFailed(err)
	}
	if d.Plan, err = plan.Make(cfg, d.host, d.sender); err != nil {
		return nil, temp("%s", err)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, noOwnFolder(err)
	}
	d.bin = filepath.Dir(exe)
	if d.msg, f = openMessage(os.Stdin); f != nil {
		return nil, f
	}
	if d.trace = d.openTrace(); d.trace != nil {
		defer d.trace.Close()
		d.note = trace.New(d.trace, "qmail-remote")
		d.note.Note("delivery to " + d.host + " from <" + d.sender + "> for " + strconv.Itoa(len(d.rcpts)) +
			" recipient(s); route " + d.Route.Host + " port " + strconv.Itoa(d.Route.Port) + ", " + d.Speaker())
	}
	d.stsDom = d.STSDomain()
	cands, f := d.candidates()
	if f == nil && d.stsDom != "" {
		cands, f = d.sts(cands) // MTA-STS (mtasts.go)
	}
	if f == nil {
		out, f = d.try(cands)
	}
	if d.note != nil {
		rep := out
		if f != nil {
			rep = f.bytes()
		}
		r := strings.NewReplacer("\n\x00", " | ", "\x00", " | ", "\n", " / ")
		d.note.Note("reports: " + r.Replace(strings.TrimRight(string(rep), "\x00\n")))
	}
	return out, f
}

// fileError names the file and what went wrong with it, without Go's
// "open " in front: "control/smtproutes: permission denied".
func fileError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return oneLine(pe.Path + ": " + pe.Err.Error())
	}
	return oneLine(err.Error())
}

// oneLine makes text from a stage or an error fit into one report line.
func oneLine(s string) string { return plan.OneLine(s) }
