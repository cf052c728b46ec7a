// Package handoff holds what both sides of a hand-off between two
// programs of the pipeline must agree on, so that each side imports it
// from here rather than keep a copy (doc/pipeline.md tells the whole
// contract).
package handoff

import "strings"

// ExitClearRetry is smtpclient's exit code when the handshake failed at
// the opportunistic level: the connection is unusable, and the caller
// (qmail-remote, qmail-rcheck) decides whether to connect to the same
// address again with TLS=no (SPEC D8; smtpclient.8, EXIT CODES).
const ExitClearRetry = 112

// ExitStale is smtpclient's exit code when a session that qmail-scache
// handed out proved dead before anything that could deliver the message
// went out (the server said 421 to RSET, or closed without a word): no
// report, and qmail-remote connects to the same address afresh in the
// same run (smtpclient.8, EXIT CODES). Meaningful only with SESSION set.
const ExitStale = 113

// SessionFD is where smtpclient finds its connection to qmail-scache
// (SESSIONFD names it), on which it hands a finished session back.
const SessionFD = 12

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

// A Child says who is being started, for Strip: each hand-off strips
// its own part of the one list below.
type Child uint8

const (
	Stage   Child = 1 << iota // a stage qmail-remote or qmail-rcheck starts (lib/plan.StageEnv)
	Auth                      // authclient, started by smtpclient
	Wrapped                   // the program tlswrap runs (s6's -z)
	Helper                    // tlswrap -d, started by smtpclient for STARTTLS
)

// stripped is the one list of what a child must not inherit from its
// parent: the parent's own connection, TLS wrapper, settings and
// descriptors, which would mislead it. The first entry that matches a
// name decides; an entry that leaves a child out keeps the name for it.
var stripped = []struct {
	name   string
	prefix bool
	from   Child
}{
	// Where Go finds the system roots, which MTA-STS (SPEC D31) and the
	// D9 default check against: the administrator's, kept for stages.
	{"SSL_CERT_FILE", false, Auth},
	{"SSL_CERT_DIR", false, Auth},
	// An outer wrapper's descriptors and variables (UCSPI-TLS section 6).
	{"SSL", true, Stage | Auth},
	// The TLS policy is ours to give (tlswrap.8, smtpclient.8).
	{"TLS_", true, Stage | Auth | Wrapped},
	{"TLS", true, Stage | Auth},
	{"CAFILE", false, Stage | Wrapped},
	{"CADIR", false, Stage | Wrapped},
	{"CERTFILE", false, Stage | Wrapped},
	{"KEYFILE", false, Stage | Wrapped},
	{"KEYPASSFD", false, Stage | Auth | Wrapped},
	{"TRACEFD", false, Stage | Auth},
	{"AUTHFD", false, Stage | Auth},
	{"AUTH", true, Stage},
	// A reused session and the way back to qmail-scache (smtpclient.8).
	{"SESSION", true, Stage | Auth | Wrapped | Helper},
	// Our own connection.
	{"TCP", true, Stage},
	{"PROTO", false, Stage},
	{"HELOHOST", false, Stage},
	{"TIMEOUTREMOTE", false, Stage},
}

// Strip is env without what the list above strips for child.
func Strip(env []string, child Child) []string {
	var out []string
	for _, kv := range env {
		if !strips(kv, child) {
			out = append(out, kv)
		}
	}
	return out
}

func strips(kv string, child Child) bool {
	name, _, _ := strings.Cut(kv, "=")
	for _, s := range stripped {
		if name == s.name || s.prefix && strings.HasPrefix(name, s.name) {
			return s.from&child != 0
		}
	}
	return false
}
