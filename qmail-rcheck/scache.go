package main

import (
	"net/netip"

	"qmail-remote-go/lib/plan"
	"qmail-remote-go/lib/route"
	"qmail-remote-go/lib/scache"
)

// scache says whether qmail-remote would use a session cache (issue 21;
// qmail-scache.8): one is listening and runs as this user, and what
// control/sessionmessages and sessionlifetime say then. It connects and
// hangs up: no session is taken. ok is false when qmail-remote would
// defer (a syntax error in those files).
func (r *rcheck) scache() (ok bool) {
	p := r.p
	switch {
	case p.Route.Proto != route.SMTP:
		r.say("session cache: not used for QMTP")
		return true
	case p.SMTPS():
		r.say("session cache: not used for SMTPS")
		return true
	}
	c, err := scache.Dial(scache.Path())
	if err != nil {
		r.say("session cache: none running at %s (%s): a connection per delivery", scache.Path(), firstLine(err.Error()))
		return true
	}
	c.Close()
	l, err := plan.ReadSessionLimits()
	if err != nil {
		r.say("qmail-remote would defer: %s", firstLine(err.Error()))
		return false
	}
	r.cache = true
	if !l.HandBack() {
		r.say("session cache: running at %s; sessions taken from it, never handed back (%d messages, %d s)", scache.Path(), l.Messages, l.Lifetime)
		return true
	}
	r.say("session cache: running at %s; a session carries up to %d messages for up to %d s", scache.Path(), l.Messages, l.Lifetime)
	return true
}

// sessionKey prints the key a session to c would be asked for and put
// under, and its parts, when a cache runs (plan.SessionParts: no secret
// among them).
func (r *rcheck) sessionKey(c plan.Candidate) {
	p := r.p
	if !r.cache || !p.Cacheable(c) {
		return
	}
	sp, err := p.Speak(c, netip.AddrPort{}, false)
	if err != nil {
		return
	}
	sp.Close() // the pipes of the secrets, unread
	name, _ := p.Argv(c, r.bin, nil, false)
	r.say("    session key %s:", p.SessionKey(c, sp, name))
	for _, part := range p.SessionParts(c, sp, name) {
		if part.Name == "authuser" && part.Value != "" {
			part.Value = "(set; not shown)" // as auth: says
		}
		r.say("      %s %s", part.Name, part.Value)
	}
}
