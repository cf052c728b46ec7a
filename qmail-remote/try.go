package main

import (
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"qmail-remote-go/lib/handoff"
	"qmail-remote-go/lib/report"
	"qmail-remote-go/lib/scache"
	"qmail-remote-go/lib/tlsreport"
)

// try runs the speaker on each candidate in turn until one gives the
// final reports (SPEC 3.8, D1, D21). The dialer picks the address
// within each host (connect.go).
func (d *delivery) try(cands []candidate) ([]byte, *final) {
	var last []byte // the latest report of a speaker that gave up on its host with a reason
	sp := d.Speaker()
	k := d.dialer()
	if f := d.openCache(); f != nil {
		return nil, f
	}
	defer d.closeCache()
	if d.cache != nil {
		k.ask = d.ask
	}
	for _, h := range hosts(cands) {
		if d.DANEFailed(h.cands[0]) {
			// SPEC D30: a host whose TLSA lookup failed is not tried
			// now, and never in clear text; another host may do.
			last = []byte("Z" + tlsreport.DANETLSAFailed(h.cands[0].Name) + "\n\x00")
			continue
		}
		for {
			l, c, f := k.link(h)
			if f != nil {
				return nil, f
			}
			if l.conn == nil && l.sess == nil {
				break
			}
			r, note, ok, f := d.session(k, l, c)
			if f != nil {
				return nil, f
			}
			note += d.STSNote(c)
			if !ok {
				// The clear-text retry could not connect: the failed
				// handshake's report is this address's reason. (After
				// a stale session from the cache there is none: the
				// connection's failure is, in k.why.)
				if len(r.out) > 0 {
					last = r.out
				}
				continue
			}
			ip := c.Addr.String()
			switch r.exitCode() {
			case 0:
				if _, err := report.Parse(r.out, len(d.rcpts)); err != nil || r.overflow {
					return nil, malformedReport(ip, sp, r.tail(sp))
				}
				return withNote(r.out, note), nil
			case 100, 111, handoff.ExitClearRetry, handoff.ExitStale:
				// This host would not take the message; another may.
				// (handoff.ExitClearRetry here: a clear-text retry that our
				// policy does not allow, see session; handoff.ExitStale: a
				// fresh session that said its session was stale, which
				// only one from the cache can be.)
				// Its reason, if it gave one, is a single message report.
				if len(r.out) > 0 {
					rep, err := report.Parse(r.out, 0)
					if err != nil || r.overflow || rep[0].Letter != 'Z' {
						return nil, malformedReport(ip, sp, r.tail(sp))
					}
					if said, ok := refused(rep[0].Text, ip); ok {
						k.why = said // a failure to connect, as D21 counts it
					} else {
						last = withNote(r.out, note+d.AuthHint(c))
					}
				} else if r.said != "" {
					k.why = k.at(c.Addr) + r.said
				}
			default:
				return nil, speakerFailed(ip, r.why(sp), r.tail(sp))
			}
		}
	}
	if last != nil {
		return last, nil
	}
	return nil, noConnection(k.why)
}

// refused tells whether text, the Z report of a speaker that gave up on
// its address, is smtpclient's for a greeting of 4xx (not 421/450) or
// 5xx (SPEC D1, smtpclient.8), and gives the D33 line for it as
// qmail-1.03 gave it: "Remote host said: " and every line of the reply,
// as smtpclient captured it (SPEC 5.1, D26), without the last LF.
func refused(text, ip string) (said string, ok bool) {
	said, ok = strings.CutPrefix(text, "Connected to "+ip+" but greeting failed.\n")
	if !ok || !strings.HasPrefix(said, "Remote host said: ") {
		return "", false
	}
	return strings.TrimSuffix(said, "\n"), true
}

// lineOf is s as one report line, or nothing when s is empty.
func lineOf(s string) string {
	if s == "" {
		return ""
	}
	return s + "\n"
}

