// Qmail-scache holds idle SMTP sessions for qmail-remote, so that the
// next delivery to the same server under the same conditions goes out
// on a connection that is already open. See qmail-scache.8.
package main

import (
	"fmt"
	"io"
	"os"

	"qmail-remote-go/lib/version"
)

const usage = "usage: qmail-scache"

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

func run(args []string, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, version.Usage(usage))
		return 100
	}
	return serve(stderr)
}
