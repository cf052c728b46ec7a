// Tlswrap is the TLS side of the pipeline: it runs the TLS client on
// descriptors 6 and 7 for an application that speaks clear text,
// following UCSPI-TLS. See tlswrap.8.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"qmail-remote-go/lib/report"
	"qmail-remote-go/lib/ucspitls"
	"qmail-remote-go/lib/version"
)

const (
	prog  = "tlswrap"
	usage = "usage: tlswrap prog [arg ...] | tlswrap -i prog [arg ...] | tlswrap -d fd [-q]"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	// A closed pipe gives EPIPE, never death. Caught, not ignored:
	// prog gets the default back at exec.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	immediate := fs.Bool("i", false, "")
	notify := fs.Int("d", -1, "")
	quick := fs.Bool("q", false, "")
	err := fs.Parse(args)
	helper := false
	fs.Visit(func(f *flag.Flag) { helper = helper || f.Name == "d" })
	if err != nil || helper == (fs.NArg() > 0) || (helper && *immediate) || (*quick && !helper) ||
		(helper && (*notify < 3 || *notify == 6 || *notify == 7)) {
		fmt.Fprintln(os.Stderr, version.Usage(usage))
		return 100
	}
	if err := checkFDs(6, 7); err != nil {
		return fatal(111, "unable to check network fds: "+err.Error())
	}
	inherited := openFDs(3, 4, 5) // before anything of ours can take their numbers
	s, err := readSettings()
	if err != nil {
		return fatal(100, err.Error())
	}
	delete(inherited, s.passFD)
	switch {
	case helper:
		return helperMode(*notify, *quick, s)
	case *immediate:
		return immediateMode(fs.Args(), s, inherited)
	}
	return wrapperMode(fs.Args(), s)
}

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

// immediateFailure is the one report of -i when there is no TLS
// session: prog does not run.
func immediateFailure(s *settings, f *failure) int {
	text := s.text(f) + "\n"
	if f.reason != "" {
		text += f.reason + "\n" // SPEC D33
	}
	report.Write(os.Stdout, 'Z', text)
	return fatal(111, f.Error())
}

// openFDs returns the descriptors among fds that are open.
func openFDs(fds ...int) map[int]bool {
	open := map[int]bool{}
	for _, fd := range fds {
		if checkFDs(fd) == nil {
			open[fd] = true
		}
	}
	return open
}

func fatal(code int, msg string) int {
	fmt.Fprintf(os.Stderr, "%s: fatal: %s\n", prog, msg)
	return code
}

func warn(msg string) {
	fmt.Fprintf(os.Stderr, "%s: warning: %s\n", prog, msg)
}
