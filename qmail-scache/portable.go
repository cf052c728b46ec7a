//go:build !linux || portable

package main

import (
	"fmt"
	"io"
)

// serve: only Linux tells a UNIX socket's server who connected
// (SO_PEERCRED), and the cache hands sessions to no one else than its
// own user; elsewhere there is no cache, and lib/scache.Dial fails, so
// qmail-remote connects afresh every time.
func serve(stderr io.Writer) int {
	fmt.Fprintln(stderr, "qmail-scache: fatal: not supported on this system")
	return 111
}
