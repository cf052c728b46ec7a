package main

import (
	"cmp"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"qmail-remote-go/lib/handoff"
	"qmail-remote-go/lib/scache"
)

// The session cache (issue 21; smtpclient.8, SESSION CACHE): a session
// may come from the cache (SESSION: fds 6/7 are an open session, its
// greeting, EHLO, STARTTLS and AUTH long done), and may go back to it
// after a K instead of QUIT (SESSIONFD).

// A keeper takes an idle session for later deliveries: the session
// cache on SESSIONFD (lib/scache.Client).
type keeper interface {
	Put(key, proto string, expires int64, st scache.State, files ...*os.File) error
}

// reuse is what a session knows about the cache.
type reuse struct {
	from     *scache.State // SESSION: a session from the cache; nil for a fresh one
	keep     keeper        // SESSIONFD: where a session may go back; nil: QUIT as always
	key      string        // SESSIONKEY: the key to put it under
	messages int           // SESSIONMESSAGES: at most this many messages a session
	lifetime int64         // SESSIONLIFETIME: seconds from the connection on
	born     int64         // unix seconds: when the connection was made
	now      func() time.Time

	tlsEnv map[string]string // the entries of tlswrap's block the K report uses
	noKeep string            // why the session may not go back: a 4xx reply, a lost or odd reply ("" for none)
}

// cacheSettings reads SESSION, SESSIONFD, SESSIONKEY, SESSIONMESSAGES
// and SESSIONLIFETIME, which qmail-remote sets when the cache runs.
func (s *session) cacheSettings() error {
	c := &s.cache
	c.born = s.now().Unix()
	c.messages, c.lifetime = scache.DefaultMessages, scache.DefaultLifetime
	if v, ok := os.LookupEnv("SESSION"); ok {
		st, err := scache.ParseState(v)
		if err != nil {
			return fmt.Errorf("SESSION is not a session's state: %v", err)
		}
		c.from = &st
		c.born = st.Born
	}
	fd, ok := fdEnv("SESSIONFD")
	if !ok {
		return fmt.Errorf("SESSIONFD is not a descriptor number")
	}
	if fd >= 0 {
		// close-on-exec (FromFD): neither authclient nor tlswrap holds it.
		c.keep = scache.FromFD(fd)
		c.key = os.Getenv("SESSIONKEY")
	}
	if v, ok := os.LookupEnv("SESSIONMESSAGES"); ok {
		n, err := strconv.ParseUint(v, 10, 31)
		if err != nil {
			return fmt.Errorf("SESSIONMESSAGES is not a number: %q", v)
		}
		c.messages = int(n)
	}
	if v, ok := os.LookupEnv("SESSIONLIFETIME"); ok {
		n, err := strconv.ParseUint(v, 10, 31)
		if err != nil {
			return fmt.Errorf("SESSIONLIFETIME is not a number of seconds: %q", v)
		}
		c.lifetime = int64(n)
	}
	return nil
}

// resume takes over the state of a session from the cache: its EHLO
// keywords, and TLS from tlswrap's block of back then (the pipes on
// fds 6/7 lead to the tlswrap that still runs it). It returns why the
// session will not do for this delivery ("" when it will): the key
// should have kept such a session away, but clear text under TLS=must,
// a session that never authenticated when we have credentials, or one
// that did when we have none, is never used on its word. A session that
// authenticated gets MAIL's AUTH= parameter from authclient -m (the
// user never passes through us but on the wire); if it cannot, the
// session is stale too: nothing was sent.
func (s *session) resume() string {
	st := s.cache.from
	s.ext = st.Ext
	if s.ext == nil {
		s.ext = map[string]string{}
	}
	if st.TLS["SSL_PROTOCOL"] != "" {
		s.tlsOn = true
		s.tlsLine = tlsLine(st.TLS, s.mech, s.level == tlsMust)
		s.verifies = checked(st.TLS["TLSWRAP_VERIFY"])
	}
	switch {
	case s.level == tlsMust && !s.tlsOn:
		return "clear text, but TLS is must"
	case s.runAuth != nil && !st.Auth:
		return "AUTH is due, and the session from the cache never authenticated"
	case s.runAuth == nil && st.Auth:
		return "the session from the cache authenticated, and this delivery has no credentials"
	case st.Auth:
		if why := s.resumeAuth(); why != "" {
			return why
		}
	}
	s.trace.Note(fmt.Sprintf("a session from the cache: message %d, opened %d s ago; %s",
		st.Count+1, max(s.now().Unix()-st.Born, 0), strings.TrimSuffix(cmp.Or(s.tlsLine, "clear text\n"), "\n")))
	return ""
}

