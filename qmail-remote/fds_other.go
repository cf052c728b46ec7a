//go:build !linux || portable

package main

// cloexecFrom3: no single call for it here; inheritNothing walks.
func cloexecFrom3() bool { return false }
