// Qmail-tcpok clears the host timeout table that qmail-remote keeps in
// queue/lock/tcpto, as qmail's qmail-tcpok does. See qmail-tcpok.8.
package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"

	"qmail-remote-go/lib/control"
	"qmail-remote-go/lib/tcpto"
	"qmail-remote-go/lib/version"
)

const usage = "usage: qmail-tcpok"

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

func run(args []string, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, version.Usage(usage))
		return 100
	}
	path := control.HomeDir() + "/" + tcpto.Path
	if err := tcpto.Reset(path); err != nil {
		fmt.Fprintf(stderr, "qmail-tcpok: fatal: unable to clear %s: %v\n", path, reason(err))
		return 111
	}
	return 0
}

// reason is err without the file name, which the message gives already.
func reason(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}
