package plan

import (
	"net/netip"
	"os"
	"strconv"

	"qmail-remote-go/lib/handoff"
	"qmail-remote-go/lib/route"
	"qmail-remote-go/lib/tlspolicy"
)

// StageEnv is the environment every stage starts from: ours, less the
// variables that describe our own connection or TLS wrapper, which
// would mislead a stage (the list is handoff.Strip's).
func StageEnv() []string {
	env := handoff.Strip(os.Environ(), handoff.Stage)
	// Chosen for speed (make bench, the floor rows): every stage is one
	// sequential dialogue, and a second P costs each Go program of the
	// delivery page faults and threads at start (40 fewer page faults
	// and 1-3 ms less CPU per small delivery here), nothing in return.
	// An administrator's own GOMAXPROCS is kept.
	if _, ok := os.LookupEnv("GOMAXPROCS"); !ok {
		env = append(env, "GOMAXPROCS=1")
	}
	return env
}

// A Speaking is what the speaker is given for one connection to c:
// its environment, and the pipes for handoff.AuthFD and handoff.KeyPassFD (nil when
// not needed), which the caller closes.
type Speaking struct {
	Env            []string
	Creds, KeyPass *os.File
}

// Close closes the pipes.
func (s Speaking) Close() {
	if s.Creds != nil {
		s.Creds.Close()
	}
	if s.KeyPass != nil {
		s.KeyPass.Close()
	}
}

// Speak builds the speaker's environment for a connection from local to
// c, as a UCSPI client would (PROTO, TCPREMOTEIP...), with HELOHOST,
// TIMEOUTREMOTE and the TLS and AUTH settings. clear turns TLS off (the
// retry of SPEC D8).
func (p *Plan) Speak(c Candidate, local netip.AddrPort, clear bool) (Speaking, error) {
	tlsEnv, keyPass, err := p.tlsEnv(c, clear)
	if err != nil {
		return Speaking{}, err
	}
	authEnv, creds, err := p.authEnv()
	if err != nil {
		if keyPass != nil {
			keyPass.Close()
		}
		return Speaking{}, err
	}
	env := append(StageEnv(),
		"PROTO=TCP",
		"TCPREMOTEIP="+c.Addr.String(),
		"TCPREMOTEPORT="+strconv.Itoa(p.Route.Port),
		"TCPLOCALIP="+local.Addr().Unmap().String(),
		"TCPLOCALPORT="+strconv.Itoa(int(local.Port())),
		"HELOHOST="+p.Cfg.Helohost,
		"TIMEOUTREMOTE="+strconv.Itoa(p.Cfg.TimeoutRemote),
	)
	env = append(env, tlsEnv...)
	env = append(env, authEnv...)
	return Speaking{Env: env, Creds: creds, KeyPass: keyPass}, nil
}

// Argv is the program and arguments that run the speaker for candidate
// c with args in the folder bin: for SMTPS and QMTPS under tlswrap -i,
// which does the handshake first (unless clear).
func (p *Plan) Argv(c Candidate, bin string, args []string, clear bool) (name string, argv []string) {
	name, argv = p.Speaker(), args
	if (p.SMTPSTo(c) || p.QMTPS()) && !clear {
		name, argv = "tlswrap", append([]string{"-i", bin + "/" + name}, args...)
	}
	return name, argv
}

