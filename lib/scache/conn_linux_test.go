//go:build linux && !portable

package scache

import (
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
	"time"
)

// listen makes a SOCK_SEQPACKET listener at a path in a temporary
// folder and serves one connection with serve.
func listen(t *testing.T, serve func(fd int)) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "socket")
	l, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Bind(l, &syscall.SockaddrUnix{Name: path}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(l, 8); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer syscall.Close(l)
		fd, _, err := syscall.Accept4(l, syscall.SOCK_CLOEXEC)
		if err != nil {
			return
		}
		defer syscall.Close(fd)
		serve(fd)
	}()
	return path
}

func TestGetPut(t *testing.T) {
	st := State{Born: 7, Count: 2, Ext: map[string]string{"CHUNKING": ""}, TLS: map[string]string{}}
	got := make(chan Put, 1)
	path := listen(t, func(fd int) {
		// First a get with nothing, then a put, then a get that hands
		// the put's descriptors back.
		r, files, err := Recv(fd)
		if err != nil || r.Kind != KindGet || r.Get("key") != "k" || len(files) != 0 {
			t.Errorf("first record %+v %v", r, err)
			return
		}
		Send(fd, []byte("N\n"), nil)
		r, files, err = Recv(fd)
		p, perr := ParsePut(r)
		if err != nil || perr != nil || len(files) != 2 {
			t.Errorf("put %+v %v %v %d", r, err, perr, len(files))
			return
		}
		got <- p
		r, _, err = Recv(fd)
		if err != nil || r.Kind != KindGet {
			t.Errorf("second get %+v %v", r, err)
			return
		}
		b, _ := Record{Kind: KindSession, Fields: p.State}.Marshal()
		Send(fd, b, files)
		closeAll(files)
	})
	c, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if s, err := c.Get("k"); s != nil || err != nil {
		t.Fatalf("Get on an empty cache = %v, %v", s, err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Put("k", ProtoSMTP, 100, st, r, w); err != nil {
		t.Fatal(err)
	}
	r.Close()
	w.Close()
	if p := <-got; p.Key != "k" || p.Expires != 100 {
		t.Fatalf("put = %+v", p)
	}
	s, err := c.Get("k")
	if err != nil || s == nil {
		t.Fatalf("Get = %v, %v", s, err)
	}
	defer s.Close()
	if !reflect.DeepEqual(s.State, st) {
		t.Errorf("state = %+v, want %+v", s.State, st)
	}
	// The descriptors are the pipe's: what goes in the write end comes
	// out of the read end, and both are close-on-exec.
	for _, f := range s.Files {
		flags, _, _ := syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), syscall.F_GETFD, 0)
		if flags&syscall.FD_CLOEXEC == 0 {
			t.Errorf("%d is not close-on-exec", f.Fd())
		}
	}
	s.Write().Write([]byte("hi"))
	buf := make([]byte, 2)
	if _, err := s.Read().Read(buf); err != nil || string(buf) != "hi" {
		t.Errorf("through the session: %q, %v", buf, err)
	}
}

// A cache that does not answer costs Timeout, then an error.
func TestGetTimeout(t *testing.T) {
	done := make(chan struct{})
	path := listen(t, func(fd int) { <-done })
	defer close(done)
	c, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	if s, err := c.Get("k"); s != nil || err == nil {
		t.Fatalf("Get = %v, %v", s, err)
	}
	if time.Since(start) > 10*Timeout {
		t.Errorf("Get waited %v", time.Since(start))
	}
}

// An answer that comes after the client gave up is never taken as the
// answer to its next question (a session for k1 handed to k2): a Get
// that failed closes the connection, and the next fails.
func TestGetLateAnswer(t *testing.T) {
	late := make(chan struct{})
	r, w, _ := os.Pipe()
	defer w.Close()
	path := listen(t, func(fd int) {
		Recv(fd)
		<-late
		b, _ := Record{Kind: KindSession, Fields: State{Born: 1, Count: 1}.Fields()}.Marshal()
		Send(fd, b, []*os.File{r})
		r.Close()
		Recv(fd) // the second get, if it comes: the socket stays open till then
	})
	c, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if s, err := c.Get("k1"); s != nil || err == nil {
		t.Fatalf("Get = %v, %v", s, err)
	}
	close(late)
	if s, err := c.Get("k2"); s != nil || err == nil {
		t.Fatalf("the second Get = %v, %v", s, err)
	}
	if err := c.Put("k2", ProtoSMTP, 1, State{}, w); err == nil {
		t.Error("a Put on the closed connection worked")
	}
}

// A cache that dies after the request: an error, no session.
func TestGetEOF(t *testing.T) {
	path := listen(t, func(fd int) { Recv(fd) })
	c, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if s, err := c.Get("k"); s != nil || err == nil {
		t.Fatalf("Get = %v, %v", s, err)
	}
}

// A session record that does not parse is closed, never handed on.
func TestGetMalformed(t *testing.T) {
	r, w, _ := os.Pipe()
	defer w.Close()
	path := listen(t, func(fd int) {
		Recv(fd)
		Send(fd, []byte("S\ncount x\n"), []*os.File{r})
		r.Close()
	})
	c, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if s, err := c.Get("k"); s != nil || err == nil {
		t.Fatalf("Get = %v, %v", s, err)
	}
}

func TestDialNothing(t *testing.T) {
	if _, err := Dial(filepath.Join(t.TempDir(), "socket")); err == nil {
		t.Fatal("Dial to no socket worked")
	}
}

func TestFile(t *testing.T) {
	path := listen(t, func(fd int) {
		r, _, err := Recv(fd)
		if err != nil || r.Kind != KindGet {
			t.Errorf("through the dup: %+v %v", r, err)
		}
	})
	c, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := c.File()
	c.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := FromFD(int(f.Fd()))
	if err := d.send(Record{Kind: KindGet, Fields: []Field{{"key", "k"}}}, nil); err != nil {
		t.Fatal(err)
	}
}