// resumeAuth takes MAIL's AUTH= parameter for a session from the cache
// that authenticated from authclient -m, which reads the credentials as
// for an exchange and sends nothing.
func (s *session) resumeAuth() string {
	if s.authParam == nil {
		return "authclient -m cannot be run"
	}
	exit, out := s.authParam()
	if exit != 0 {
		return "authclient -m failed (exit " + strconv.Itoa(exit) + ")"
	}
	param, ok := paramLine(out)
	if !ok {
		return "authclient -m printed a malformed line"
	}
	s.mailParam, s.authed = param, true
	return ""
}

// now is the time, which the tests set.
func (s *session) now() time.Time {
	if s.cache.now != nil {
		return s.cache.now()
	}
	return time.Now()
}

// stale is the end of a session from the cache that proved dead before
// anything that can deliver went out: nothing on fd 1, no QUIT, exit
// 113, and qmail-remote connects afresh (the admin sees nothing of it).
func (s *session) stale(why string) *ending {
	s.trace.Note("the session from the cache is stale: " + why)
	return &ending{exit: handoff.ExitStale}
}

// rset proves a session from the cache alive in lock step: RSET alone,
// and anything but 2xx is stale (RFC 5321 4.1.1.5: RSET has no other
// good reply; 3.8: after 421 the server processes nothing).
func (s *session) rset() *ending {
	s.trace.Sent("RSET")
	s.w.WriteString("RSET\r\n")
	if err := s.w.Flush(); err != nil {
		return s.stale("RSET: " + err.Error())
	}
	rep, err := s.readReply()
	switch {
	case err != nil:
		return s.stale("no reply to RSET")
	case class(rep.Code) != 2:
		return s.stale("RSET: " + strconv.Itoa(rep.Code))
	}
	return nil
}

// proof reads the reply to the RSET at the head of a pipelined batch
// (envelope.go) and decides, as D36 says (doc/behaviour.md): 2xx goes on;
// 421, or no reply while nothing that can deliver went out, is stale;
// no reply once BDAT LAST and the whole message went out is today's
// "Possible duplicate!"; any other reply is stale when nothing can
// deliver, and otherwise goes on by today's rules, the session never
// kept.
func (s *session) proof(w *batch) *ending {
	rep, err := s.readReply()
	switch {
	case err != nil:
		if w.wait() == nil && w.last {
			s.committed = true
			return s.dropped()
		}
		return s.stale("no reply to RSET")
	case class(rep.Code) == 2:
		return nil
	case rep.Code == 421 || !w.last:
		w.wait() // a chunk of the message is not ours to free before
		return s.stale("RSET: " + strconv.Itoa(rep.Code))
	}
	s.cache.noKeep = "RSET: " + strconv.Itoa(rep.Code)
	return nil
}

// reusedLine is the last line of the K report of a session from the
// cache: how many messages it carried, this one included, and its age.
func (s *session) reusedLine() string {
	st := s.cache.from
	if st == nil {
		return ""
	}
	age := max(s.now().Unix()-st.Born, 0)
	return fmt.Sprintf("Session reused: message %d on this connection, opened %d s ago.\n", st.Count+1, age)
}

