//go:build linux && !portable

package main

import (
	"errors"
	"io"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"qmail-remote-go/lib/scache"
)

// running starts a cache's loop and watcher with the given idle time;
// the returned func stops it and closes what it still holds.
func running(t *testing.T, idle time.Duration, maxFDs int) (*cache, func()) {
	t.Helper()
	w, err := newWatcher()
	if err != nil {
		t.Fatal(err)
	}
	c := newCache(idle, maxFDs, w, &logger{w: io.Discard})
	stop := make(chan os.Signal)
	done := make(chan struct{})
	go w.run(c.dead)
	go func() {
		c.loop(stop)
		close(done)
	}()
	return c, func() {
		stop <- syscall.SIGTERM
		<-done
		c.stop()
	}
}

// pair is a session on one end of a socketpair; the other end plays the
// server.
func pair(t *testing.T, c *cache, key string) (*session, *os.File) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	s := &session{id: c.nextID.Add(1), key: key, proto: scache.ProtoSMTP, expires: time.Now().Unix() + 3600, fds: fds[:1]}
	return s, os.NewFile(uintptr(fds[1]), "server")
}

func (c *cache) getOne(key string) *session {
	reply := make(chan *session, 1)
	c.gets <- getRequest{key, reply}
	return <-reply
}

// readAll is what the server end reads until the cache closes its end.
func readAll(t *testing.T, f *os.File) string {
	t.Helper()
	f.SetReadDeadline(time.Now().Add(20 * time.Second))
	b, err := io.ReadAll(f)
	if errors.Is(err, syscall.ECONNRESET) {
		// Closed with something unread in it (a 421): a reset.
		err = nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestLoopOnce: many clients at once ask for the sessions of one key;
// each session goes to exactly one of them (run with -race: the table
// has one owner).
func TestLoopOnce(t *testing.T) {
	c, stop := running(t, time.Minute, 1000)
	defer stop()
	const n, clients = 50, 80
	servers := map[uint64]*os.File{}
	for range n {
		s, srv := pair(t, c, "k")
		servers[s.id] = srv
		defer srv.Close()
		c.puts <- s
	}
	var mu sync.Mutex
	got := map[uint64]int{}
	none := 0
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := c.getOne("k")
			mu.Lock()
			defer mu.Unlock()
			if s == nil {
				none++
				return
			}
			got[s.id]++
			scache.CloseFDs(s.fds)
		}()
	}
	wg.Wait()
	if len(got) != n || none != clients-n {
		t.Fatalf("%d sessions handed out, %d gets found none", len(got), none)
	}
	for id, k := range got {
		if k != 1 {
			t.Errorf("session %d handed out %d times", id, k)
		}
		if s := readAll(t, servers[id]); s != "" {
			t.Errorf("session %d handed out got %q", id, s)
		}
	}
}

// TestLoopIdle: an idle session gets QUIT and is closed.
func TestLoopIdle(t *testing.T) {
	c, stop := running(t, 50*time.Millisecond, 1000)
	defer stop()
	s, srv := pair(t, c, "k")
	defer srv.Close()
	c.puts <- s
	if got := readAll(t, srv); got != "QUIT\r\n" {
		t.Errorf("the server read %q", got)
	}
	if s := c.getOne("k"); s != nil {
		t.Error("an idle-closed session handed out")
	}
}

// TestLoopDead: a server that speaks (421) or closes while its session
// is idle: closed at once, without QUIT, no get needed.
func TestLoopDead(t *testing.T) {
	c, stop := running(t, time.Hour, 1000)
	defer stop()
	s, srv := pair(t, c, "k")
	defer srv.Close()
	c.puts <- s
	srv.Write([]byte("421 bye\r\n"))
	if got := readAll(t, srv); got != "" {
		t.Errorf("the server read %q", got)
	}
	s2, srv2 := pair(t, c, "k")
	c.puts <- s2
	srv2.Close()
	if s := c.getOne("k"); s != nil {
		t.Error("a dead session handed out")
	}
}

// TestLoopUnwatchable: descriptors epoll cannot watch (a regular
// file) are no session: closed at once, nothing written to them.
func TestLoopUnwatchable(t *testing.T) {
	c, stop := running(t, time.Hour, 1000)
	f, err := os.CreateTemp(t.TempDir(), "file")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fd, err := syscall.Dup(int(f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	c.puts <- &session{id: c.nextID.Add(1), key: "k", proto: scache.ProtoSMTP, expires: time.Now().Unix() + 3600, fds: []int{fd}}
	if s := c.getOne("k"); s != nil {
		t.Error("a regular file handed out as a session")
	}
	stop()
	if c.deadClosed != 1 {
		t.Errorf("%d closed as dead, want 1", c.deadClosed)
	}
	if fi, err := f.Stat(); err != nil || fi.Size() != 0 {
		t.Errorf("the file got %d bytes, %v", fi.Size(), err)
	}
}

// TestLoopStop: stopping QUITs every session held.
func TestLoopStop(t *testing.T) {
	c, stop := running(t, time.Hour, 1000)
	var srvs []*os.File
	for range 3 {
		s, srv := pair(t, c, "k")
		defer srv.Close()
		srvs = append(srvs, srv)
		c.puts <- s
	}
	c.getOne("nothing") // the puts are in the table once a get is answered
	stop()
	for i, srv := range srvs {
		if got := readAll(t, srv); got != "QUIT\r\n" {
			t.Errorf("server %d read %q", i, got)
		}
	}
}

// alive: a silent open session is alive; one with something to read,
// or whose server closed, is not.
func TestAlive(t *testing.T) {
	c, stop := running(t, time.Hour, 1000)
	defer stop()
	s, srv := pair(t, c, "k")
	defer scache.CloseFDs(s.fds)
	if !alive(s) {
		t.Fatal("a silent session is not alive")
	}
	srv.Write([]byte("421\r\n"))
	if alive(s) {
		t.Fatal("a session with a 421 waiting is alive")
	}
	s2, srv2 := pair(t, c, "k")
	defer scache.CloseFDs(s2.fds)
	srv2.Close()
	if alive(s2) {
		t.Fatal("a session whose server closed is alive")
	}
	srv.Close()
}

// BenchmarkPutGet: one put and one get through the whole cache (its
// socket, a client of lib/scache, the loop, the watcher), one
// descriptor a session: what the cache adds to a delivery.
func BenchmarkPutGet(b *testing.B) {
	w, err := newWatcher()
	if err != nil {
		b.Fatal(err)
	}
	c := newCache(time.Minute, 1000, w, &logger{w: io.Discard})
	path := b.TempDir() + "/socket"
	l, err := listen(path)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	go w.run(c.dead)
	go c.accept(l)
	go c.loop(make(chan os.Signal))
	cl, err := scache.Dial(path)
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer scache.CloseFDs(fds[:])
	st := scache.State{Born: time.Now().Unix(), Count: 1, Ext: map[string]string{"PIPELINING": "", "SIZE": "10240000", "8BITMIME": "", "CHUNKING": ""}}
	exp := time.Now().Unix() + 3600
	for b.Loop() {
		fd, err := syscall.Dup(fds[0])
		if err != nil {
			b.Fatal(err)
		}
		f := os.NewFile(uintptr(fd), "session")
		if err := cl.Put("k", scache.ProtoSMTP, exp, st, f); err != nil {
			b.Fatal(err)
		}
		f.Close()
		s, err := cl.Get("k")
		if err != nil || s == nil {
			b.Fatal(s, err)
		}
		s.Close()
	}
}
