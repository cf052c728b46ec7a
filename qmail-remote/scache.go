package main

import (
	"errors"
	"net/netip"
	"os"
	"strconv"
	"syscall"
	"time"

	"qmail-remote-go/lib/handoff"
	"qmail-remote-go/lib/plan"
	"qmail-remote-go/lib/route"
	"qmail-remote-go/lib/scache"
)

// The session cache (qmail-scache, issue 21; qmail-remote.8, SESSION
// CACHE). When one runs, qmail-remote asks it for an idle session to
// each candidate before connecting, and gives the speaker the way back
// to it (SESSIONFD), so that smtpclient hands the session back after a
// K instead of sending QUIT. When none runs, nothing here happens: no
// file is read, no variable set.

// A reused is a session from the cache.
type reused struct{ *scache.Session }

// openCache connects to the cache once per run, for an SMTP route that
// is not SMTPS; with a cache, it reads control/sessionmessages and
// control/sessionlifetime. No cache, for whatever reason, is no error.
func (d *delivery) openCache() *final {
	if d.Route.Proto != route.SMTP || d.SMTPS() {
		return nil
	}
	c, err := scache.Dial(scache.Path())
	if err != nil {
		return nil
	}
	l, err := plan.ReadSessionLimits()
	var syntax *plan.Error
	switch {
	case errors.As(err, &syntax):
		c.Close()
		return temp("%s", syntax)
	case err != nil:
		c.Close()
		return controlFailed(err)
	}
	d.cache, d.limits = c, l
	d.note.Note("session cache at " + scache.Path() + ": at most " + strconv.Itoa(l.Messages) +
		" messages a session, " + strconv.Itoa(l.Lifetime) + " s")
	return nil
}

// closeCache ends the connection to the cache.
func (d *delivery) closeCache() {
	if d.cache != nil {
		d.cache.Close()
		d.cache = nil
	}
}

// cacheFor tells whether the session to c may come from the cache or go
// back to it in this run.
func (d *delivery) cacheFor(c candidate) bool { return d.cache != nil && d.Cacheable(c) }

// sessionKey is the cache's key for a session to c (plan.SessionKey),
// made once per candidate in a run: ask needs it, and the speaker's run
// after it (SESSIONKEY), and nothing it is made of changes in between
// (the local address, which sp also holds, is no part of it; the D8
// retry, whose TLS differs, never asks for one).
func (d *delivery) sessionKey(c candidate, sp plan.Speaking) string {
	if k, ok := d.keys[c]; ok {
		return k
	}
	name, _ := d.Argv(c, d.bin, nil, false)
	k := d.SessionKey(c, sp, name)
	if d.keys == nil {
		d.keys = map[candidate]string{}
	}
	d.keys[c] = k
	return k
}

// ask asks the cache for an idle session to c; nil for none. A cache
// that fails to answer (its 2 s are up, it died) is no cache for the
// rest of the run.
func (d *delivery) ask(c candidate) *reused {
	if !d.cacheFor(c) {
		return nil
	}
	sp, err := d.Speak(c, netip.AddrPort{}, false)
	if err != nil {
		return nil
	}
	sp.Close()
	key := d.sessionKey(c, sp)
	s, err := d.cache.Get(key)
	if err != nil {
		d.note.Note("session cache: " + oneLine(err.Error()) + "; going on without it")
		d.closeCache()
		return nil
	}
	if s == nil {
		return nil
	}
	age := time.Now().Unix() - s.State.Born
	d.note.Note("session cache: a session to " + c.Addr.String() + ", " + strconv.Itoa(s.State.Count) +
		" message(s) so far, opened " + strconv.FormatInt(age, 10) + " s ago")
	return &reused{s}
}

// sessionEnv adds to a speaker's environment and descriptors what it
// needs for the cache: the state of a session from it (SESSION), and
// the way back (SESSIONFD, SESSIONKEY, the limits) when the limits let
// a session go back. The returned file, if any, is the caller's to
// close after the speaker ran. Nothing without a cache, for SMTPS, and
// for the clear-text retry of SPEC D8.
func (d *delivery) sessionEnv(c candidate, key string, from *scache.Session, env []string, extra []*os.File) ([]string, []*os.File, *os.File) {
	if from != nil {
		env = append(env, "SESSION="+from.State.Encode())
	}
	if !d.cacheFor(c) || !d.limits.HandBack() {
		return env, extra, nil
	}
	f, err := d.cache.File()
	if err != nil {
		return env, extra, nil
	}
	for len(extra) < handoff.SessionFD-3 {
		extra = append(extra, nil)
	}
	env = append(env, "SESSIONFD="+strconv.Itoa(handoff.SessionFD), "SESSIONKEY="+key)
	env = append(env, d.limits.Env()...)
	return env, append(extra, f), f
}

// sessionLocal is the local end of a session from the cache, for
// TCPLOCALIP and TCPLOCALPORT: its socket's, or for a TLS session (the
// pipes to its tlswrap) the address domainips binds to, else none of
// the remote's family, port 0.
func (d *delivery) sessionLocal(s *scache.Session, c candidate) netip.AddrPort {
	if len(s.Files) == 1 {
		if sa, err := syscall.Getsockname(int(s.Files[0].Fd())); err == nil {
			switch a := sa.(type) {
			case *syscall.SockaddrInet4:
				return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port))
			case *syscall.SockaddrInet6:
				return netip.AddrPortFrom(netip.AddrFrom16(a.Addr).Unmap(), uint16(a.Port))
			}
		}
	}
	if a := plan.Local(d.Src.Bind, c.Addr); a.IsValid() {
		return netip.AddrPortFrom(a, 0)
	}
	if c.Addr.Is4() {
		return netip.AddrPortFrom(netip.IPv4Unspecified(), 0)
	}
	return netip.AddrPortFrom(netip.IPv6Unspecified(), 0)
}