// state is the session as it goes back to the cache, this message
// counted.
func (s *session) state() scache.State {
	st := scache.State{Born: s.cache.born, Count: 1, Auth: s.authed, Ext: s.ext, TLS: s.cache.tlsEnv}
	if f := s.cache.from; f != nil {
		st.Count, st.TLS = f.Count+1, f.TLS
	}
	if st.Ext == nil {
		st.Ext = map[string]string{}
	}
	if st.TLS == nil {
		st.TLS = map[string]string{}
	}
	return st
}

// keepable tells why a session that ended in K may not go back to the
// cache ("" when it may): doc/behaviour.md D36, "When it is handed back".
func (s *session) keepable() string {
	c := &s.cache
	switch {
	case c.keep == nil:
		return "no cache"
	case c.key == "":
		return "no key"
	case c.noKeep != "":
		return c.noKeep
	case s.note != "" || s.prefix != "":
		return "a TLS or AUTH note"
	case s.runAuth != nil && !s.authed:
		// Credentials, and no 235: the D3 prefix says so already;
		// a session that authenticated goes back as one that did
		// (State.Auth), the user nowhere in it.
		return "AUTH did not succeed"
	case s.immediate:
		return "SMTPS"
	case s.r.Buffered() > 0:
		return "the server sent more than its replies"
	case s.outErr != nil:
		return "fd 1 failed"
	}
	st := s.state()
	now := s.now().Unix()
	switch {
	case st.Count >= c.messages:
		return "SESSIONMESSAGES reached"
	case now >= st.Born+c.lifetime:
		return "SESSIONLIFETIME reached"
	case !encodable(st):
		return "a keyword the cache cannot hold"
	}
	return ""
}

// encodable: the state's lines can hold every keyword and TLS entry (no
// control byte in them: each goes on a line of its own).
func encodable(st scache.State) bool {
	for _, m := range []map[string]string{st.Ext, st.TLS} {
		for k, v := range m {
			for _, b := range []byte(k + v) {
				if b < ' ' || b == 0x7f {
					return false
				}
			}
		}
	}
	return true
}

// handBack puts the session back in the cache instead of QUIT: the
// descriptors of the channel in use (one socket, or the read and the
// write end, such as the pipes to a tlswrap that goes on running it),
// then closes ours. false: it stays ours (QUIT as always).
func (s *session) handBack() bool {
	if why := s.keepable(); why != "" {
		if s.cache.keep != nil {
			s.trace.Note("the session is not kept: " + why)
		}
		return false
	}
	files, ok := s.channel()
	if !ok || s.w.Flush() != nil {
		return false
	}
	st := s.state()
	if err := s.cache.keep.Put(s.cache.key, "smtp", st.Born+s.cache.lifetime, st, files...); err != nil {
		s.trace.Note("the session could not go back to the cache: " + err.Error())
		return false
	}
	s.trace.Note(fmt.Sprintf("the session went back to the cache after message %d", st.Count))
	r, w := s.chanFiles()
	r.Close()
	w.Close()
	return true
}

// channel is what handBack puts: the descriptors of the channel in use,
// one when both are the same socket. Only a channel that is ours to hand
// on goes: clear text on fds 6/7, or the pipes to our own tlswrap -d;
// not an outer wrapper's.
func (s *session) channel() ([]*os.File, bool) {
	if s.chanFiles == nil {
		return nil, false
	}
	switch side := s.side.(type) {
	case nil:
	case *helperSide:
		if s.tlsOn != (side.ch != nil) {
			return nil, false
		}
	default:
		return nil, false
	}
	r, w := s.chanFiles()
	if r == w || sameFile(r, w) {
		return []*os.File{r}, true
	}
	return []*os.File{r, w}, true
}

// sameFile: r and w are one socket (qmail-remote puts it on fds 6 and 7).
func sameFile(r, w *os.File) bool {
	a, err1 := r.Stat()
	b, err2 := w.Stat()
	return err1 == nil && err2 == nil && a.Mode()&os.ModeSocket != 0 && os.SameFile(a, b)
}
