//go:build !linux

// Scachetool is for tests/scache.sh, on Linux only, as qmail-scache.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "scachetool: fatal: not supported on this system")
	os.Exit(111)
}
