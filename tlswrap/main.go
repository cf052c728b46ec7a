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
