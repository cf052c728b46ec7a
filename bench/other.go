//go:build !linux

package main

// Bench measures on Linux only: it reads /proc, follows the pipeline
// with ptrace and builds its slow link on a tun device.

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "bench: fatal: make bench runs on Linux only (/proc, ptrace, tun)")
	os.Exit(111)
}
