//go:build linux && !portable

package main

// addWays adds Linux's two ways to TestInheritNothing.
func addWays(ways map[string]func()) {
	ways["closeRange"] = func() { closeRange() }
	ways["procWalk"] = func() { procWalk() }
}
