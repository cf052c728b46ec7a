// Package handoff holds what both sides of a hand-off between two
// programs of the pipeline must agree on, so that each side imports it
// from here rather than keep a copy (doc/pipeline.md tells the whole
// contract).
package handoff

// ExitClearRetry is smtpclient's exit code when the handshake failed at
// the opportunistic level: the connection is unusable, and the caller
// (qmail-remote, qmail-rcheck) decides whether to connect to the same
// address again with TLS=no (SPEC D8; smtpclient.8, EXIT CODES).
const ExitClearRetry = 112
