// Qmail-tcpto prints the host timeout table that qmail-remote keeps in
// queue/lock/tcpto, as qmail's qmail-tcpto does. See qmail-tcpto.8.
package main

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"qmail-remote-go/lib/control"
	"qmail-remote-go/lib/tcpto"
	"qmail-remote-go/lib/version"
)

const usage = "usage: qmail-tcpto"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, time.Now().Unix()))
}

func run(args []string, stdout, stderr io.Writer, now int64) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, version.Usage(usage))
		return 100
	}
	path := control.HomeDir() + "/" + tcpto.Path
	tf, err := tcpto.Open(path)
	if err != nil {
		fmt.Fprintf(stderr, "qmail-tcpto: fatal: unable to read %s: %v\n", path, reason(err))
		return 111
	}
	t := tf.T
	tf.Close()
	w := bufio.NewWriter(stdout)
	list(w, &t, now)
	if err := w.Flush(); err != nil {
		fmt.Fprintf(stderr, "qmail-tcpto: fatal: unable to write output: %v\n", err)
		return 111
	}
	return 0
}

// list writes a line for each record with a count of 1 or more, in
// qmail-tcpto's words.
func list(w io.Writer, t *tcpto.Table, now int64) {
	for i := range tcpto.Records {
		r := t.Record(i)
		if r.Count < 1 || !r.Addr.IsValid() {
			continue
		}
		fmt.Fprintf(w, "%s timed out %d seconds ago; # recent timeouts: %d\n", r.Addr, now-r.Last, r.Count)
	}
}

// reason is err without the file name, which the message gives already.
func reason(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}
