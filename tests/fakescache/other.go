//go:build !linux

// Fakescache is for tests/reuse.sh, on Linux only, as qmail-scache.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "fakescache: fatal: not supported on this system")
	os.Exit(111)
}
