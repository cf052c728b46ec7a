//go:build linux && !portable

package main

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"qmail-remote-go/lib/scache"
)

// The Linux parts of the session cache: the zero-timeout poll, and the
// put as lib/scache sends it.

// TestIdle: the zero-timeout check before RSET: an idle socket passes;
// one with data waiting (an unsolicited 421) or at EOF, or a pipe whose
// writer is gone, does not.
func TestIdle(t *testing.T) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fds[0])
	if !scache.Quiet(fds[0]) {
		t.Error("idle socket: not idle")
	}
	syscall.Write(fds[1], []byte("421 bye\r\n"))
	if scache.Quiet(fds[0]) {
		t.Error("421 waiting: idle")
	}
	var buf [64]byte
	syscall.Read(fds[0], buf[:])
	if !scache.Quiet(fds[0]) {
		t.Error("read again: not idle")
	}
	syscall.Close(fds[1])
	if scache.Quiet(fds[0]) {
		t.Error("EOF: idle")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !scache.Quiet(int(r.Fd())) {
		t.Error("pipe: not idle")
	}
	w.Close()
	if scache.Quiet(int(r.Fd())) {
		t.Error("pipe without writer: idle")
	}
}

// TestHandBackRecord: the put as the cache reads it (lib/scache): one
// record with the key, the expiry and the state, and the channel's two
// descriptors, which still reach the same pipes once ours are closed.
func TestHandBackRecord(t *testing.T) {
	sp, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(sp[1])
	keep := scache.FromFD(sp[0])
	defer keep.Close()
	in, toUs, err := os.Pipe() // the server's side of the channel: toUs writes to us
	if err != nil {
		t.Fatal(err)
	}
	fromUs, out, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer toUs.Close()
	defer fromUs.Close()
	var cl, o bytes.Buffer
	s := &session{r: bufio.NewReader(strings.NewReader("250 ok\r\n250 ok\r\n250 ok\r\n250 queued\r\n")), w: bufio.NewWriter(&cl),
		msg: strings.NewReader(message), out: &o, ip: "192.0.2.1", helo: "helo.test",
		chanFiles: func() (*os.File, *os.File) { return in, out }}
	s.cache = reuse{from: state(extChunk, nil), keep: keep, key: "k9", messages: 100, lifetime: 300,
		now: func() time.Time { return time.Unix(t0, 0) }}
	s.cache.born = born
	if why := s.resume(); why != "" {
		t.Fatal(why)
	}
	if exit, _ := s.run("a@x.test", []string{"b@y.test"}); exit != 0 || strings.Contains(cl.String(), "QUIT") {
		t.Fatalf("exit %d, sent %q", exit, cl.String())
	}
	rec, files, err := scache.Recv(sp[1])
	if err != nil || len(files) != 2 {
		t.Fatalf("%v, %d files", err, len(files))
	}
	defer files[0].Close()
	defer files[1].Close()
	p, err := scache.ParsePut(rec)
	if err != nil || p.Key != "k9" || p.Proto != "smtp" || p.Expires != born+300 {
		t.Errorf("put %+v %v", p, err)
	}
	st, err := scache.ParseState(stateText(p.State))
	if err != nil || st.Count != 4 || st.Born != born || len(st.Ext) != 3 {
		t.Errorf("state %+v %v", st, err)
	}
	if _, err := in.Stat(); err == nil {
		t.Error("our read end still open")
	}
	// The cache's copies are the channel: what the server writes comes
	// out of the first, what goes into the second reaches the server.
	toUs.Write([]byte("x"))
	files[1].Write([]byte("y"))
	var b [1]byte
	if n, _ := files[0].Read(b[:]); n != 1 || b[0] != 'x' {
		t.Errorf("read end: %q", b[:n])
	}
	if n, _ := fromUs.Read(b[:]); n != 1 || b[0] != 'y' {
		t.Errorf("write end: %q", b[:n])
	}
}

func stateText(fields []scache.Field) string {
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(f.Name + " " + f.Value + "\n")
	}
	return b.String()
}
