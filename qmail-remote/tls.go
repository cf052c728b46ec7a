package main

import (
	"strings"

	"qmail-remote-go/lib/report"
)

// withNote adds a line to the last report of a stream (SPEC D8: the
// report says that TLS was given up).
func withNote(out []byte, note string) []byte {
	if note == "" || len(out) == 0 || out[len(out)-1] != 0 {
		return out
	}
	return append(append(out[:len(out)-1:len(out)-1], note...), 0)
}

// clearNote says why the retry went in clear text, from the Z report of
// the failed attempt.
func clearNote(out []byte) string {
	why, _, _ := strings.Cut(strings.TrimPrefix(string(out), "Z"), "\n")
	why = strings.TrimSuffix(why, "\x00")
	return "TLS: none; retried in clear text after: " + report.Printable(why) + "\n"
}