// session runs the speaker on l, a connection to c or a session from
// the cache, and closes it. A session from the cache that proves stale
// (the speaker exits handoff.ExitStale before anything that could
// deliver went out) is dropped without a word, and c connected to
// afresh, once, without asking the cache again. When the opportunistic
// handshake failed, it connects to c once more and runs it in clear
// text (SPEC D8); note then says why. ok is false when that second
// connection could not be made. Whether to retry is our policy's
// decision (ClearRetry), not the stage's: a 112 where the policy
// allows no retry goes back to try as it came, and try counts it as a
// failure of this address (as 111).
func (d *delivery) session(k *dialer, l link, c candidate) (r result, note string, ok bool, f *final) {
	if l.sess != nil {
		r = d.speakReused(l.sess, c)
		l.sess.Close()
		if r.exitCode() != handoff.ExitStale {
			return r, "", true, nil
		}
		d.note.Note("the session from the cache was stale; connecting afresh")
		conn, _, f := k.next(&host{cands: []candidate{c}, tried: []bool{false}})
		if conn == nil {
			return result{}, "", false, f
		}
		l = link{conn: conn}
	}
	conn := l.conn
	r = d.speak(conn.(*net.TCPConn), c, false)
	conn.Close()
	if r.exitCode() != handoff.ExitClearRetry || !d.ClearRetry(c) {
		return r, "", true, nil
	}
	if _, err := report.Parse(r.out, 0); err != nil || r.overflow {
		sp := d.Speaker()
		return r, "", false, malformedReport(c.Addr.String(), sp, r.tail(sp))
	}
	note = clearNote(r.out)
	if conn, _, f = k.next(&host{cands: []candidate{c}, tried: []bool{false}}); conn == nil {
		return r, note, false, f
	}
	defer conn.Close()
	return d.speak(conn.(*net.TCPConn), c, true), note, true, nil
}

// speak runs smtpclient with the connection on fds 6 and 7, as a UCSPI
// client would, and the message rewound on fd 0; for SMTPS under
// tlswrap -i, which does the handshake first.
func (d *delivery) speak(conn *net.TCPConn, c candidate, clear bool) result {
	sock, err := conn.File()
	if err != nil {
		return result{err: err}
	}
	defer sock.Close()
	local := conn.LocalAddr().(*net.TCPAddr).AddrPort()
	return d.speakOn(sock, sock, local, c, clear, nil)
}

// speakReused runs smtpclient on a session from the cache: its
// descriptors on fds 6 and 7 (one socket on both, or the pipes to its
// tlswrap), SESSION its state.
func (d *delivery) speakReused(s *reused, c candidate) result {
	return d.speakOn(s.Read(), s.Write(), d.sessionLocal(s.Session, c), c, false, s.Session)
}

// speakOn runs the speaker for c with rd and wr on fds 6 and 7; from is
// the session from the cache they are, nil for a new connection.
func (d *delivery) speakOn(rd, wr *os.File, local netip.AddrPort, c candidate, clear bool, from *scache.Session) result {
	if err := d.msg.rewind(); err != nil {
		return result{err: err}
	}
	sp, err := d.Speak(c, local, clear)
	if err != nil {
		return result{err: err}
	}
	defer sp.Close()
	name, args := d.Argv(c, d.bin, append([]string{d.sender}, d.rcpts...), clear)
	// fds 3, 4, 5 closed; 6 and 7 the socket; handoff.AuthFD (8); handoff.KeyPassFD (9)
	extra := []*os.File{nil, nil, nil, rd, wr, sp.Creds, sp.KeyPass}
	if d.trace != nil {
		extra = append(extra, d.trace) // traceFD (10)
		sp.Env = append(sp.Env, "TRACEFD="+strconv.Itoa(traceFD))
	}
	if !clear && (from != nil || d.cacheFor(c)) {
		// handoff.SessionFD (12), the session cache (scache.go)
		var back *os.File
		sp.Env, extra, back = d.sessionEnv(c, d.sessionKey(c, sp), from, sp.Env, extra)
		if back != nil {
			defer back.Close()
		}
	}
	return stage{name: name, args: args, env: sp.Env, stdin: d.msg.f,
		extra: extra,
		limit: d.speakLimit(), max: 6000*len(d.rcpts) + 12000}.run(d.bin)
}

// speakLimit bounds one speaker run: every read and write of it has
// timeoutremote, and a peer that answers one byte just before each
// timeout must still come to an end. A well-behaved peer may use up to
// timeoutremote on each reply (RFC 5321 4.5.3.2 gives every RCPT its
// own), so the bound grows with the recipients: one timeoutremote per
// step of the longest dialogue (greeting, EHLO, HELO, STARTTLS, EHLO,
// AUTH exchanges, MAIL, DATA, the final dot: fixedSteps) and per RCPT,
// plus a second per 4096 bytes of body. See qmail-remote.8, TIMEOUTS.
func (d *delivery) speakLimit() time.Duration {
	steps := fixedSteps + len(d.rcpts)
	return time.Duration(steps*d.Cfg.TimeoutRemote)*time.Second + time.Duration(d.msg.size/4096)*time.Second
}

const fixedSteps = 12