// tlsEnv is what the speaker (and tlswrap) learn of the TLS policy for
// candidate c: TLS, TLSHOST and the variables of tlswrap.8. clear turns
// TLS off (the retry of SPEC D8). The password pipe, if any, is
// returned for fd 9; the caller closes it.
func (p *Plan) tlsEnv(c Candidate, clear bool) (env []string, keyPass *os.File, err error) {
	pol := p.PolicyFor(c)
	level := pol.Level
	if clear {
		level = tlspolicy.Never
	}
	switch {
	case p.dane(c):
		// SPEC D30: the host's TLSA records replace every other check,
		// MTA-STS's too, and TLS is mandatory (never the clear-text
		// retry of D8).
		env = p.daneEnv(c)
	case p.STSEnforced(c) && !clear:
		env = p.stsEnv(c) // MTA-STS enforce (mtasts.go); no clear-text retry at must
	default:
		env = []string{"TLS=" + level.String(), "TLSHOST=" + p.Route.Host}
		if level == tlspolicy.Never {
			return env, nil, nil
		}
		env = append(env, p.TLSVars(c)...)
		if level == tlspolicy.Try {
			if audit := p.stsAudit(c); audit != nil {
				env = append(env, audit...) // MTA-STS testing, TLS-Required: No
			} else {
				env = append(env, p.daneAudit(c)...) // TLS-Required: No for a DANE host
			}
		}
	}
	if !p.HasCert {
		return env, nil, nil
	}
	env = append(env, "CERTFILE="+p.Cert.CertFile)
	if p.Cert.KeyFile != "" {
		env = append(env, "KEYFILE="+p.Cert.KeyFile)
	}
	if p.Cert.Password == "" {
		return env, nil, nil
	}
	r, err := secretPipe(p.Cert.Password)
	if err != nil {
		return nil, nil, err
	}
	return append(env, "KEYPASSFD="+strconv.Itoa(handoff.KeyPassFD)), r, nil
}

// ClearRetry tells whether a failed handshake with candidate c may be
// retried in clear text on the same address (SPEC D8): only when our own
// policy for it is opportunistic STARTTLS on an SMTP route, not for a
// mandatory level, SMTPS, QMTP, a DANE host or an MTA-STS enforce one
// (tlsEnv gives both TLS=must), whatever exit code a stage gives
// (issue 17 item 8: a stage, or whatever is at its place, does not
// choose clear text for us).
func (p *Plan) ClearRetry(c Candidate) bool {
	return p.PolicyFor(c).Level == tlspolicy.Try && p.Route.Proto == route.SMTP && !p.SMTPSTo(c) && !p.dane(c) && !p.STSEnforced(c)
}

// TLSVars are the variables of tlswrap.8 that tell tlswrap how to check
// candidate c (none when TLS is off): the names a certificate may
// carry and the server name depend on c's MX host name (SPEC D16).
func (p *Plan) TLSVars(c Candidate) []string {
	return p.PolicyFor(c).Env(tlspolicy.Names(p.Route.Host, c.Name, c.MXSecure), tlspolicy.ServerName(c.Name, p.Route.Host))
}

// authEnv gives the speaker the credentials of the route, if any: AUTHFD
// and the pipe for fd 8, and AUTHCLEAR=yes when a rule keyed on the
// relay decides its TLS (SPEC D9): only then may smtpclient authenticate
// over clear text or unverified TLS to a peer that is not loopback.
// The caller closes the pipe.
func (p *Plan) authEnv() (env []string, creds *os.File, err error) {
	if p.Route.User == "" {
		return nil, nil, nil
	}
	r, err := secretPipe(p.Route.User + "\x00" + p.Route.Pass + "\x00")
	if err != nil {
		return nil, nil, err
	}
	env = []string{"AUTHFD=" + strconv.Itoa(handoff.AuthFD)}
	if p.TLS.Explicit {
		env = append(env, "AUTHCLEAR=yes")
	}
	return env, r, nil
}

// secretPipe returns the read end of a pipe that holds secret and is
// closed for writing: a secret reaches a stage on a descriptor, never in
// argv or the environment. The control file parsers bound what goes in
// (lib/route, lib/tlspolicy) far below a pipe's buffer, so the write
// cannot block.
func secretPipe(secret string) (*os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	_, err = w.WriteString(secret)
	w.Close()
	if err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// TLSFor says what decides the TLS of candidate c and what tlswrap is
// told for it, for qmail-rcheck: "DANE" when the host's TLSA records
// decide (SPEC D30), "MTA-STS enforce" (D31), else "" (the
// tlsdestinations rule or the D7 default, whose variables TLSVars
// gives). No pipe is made and no secret is in vars.
func (p *Plan) TLSFor(c Candidate) (mech string, vars []string) {
	switch {
	case p.dane(c):
		return "DANE", p.daneEnv(c)
	case p.STSEnforced(c):
		return "MTA-STS enforce", p.stsEnv(c)
	}
	return "", p.TLSVars(c)
}
