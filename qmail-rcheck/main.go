// Qmail-rcheck shows what qmail-remote would do for a host and a sender,
// without sending mail: the route, the TLS rule, the source, the
// candidate addresses; with -p it probes each candidate (EHLO,
// STARTTLS, the certificate, QUIT); with -c it checks every control
// file qmail-remote reads. See qmail-rcheck.8.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"qmail-remote-go/lib/control"
	"qmail-remote-go/lib/version"
)

const (
	prog  = "qmail-rcheck"
	usage = "usage: qmail-rcheck [-p] host [sender] | qmail-rcheck -c"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	probe := fs.Bool("p", false, "")
	check := fs.Bool("c", false, "")
	err := fs.Parse(args)
	n := fs.NArg()
	if err != nil || (*check && (*probe || n != 0)) || (!*check && (n < 1 || n > 2)) || (n > 0 && fs.Arg(0) == "") {
		fmt.Fprintln(stderr, version.Usage(usage))
		return 100
	}
	if err := os.Chdir(control.HomeDir()); err != nil {
		return fatal(stderr, 111, "unable to switch to home directory: "+err.Error())
	}
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	if *check {
		return checkAll(w)
	}
	exe, err := os.Executable()
	if err != nil {
		return fatal(stderr, 111, "unable to find my own folder: "+err.Error())
	}
	r := &rcheck{w: w, bin: filepath.Dir(exe), host: fs.Arg(0), sender: fs.Arg(1), probe: *probe}
	return r.run()
}

func fatal(w io.Writer, code int, msg string) int {
	fmt.Fprintf(w, "%s: fatal: %s\n", prog, msg)
	return code
}
