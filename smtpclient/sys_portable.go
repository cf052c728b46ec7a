//go:build !linux || portable

package main

import (
	"os"
	"syscall"
)

// Without Linux (or with the build tag portable, which tests this on
// Linux): a helper that outlives us ends at its own timeouts, and pipes
// keep the system's size.

func diesWithUs() *syscall.SysProcAttr { return nil }

func bigPipe(*os.File) {}

// keepInherited: without /proc/self/fd here, descriptors left open
// without close-on-exec by our parent reach tlswrap as they came.
func keepInherited() {}
