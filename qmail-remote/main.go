// Qmail-remote delivers one message to a remote host for qmail-rspawn:
// it chooses the route, finds the candidate addresses with mxlookup,
// connects, runs the speaker (smtpclient) on the connection and prints
// its reports. It always exits 0. See qmail-remote.8.
package main

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"qmail-remote-go/lib/addr"
	"qmail-remote-go/lib/control"
	"qmail-remote-go/lib/report"
	"qmail-remote-go/lib/route"
	"qmail-remote-go/lib/tlspolicy"
	"qmail-remote-go/lib/version"
)

// usage goes to standard error beside the D report, for the admin
// who runs qmail-remote by hand; qmail-rspawn always passes three
// arguments or more.
const usage = "usage: qmail-remote host sender recip [recip ...]"

func main() {
	// A failed write of the reports must not kill us: qmail-rspawn would
	// read a death by SIGPIPE as a crash. We exit 0 whatever happens.
	signal.Ignore(syscall.SIGPIPE)
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

// A final is a message report that ends the run before any speaker
// could give one.
type final struct {
	letter byte
	text   string
}

func (f *final) Error() string { return f.text }

func temp(format string, a ...any) *final { return &final{'Z', fmt.Sprintf(format, a...)} }
func perm(format string, a ...any) *final { return &final{'D', fmt.Sprintf(format, a...)} }

func (f *final) bytes() []byte { return report.Report{Letter: f.letter, Text: f.text}.Bytes() }

// deliver returns everything qmail-remote prints for these arguments.
func deliver(args []string) (out []byte) {
	defer func() {
		// qmail-rspawn bounces the message when we exit 2, as a panic
		// does: a bug of ours must end in a Z so that qmail retries.
		if r := recover(); r != nil {
			out = temp("qmail-remote crashed: %s. (#4.3.0)\n", oneLine(fmt.Sprint(r))).bytes()
		}
	}()
	if len(args) < 3 {
		fmt.Fprintln(os.Stderr, version.Usage(usage))
		return perm("I (qmail-remote) was invoked improperly. (#5.3.5)\n").bytes()
	}
	d := &delivery{host: args[0], sender: args[1], rcpts: args[2:]}
	out, f := d.run()
	if f != nil {
		return f.bytes()
	}
	return out
}

// A delivery is one run of qmail-remote.
type delivery struct {
	host, sender string
	rcpts        []string
	cfg          config
	route        route.Route
	src          route.Source     // control/domainips for the sender
	tls          tlspolicy.Policy // for the destination after routing
	cert         tlspolicy.Cert   // the client certificate, if hasCert
	hasCert      bool
	msg          message
	bin          string // the folder our stages live in
}

func (d *delivery) run() ([]byte, *final) {
	if err := os.Chdir(control.HomeDir()); err != nil {
		return nil, temp("Unable to switch to home directory. (#4.3.0)\n")
	}
	var err error
	if d.cfg, err = readConfig(); err != nil {
		return nil, temp("Unable to read control files. (#4.3.0)\n")
	}
	if f := d.source(); f != nil {
		return nil, f
	}
	if addr.HasLineBreak(d.cfg.helohost) {
		// smtpclient would refuse it at every address, and the report
		// would blame the network.
		return nil, temp("Syntax error in control/%s: a line break inside the name. (#4.3.5)\n", d.cfg.heloFile)
	}
	if d.route, err = route.Select(d.cfg.tables, d.host, d.sender); err != nil {
		return nil, temp("Syntax error in %s. (#4.3.5)\n", oneLine(err.Error()))
	}
	if f := d.tlsPolicy(); f != nil {
		return nil, f
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, temp("Unable to find my own folder: %s. (#4.3.0)\n", oneLine(err.Error()))
	}
	d.bin = filepath.Dir(exe)
	var f *final
	if d.msg, f = openMessage(os.Stdin); f != nil {
		return nil, f
	}
	cands, f := d.candidates()
	if f != nil {
		return nil, f
	}
	return d.try(cands)
}

// config is what qmail-remote reads from control/.
type config struct {
	helohost       string
	heloFile       string // where it came from: helohost, me, or a domainips line
	timeoutconnect int    // seconds
	timeoutremote  int    // seconds
	tables         route.Tables
	tlsdest        control.Table // control/tlsdestinations
	tlsdestFound   bool          // it exists (SPEC D7)
	domaincerts    control.Table
	domainips      control.Table
}

const maxTimeout = 86400

func readConfig() (c config, err error) {
	var ok bool
	c.heloFile = "helohost"
	if c.helohost, ok, err = control.ReadLine("helohost"); err != nil {
		return c, err
	}
	if !ok {
		// SPEC 4.3: helohost defaults to me; neither is an error.
		c.heloFile = "me"
		if c.helohost, ok, err = control.ReadLine("me"); err != nil || !ok {
			return c, cmp.Or(err, errors.New("neither control/helohost nor control/me"))
		}
	}
	if c.timeoutconnect, err = control.ReadInt("timeoutconnect", 60, maxTimeout); err != nil {
		return c, err
	}
	if c.timeoutremote, err = control.ReadInt("timeoutremote", 1200, maxTimeout); err != nil {
		return c, err
	}
	if c.tables.SMTPRoutes, err = control.ReadTable("smtproutes"); err != nil {
		return c, err
	}
	if c.tables.AuthSenders, err = control.ReadTable("authsenders"); err != nil {
		return c, err
	}
	if c.tables.QMTPRoutes, err = control.ReadTable("qmtproutes"); err != nil {
		return c, err
	}
	if c.tlsdest, c.tlsdestFound, err = control.ReadTableFound("tlsdestinations"); err != nil {
		return c, err
	}
	if c.domaincerts, err = control.ReadTable("domaincerts"); err != nil {
		return c, err
	}
	c.domainips, err = control.ReadTable("domainips")
	return c, err
}

// oneLine makes text from a stage or an error fit into one report line.
func oneLine(s string) string {
	b := []byte(report.Printable(strings.TrimSpace(s)))
	if len(b) > 300 {
		b = append(b[:297], "..."...)
	}
	return string(b)
}
