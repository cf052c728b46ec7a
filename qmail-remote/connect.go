package main

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"strconv"
	"syscall"
	"time"

	"qmail-remote-go/lib/plan"
	"qmail-remote-go/lib/tcpto"
	"qmail-remote-go/lib/trace"
)

// A host is the addresses of one MX host (or of a relay) in mxlookup's
// order, and which of them were tried.
type host struct {
	cands []candidate
	tried []bool
	fresh bool // connect, do not ask the session cache
}

// hosts cuts the candidates into hosts: runs of one name and preference.
func hosts(cands []candidate) []*host {
	var hs []*host
	for i, c := range cands {
		if i == 0 || c.Name != cands[i-1].Name || c.Pref != cands[i-1].Pref {
			hs = append(hs, &host{})
		}
		h := hs[len(hs)-1]
		h.cands, h.tried = append(h.cands, c), append(h.tried, false)
	}
	return hs
}

// A dialer makes the connections of SPEC 3.8: the tcpto check and
// update, the bind of control/domainips, timeoutconnect per attempt,
// and Happy Eyeballs between the addresses of one host.
type dialer struct {
	timeout time.Duration
	port    int
	bind    netip.Addr // invalid: no bind
	where   string     // the domainips line of bind
	table   string     // tcpto's file
	pid     int
	now     func() int64
	dial    func(ctx context.Context, local netip.Addr, remote netip.AddrPort) (net.Conn, error)
	// why is the latest address that failed and why (SPEC D33), the
	// line the final report adds when no address would take the message.
	why   string
	trace *trace.T // the transcript; nil when off
	// ask asks the session cache for an idle session to an address
	// that tcpto does not skip, before connecting to it (scache.go);
	// nil when no cache runs.
	ask func(c candidate) *reused
}

// A link is how the speaker reaches a candidate: a connection made
// now, or an idle session from the cache. Neither: no address left.
type link struct {
	conn net.Conn
	sess *reused
}

func (d *delivery) dialer() *dialer {
	return &dialer{timeout: time.Duration(d.Cfg.TimeoutConnect) * time.Second, port: d.Route.Port,
		bind: d.Src.Bind, where: d.Src.Where, table: tcpto.Path, pid: os.Getpid(),
		now: func() int64 { return time.Now().Unix() }, dial: plan.Dial, trace: d.note}
}

// attemptDelay is RFC 8305 5's Connection Attempt Delay.
const attemptDelay = 250 * time.Millisecond

type dialed struct {
	i    int
	conn net.Conn
	sess *reused
	err  error
}

// A race is the attempts in flight on one host during one call of next.
type race struct {
	k       *dialer
	h       *host
	ctx     context.Context
	results chan dialed
	busy    [2]bool // an attempt of the family (IPv4, IPv6) is in flight
	found   []bool  // tcpto had a record of the address
	timer   *time.Timer
	pending int
}

// next connects to the next address of h that accepts, as link does,
// without the session cache.
func (k *dialer) next(h *host) (conn net.Conn, c candidate, f *final) {
	h.fresh = true
	l, c, f := k.link(h)
	return l.conn, c, f
}

// link connects to the next address of h that accepts. Addresses are
// tried in order, but when an attempt has not completed after 250 ms,
// the next address of the other family starts beside it (Happy
// Eyeballs, RFC 8305): at most one attempt per family at a time, the
// first connection made wins, the others are closed. Before an address
// is dialled, the session cache is asked for an idle session to it
// (unless h is fresh); one found wins as a connection would, and
// tcpto hears nothing of it. The link is empty when every address was
// tried; f is a bind failure, which ends the delivery.
func (k *dialer) link(h *host) (l link, c candidate, f *final) {
	ctx, cancel := context.WithCancel(context.Background())
	r := &race{k: k, h: h, ctx: ctx, results: make(chan dialed, len(h.cands)),
		found: make([]bool, len(h.cands)), timer: time.NewTimer(attemptDelay)}
	defer r.end(cancel)
	for r.start(); r.pending > 0; {
		select {
		case d := <-r.results:
			r.pending--
			c := h.cands[d.i]
			r.busy[family(c.Addr)] = false
			switch {
			case d.sess != nil:
				return link{sess: d.sess}, c, nil
			case d.err == nil:
				if k.trace != nil {
					k.trace.Note("connected to " + netip.AddrPortFrom(c.Addr, uint16(k.port)).String() + " from " + d.conn.LocalAddr().String())
				}
				k.connected(c.Addr, r.found[d.i])
				return link{conn: d.conn}, c, nil
			case bindError(d.err) != nil:
				return link{}, c, bindFailed(k.bind, k.where, bindError(d.err))
			case counted(d.err):
				k.failed(c.Addr)
			}
			k.why = k.reason(c.Addr, d.err)
			k.trace.Note(k.why)
			r.start()
		case <-r.timer.C:
			r.start() // the family in flight is busy: only the other can start
		}
	}
	return link{}, candidate{}, nil
}

