//go:build linux && !portable

package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"qmail-remote-go/lib/control"
	"qmail-remote-go/lib/scache"
)

// The idle time the administrator may choose (control/sessionidle), in
// seconds: RFC 5321 4.5.3.2.7 lets a server drop a client after 5
// minutes of silence, so longer is pointless.
const (
	defaultIdle = 10
	minIdle     = 1
	maxIdle     = 300
)

// spareFDs are the descriptors kept out of the sessions' share for the
// program itself (its listener, the watcher, Go's own); of the rest,
// half may hold sessions and half are for clients.
const spareFDs = 64

// countsEvery is how often at most a line of counts is logged, and only
// when something happened since the last.
const countsEvery = 5 * time.Minute

// serve starts the cache and runs it until SIGTERM or SIGINT.
func serve(stderr io.Writer) int {
	lg := &logger{w: stderr}
	home := control.HomeDir()
	if err := os.Chdir(home); err != nil {
		lg.printf("fatal: unable to switch to %s: %v", home, reason(err))
		return 111
	}
	idle, err := control.ReadNumber("sessionidle", defaultIdle, minIdle, maxIdle)
	var se *control.SyntaxError
	switch {
	case errors.As(err, &se):
		lg.printf("fatal: %v", err)
		return 111
	case err != nil:
		lg.printf("fatal: unable to read %ssessionidle: %v", control.Dir, reason(err))
		return 111
	}
	if why := checkDir(scache.Dir); why != "" {
		lg.printf("fatal: %s", why)
		return 111
	}
	maxFDs, err := descriptors()
	if err != nil {
		lg.printf("fatal: %v", err)
		return 111
	}
	w, err := newWatcher()
	if err != nil {
		lg.printf("fatal: unable to make an epoll instance: %v", err)
		return 111
	}
	// The path relative to the home, so that a long QMAILHOME does not
	// overflow a socket address (108 bytes).
	sock := filepath.Join(scache.Dir, scache.SocketName)
	l, err := listen(sock)
	if err != nil {
		lg.printf("fatal: %v", err)
		return 111
	}
	c := newCache(time.Duration(idle)*time.Second, maxFDs, w, lg)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	// svc -h: nothing to reload while sessions are held; the default
	// (exit) would drop them all without QUIT.
	signal.Ignore(syscall.SIGHUP)
	go w.run(c.dead)
	go c.accept(l)
	lg.printf("info: listening on %s, sessionidle %d s, at most %d descriptors in sessions", filepath.Join(home, sock), idle, maxFDs)
	sig := c.loop(stop)
	l.Close() // removes the socket
	closed := c.stop()
	name := "SIGTERM"
	if sig == syscall.SIGINT {
		name = "SIGINT"
	}
	lg.printf("info: stopped by %s: %s; %d closed with QUIT now", name, c.counts(), closed)
	return 0
}

// checkDir says what is wrong with the directory the socket goes in,
// "" when nothing: it must exist, be ours and be writable by no one
// else (make install makes it mode 0700), for nobody else may put a
// socket of their own in its place.
func checkDir(dir string) string {
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Sprintf("unable to use %s: %v (make install makes it, mode 0700, owned by the user qmail-remote runs as)", dir, reason(err))
	}
	st, _ := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.IsDir():
		return fmt.Sprintf("%s is not a directory", dir)
	case st == nil || int(st.Uid) != os.Geteuid():
		return fmt.Sprintf("%s is not owned by uid %d, the user qmail-scache runs as (it must be the user qmail-remote runs as)", dir, os.Geteuid())
	case fi.Mode().Perm()&0o022 != 0:
		return fmt.Sprintf("%s is writable by others than its owner (mode %04o): it must be 0700", dir, fi.Mode().Perm())
	}
	return ""
}

// descriptors raises the soft limit on open descriptors to the hard one
// and returns how many of them sessions may hold.
func descriptors() (int, error) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0, fmt.Errorf("unable to read the limit on descriptors: %v", err)
	}
	if rl.Cur < rl.Max {
		up := rl
		up.Cur = up.Max
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &up) == nil {
			rl = up
		}
	}
	limit := min(rl.Cur, 1<<24)
	if limit < spareFDs+4 {
		return 0, fmt.Errorf("the limit on descriptors is %d: at least %d are needed", limit, spareFDs+4)
	}
	return int(limit-spareFDs) / 2, nil
}

// listen makes the socket, mode 0600, in place of a stale one (left by
// a cache that died), but never in place of a cache that still answers
// or of anything else than a socket.
func listen(path string) (*net.UnixListener, error) {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode().Type() != fs.ModeSocket {
			return nil, fmt.Errorf("%s exists and is not a socket", path)
		}
		if c, err := net.Dial("unixpacket", path); err == nil {
			c.Close()
			return nil, fmt.Errorf("another qmail-scache listens on %s", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("unable to remove the stale %s: %v", path, reason(err))
		}
	}
	old := syscall.Umask(0o177)
	l, err := net.ListenUnix("unixpacket", &net.UnixAddr{Name: path, Net: "unixpacket"})
	syscall.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("unable to listen on %s: %v", path, reason(err))
	}
	return l, nil
}

