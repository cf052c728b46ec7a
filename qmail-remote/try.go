package main

import (
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"qmail-remote-go/lib/handoff"
	"qmail-remote-go/lib/report"
	"qmail-remote-go/lib/tlsreport"
)

// try runs the speaker on each candidate in turn until one gives the
// final reports (SPEC 3.8, D1, D21). The dialer picks the address
// within each host (connect.go).
func (d *delivery) try(cands []candidate) ([]byte, *final) {
	var last []byte // the latest report of a speaker that gave up on its host with a reason
	sp := d.Speaker()
	k := d.dialer()
	for _, h := range hosts(cands) {
		if d.DANEFailed(h.cands[0]) {
			// SPEC D30: a host whose TLSA lookup failed is not tried
			// now, and never in clear text; another host may do.
			last = []byte("Z" + tlsreport.DANETLSAFailed(h.cands[0].Name) + "\n\x00")
			continue
		}
		for {
			conn, c, f := k.next(h)
			if f != nil {
				return nil, f
			}
			if conn == nil {
				break
			}
			r, note, ok, f := d.session(k, conn, c)
			if f != nil {
				return nil, f
			}
			note += d.STSNote(c)
			if !ok {
				// The clear-text retry could not connect: the failed
				// handshake's report is this address's reason.
				last = r.out
				continue
			}
			ip := c.Addr.String()
			switch r.exitCode() {
			case 0:
				if _, err := report.Parse(r.out, len(d.rcpts)); err != nil || r.overflow {
					return nil, malformedReport(ip, sp, r.tail(sp))
				}
				return withNote(r.out, note), nil
			case 100, 111, handoff.ExitClearRetry:
				// This host would not take the message; another may.
				// (handoff.ExitClearRetry here: a clear-text retry that our
				// policy does not allow, see session.)
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

// session runs the speaker on conn, connected to c, and closes it. When
// the opportunistic handshake failed, it connects to c once more and
// runs it in clear text (SPEC D8); note then says why. ok is false
// when that second connection could not be made. Whether to retry is
// our policy's decision (ClearRetry), not the stage's: a 112 where the
// policy allows no retry goes back to try as it came, and try counts it
// as a failure of this address (as 111).
func (d *delivery) session(k *dialer, conn net.Conn, c candidate) (r result, note string, ok bool, f *final) {
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
	if err := d.msg.rewind(); err != nil {
		return result{err: err}
	}
	local := conn.LocalAddr().(*net.TCPAddr).AddrPort()
	sp, err := d.Speak(c, local, clear)
	if err != nil {
		return result{err: err}
	}
	defer sp.Close()
	name, args := d.Argv(c, d.bin, append([]string{d.sender}, d.rcpts...), clear)
	// fds 3, 4, 5 closed; 6 and 7 the socket; handoff.AuthFD (8); handoff.KeyPassFD (9)
	extra := []*os.File{nil, nil, nil, sock, sock, sp.Creds, sp.KeyPass}
	if d.trace != nil {
		extra = append(extra, d.trace) // traceFD (10)
		sp.Env = append(sp.Env, "TRACEFD="+strconv.Itoa(traceFD))
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