// start begins an attempt on the next address to try, if there is one.
func (r *race) start() {
	i := r.k.pick(r.h, r.busy, r.found)
	if i < 0 {
		return
	}
	r.busy[family(r.h.cands[i].Addr)] = true
	r.pending++
	if r.k.ask != nil && !r.h.fresh {
		if s := r.k.ask(r.h.cands[i]); s != nil {
			r.results <- dialed{i: i, sess: s} // room for one result per address
			return
		}
	}
	go func() {
		conn, err := r.k.dialOne(r.ctx, r.h.cands[i].Addr)
		r.results <- dialed{i: i, conn: conn, err: err}
	}()
	r.timer.Reset(attemptDelay)
}

// end closes the losers. A pending attempt is no timeout for tcpto, and
// its address gets a full attempt of its own if the host is tried again.
func (r *race) end(cancel context.CancelFunc) {
	cancel()
	for ; r.pending > 0; r.pending-- {
		d := <-r.results
		if d.conn != nil {
			d.conn.Close()
		}
		if d.sess != nil {
			d.sess.Close() // the cache has its own no more: the session ends
		}
		r.h.tried[d.i] = false
	}
	r.timer.Stop()
}

// pick marks and returns the first address of h not yet tried, of a
// family with no attempt in flight, that tcpto does not skip; -1 if
// there is none.
func (k *dialer) pick(h *host, busy [2]bool, found []bool) int {
	for i, c := range h.cands {
		if h.tried[i] || busy[family(c.Addr)] {
			continue
		}
		h.tried[i] = true
		skip, ok := tcpto.Check(k.table, c.Addr, k.now(), k.pid)
		if !skip {
			found[i] = ok
			return i
		}
		k.why = k.at(c.Addr) + "skipped: marked dead in the timeout table"
		k.trace.Note(k.why)
	}
	return -1
}

func family(a netip.Addr) int {
	if a.Is4() {
		return 0
	}
	return 1
}

// dialOne is one attempt within timeoutconnect, bound to the domainips
// address when its family is the remote's (sq3).
func (k *dialer) dialOne(ctx context.Context, a netip.Addr) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, k.timeout)
	defer cancel()
	return k.dial(ctx, plan.Local(k.bind, a), netip.AddrPortFrom(a, uint16(k.port)))
}

func (k *dialer) connected(a netip.Addr, found bool) { tcpto.Connected(k.table, a, found) }
func (k *dialer) failed(a netip.Addr)                { tcpto.Failed(k.table, a, k.now()) }

// bindError is the failure of bind(2) in err, if that is what failed.
func bindError(err error) *os.SyscallError {
	var se *os.SyscallError
	if errors.As(err, &se) && se.Syscall == "bind" {
		return se
	}
	return nil
}

// reason says why the attempt on a failed (SPEC D33): refused, timed
// out after timeoutconnect, no route, or the system's words.
func (k *dialer) reason(a netip.Addr, err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return k.at(a) + "connection refused"
	case errors.Is(err, syscall.ETIMEDOUT) || errors.As(err, &ne) && ne.Timeout():
		return k.at(a) + "timed out after " + strconv.Itoa(int(k.timeout/time.Second)) + " s"
	case errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH):
		return k.at(a) + "no route"
	}
	var se *os.SyscallError
	if errors.As(err, &se) {
		err = se.Err // "connect: " says nothing more
	}
	return k.at(a) + oneLine(err.Error())
}

// at is the "<ip>:<port>: " that starts a D33 line ([ip]:port for IPv6).
func (k *dialer) at(a netip.Addr) string {
	return netip.AddrPortFrom(a, uint16(k.port)).String() + ": "
}

// counted tells whether tcpto counts this failure: a timeout or a
// refusal (sq3, SPEC A22), not an unreachable network.
func counted(err error) bool {
	var ne net.Error
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ETIMEDOUT) ||
		(errors.As(err, &ne) && ne.Timeout())
}
