// Package version holds the version make stamps into every program, so
// that an admin can tell which build is installed: each usage line shows
// it.
package version

// Version is set at link time by the Makefile (its VERSION: git describe
// in a git checkout, the VERSION file in a release tarball), through
// -X qmail-remote-go/lib/version.Version=. A build that bypasses make
// (go build, go test) says "unknown".
var Version = "unknown"

// Usage returns a program's usage line with the version after it, as
// "usage: mxlookup [-a] name (qmail-remote-go 1.0)".
func Usage(line string) string { return line + " (qmail-remote-go " + Version + ")" }