// reason is err without the file name or the operation, which the
// message gives already.
func reason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		var se *os.SyscallError
		if errors.As(oe.Err, &se) {
			return se.Err
		}
		return oe.Err
	}
	return err
}

// A logger writes one line per event to fd 2, each in one write.
type logger struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *logger) printf(format string, a ...any) {
	line := "qmail-scache: " + fmt.Sprintf(format, a...) + "\n"
	l.mu.Lock()
	io.WriteString(l.w, line)
	l.mu.Unlock()
}

// A cache is the table and the goroutine that owns it (loop): clients
// (one goroutine each) and the watcher talk to it over channels only.
type cache struct {
	t      *table
	w      *watcher
	lg     *logger
	gets   chan getRequest
	puts   chan *session
	dead   chan uint64
	nextID atomic.Uint64

	// Counts for the log. The loop's own need no lock; the clients' are
	// atomic.
	put, handed, missed, idleClosed, deadClosed, evicted int
	refused, bad                                         atomic.Int64
}

type getRequest struct {
	key   string
	reply chan *session // buffered: the loop never waits for a client
}

func newCache(idle time.Duration, maxFDs int, w *watcher, lg *logger) *cache {
	return &cache{
		t: newTable(idle, maxFDs), w: w, lg: lg,
		gets: make(chan getRequest), puts: make(chan *session), dead: make(chan uint64, 64),
	}
}

// loop owns the table until a signal comes on stop, which it returns.
func (c *cache) loop(stop <-chan os.Signal) os.Signal {
	timer := time.NewTimer(time.Hour)
	ticker := time.NewTicker(countsEvery)
	defer ticker.Stop()
	last := ""
	for {
		if when, ok := c.t.next(); ok {
			timer.Reset(time.Until(when))
		} else {
			timer.Stop()
		}
		select {
		case sig := <-stop:
			timer.Stop()
			return sig
		case r := <-c.gets:
			s, due, dead := c.t.get(r.key, time.Now(), alive)
			c.closeAll(due, true, &c.idleClosed)
			c.closeAll(dead, false, &c.deadClosed)
			if s != nil {
				c.w.remove(s)
				c.handed++
			} else {
				c.missed++
			}
			r.reply <- s
		case s := <-c.puts:
			c.put++
			evicted := c.t.put(s, time.Now())
			for _, e := range evicted {
				if e == s {
					// Due already, or larger than the table: never held.
					c.closeAll([]*session{s}, true, &c.idleClosed)
					continue
				}
				c.closeAll([]*session{e}, true, &c.evicted)
			}
			if c.t.byID[s.id] == s && !c.w.add(s) {
				// Not a socket or a pipe (epoll refuses regular files):
				// no session, nothing to say QUIT to.
				c.closeAll([]*session{c.t.drop(s.id)}, false, &c.deadClosed)
			}
		case id := <-c.dead:
			if s := c.t.drop(id); s != nil {
				c.closeAll([]*session{s}, false, &c.deadClosed)
			}
		case <-timer.C:
			c.closeAll(c.t.expire(time.Now()), true, &c.idleClosed)
		case <-ticker.C:
			if n := c.counts(); n != last {
				c.lg.printf("info: %d sessions held; %s", c.t.len(), n)
				last = n
			}
		}
	}
}

// stop closes every session with QUIT and says how many there were.
func (c *cache) stop() int {
	all := c.t.all()
	var n int
	c.closeAll(all, true, &n)
	return n
}

func (c *cache) counts() string {
	return fmt.Sprintf("since the start %d put, %d handed out, %d asked for in vain, %d closed idle, %d found dead, %d evicted, %d clients refused, %d bad records",
		c.put, c.handed, c.missed, c.idleClosed, c.deadClosed, c.evicted, c.refused.Load(), c.bad.Load())
}

// closeAll ends sessions that left the table: QUIT first when quit is
// set and the session is SMTP; counted in *n.
func (c *cache) closeAll(ss []*session, quit bool, n *int) {
	for _, s := range ss {
		c.w.remove(s)
		if quit && s.proto == scache.ProtoSMTP {
			sendQuit(s.writeFD())
		}
		scache.CloseFDs(s.fds)
		*n++
	}
}

