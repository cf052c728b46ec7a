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

// KeyPassFD is where the stages find the client key's password: a pipe
// that qmail-remote fills, so that it is in no argv and no environment
// (KEYPASSFD names it). smtpclient hands it on to tlswrap unread.
const KeyPassFD = 9

// AuthFD is where smtpclient finds the AUTH credentials, user NUL
// password NUL (AUTHFD names it): a pipe that qmail-remote fills and
// only authclient reads.
const AuthFD = 8

// The values of TLS_VERIFY, what tlswrap checks about the server's
// certificate (tlswrap.8): qmail-remote (lib/tlspolicy, lib/plan) sets
// them, tlswrap and smtpclient read them.
const (
	VerifyNone     = "none"     // nothing: encryption only
	VerifyCert     = "cert"     // the chain must verify
	VerifyName     = "name"     // chain + exact name (TLS_NAMES)
	VerifyWildcard = "wildcard" // chain + name, "*.example.com" accepted
	VerifyPin      = "pin"      // the leaf's fingerprint (TLS_PIN); no chain check
	VerifyDANE     = "dane"     // the TLSA records in TLS_TLSA (SPEC D30)
)