// sendQuit writes QUIT without waiting: its reply is not awaited, and a
// session whose server reads nothing more is closed all the same.
func sendQuit(fd int) {
	b := []byte("QUIT\r\n")
	err := syscall.Sendto(fd, b, syscall.MSG_DONTWAIT|syscall.MSG_NOSIGNAL, nil)
	if err == syscall.ENOTSOCK {
		// A pipe to a tlswrap: the cache holds the only copy of this
		// end, so making it non-blocking changes it for no one else.
		syscall.SetNonblock(fd, true)
		syscall.Write(fd, b)
	}
}

// alive tells whether an idle session is still idle and open: nothing
// to read, no hang-up, no error, at this very moment (ppoll with a zero
// timeout). Whatever an idle server says (421) or does (close) makes
// the session useless.
func alive(s *session) bool { return scache.Quiet(s.readFD()) }

// accept takes clients until the listener closes: only processes of
// our own user (SO_PEERCRED), each served by a goroutine of its own.
func (c *cache) accept(l *net.UnixListener) {
	var failing bool
	for {
		conn, err := l.AcceptUnix()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			// Out of descriptors, most likely: wait for clients to go.
			if !failing {
				c.lg.printf("warning: unable to accept a client: %v", reason(err))
				failing = true
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		failing = false
		uid := -1
		if rc, err := conn.SyscallConn(); err == nil {
			rc.Control(func(fd uintptr) { uid, _ = scache.PeerUID(int(fd)) })
		}
		if uid != os.Geteuid() {
			c.refused.Add(1)
			c.lg.printf("warning: refused a client of uid %d: only uid %d may use the cache", uid, os.Geteuid())
			conn.Close()
			continue
		}
		go c.serveClient(conn)
	}
}

// serveClient reads a client's records one by one until it closes the
// connection. A record that is not what the contract says ends the
// connection, its descriptors closed.
func (c *cache) serveClient(conn *net.UnixConn) {
	defer conn.Close()
	buf := make([]byte, scache.MaxRecord+1)
	oob := make([]byte, syscall.CmsgSpace(4*4))
	for {
		n, oobn, flags, _, err := conn.ReadMsgUnix(buf, oob)
		fds, ferr := scache.ParseFDs(oob[:oobn])
		if err != nil || n == 0 && oobn == 0 {
			scache.CloseFDs(fds)
			return // the end of the connection, or a reset
		}
		why := c.record(conn, buf[:n], flags, fds, ferr)
		if why != "" {
			c.bad.Add(1)
			c.lg.printf("warning: a bad record from a client (%s): connection closed", why)
			return
		}
	}
}

// record acts on one record; it says what is wrong with it, "" when
// nothing. The descriptors that came with it are the cache's to close
// or to keep.
func (c *cache) record(conn *net.UnixConn, b []byte, flags int, fds []int, ferr error) string {
	r, err := scache.ParseRecord(b)
	why := ""
	switch {
	case ferr != nil:
		why = "unreadable descriptors: " + ferr.Error()
	case flags&syscall.MSG_CTRUNC != 0:
		why = "too many descriptors"
	case flags&syscall.MSG_TRUNC != 0:
		why = "longer than " + strconv.Itoa(scache.MaxRecord) + " bytes"
	case err != nil:
		why = "not a record"
	case r.Kind == scache.KindGet:
		key := r.Get("key")
		if key == "" || len(fds) > 0 {
			why = "a get without a key, or with descriptors"
			break
		}
		c.handOut(conn, key)
		return ""
	case r.Kind == scache.KindPut:
		p, err := scache.ParsePut(r)
		if err != nil || len(fds) < 1 || len(fds) > 2 {
			why = "a put without its fields, or without one or two descriptors"
			break
		}
		c.puts <- &session{id: c.nextID.Add(1), key: p.Key, proto: p.Proto, expires: p.Expires, state: p.State, fds: fds}
		return ""
	default:
		why = "unknown kind " + strconv.QuoteRune(rune(r.Kind))
	}
	scache.CloseFDs(fds)
	return why
}

// handOut answers a get: N, or S with the session's state and
// descriptors, which then are the client's alone. A session that cannot
// be sent is closed with QUIT.
func (c *cache) handOut(conn *net.UnixConn, key string) {
	reply := make(chan *session, 1)
	c.gets <- getRequest{key, reply}
	s := <-reply
	conn.SetWriteDeadline(time.Now().Add(scache.Timeout))
	if s == nil {
		conn.WriteMsgUnix([]byte{scache.KindNone, '\n'}, nil, nil)
		return
	}
	b, err := scache.Record{Kind: scache.KindSession, Fields: s.state}.Marshal()
	if err == nil {
		_, _, err = conn.WriteMsgUnix(b, syscall.UnixRights(s.fds...), nil)
	}
	if err != nil && s.proto == scache.ProtoSMTP {
		sendQuit(s.writeFD())
	}
	scache.CloseFDs(s.fds)
}
