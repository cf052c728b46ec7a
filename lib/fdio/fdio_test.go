package fdio

import (
	"bytes"
	"errors"
	"io"
	"os"
	"syscall"
	"testing"
	"time"
)

// pipeFDs returns the raw descriptors of a fresh pipe, owned by the caller.
func pipeFDs(t *testing.T) (r, w int) {
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		t.Fatal(err)
	}
	return p[0], p[1]
}

func TestPipeDeadline(t *testing.T) {
	r, w := pipeFDs(t)
	c, err := Open(r, w, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("hi")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	if n, err := c.Read(buf); err != nil || string(buf[:n]) != "hi" {
		t.Fatalf("read %q %v", buf[:n], err)
	}
	start := time.Now()
	_, err = c.Read(buf)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read on a silent pipe: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("deadline took %v", d)
	}
	// The deadline is per operation: a new read gets a fresh one.
	c.Write([]byte("x"))
	if n, err := c.Read(buf); err != nil || n != 1 {
		t.Fatalf("read after a timeout: %v", err)
	}
}

func TestClosedFD(t *testing.T) {
	r, w := pipeFDs(t)
	syscall.Close(w)
	defer syscall.Close(r)
	if _, err := Open(r, w, time.Second); err == nil {
		t.Fatal("Open accepted a closed descriptor")
	}
}

func TestRegularFile(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("data")
	fd, _ := syscall.Dup(int(f.Fd()))
	f.Close()
	c, err := Open(fd, fd, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	syscall.Seek(fd, 0, 0)
	buf := make([]byte, 10)
	if n, err := c.Read(buf); err != nil || string(buf[:n]) != "data" {
		t.Fatalf("read %q %v", buf[:n], err)
	}
}

func TestWriteDeadline(t *testing.T) {
	r, w := pipeFDs(t)
	c, err := Open(r, w, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Nobody reads: the pipe fills up and the write must give up.
	_, err = c.Write(make([]byte, 4<<20))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("write to a full pipe: %v", err)
	}
}

// TestRawEnds: the raw reads and writes of a non-blocking pipe end the
// way os.File's do: io.EOF after the last byte, EPIPE (not a signal)
// when nobody reads any more.
func TestRawEnds(t *testing.T) {
	r, w := pipeFDs(t)
	c, err := Open(r, w, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if c.rawR == nil || c.rawW == nil {
		t.Fatal("a non-blocking pipe got no raw reads and writes")
	}
	if n, err := c.Write([]byte("hi")); n != 2 || err != nil {
		t.Fatalf("write: %d %v", n, err)
	}
	c.CloseWrite()
	buf := make([]byte, 10)
	if n, err := c.Read(buf); err != nil || string(buf[:n]) != "hi" {
		t.Fatalf("read %q %v", buf[:n], err)
	}
	if n, err := c.Read(buf); n != 0 || err != io.EOF {
		t.Fatalf("read at the end: %d %v", n, err)
	}
	c.r.Close()

	r, w = pipeFDs(t)
	syscall.Close(r)
	c, err = Open(w, w, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("x")); !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("write to a pipe nobody reads: %v", err)
	}
}

// TestRawLargeWrite: a write larger than the pipe waits in the poller
// whenever the pipe is full, and every byte arrives in order.
func TestRawLargeWrite(t *testing.T) {
	r, w := pipeFDs(t)
	c, err := Open(r, w, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	want := make([]byte, 3<<20)
	for i := range want {
		want[i] = byte(i * 7)
	}
	got := make(chan []byte)
	go func() {
		var b []byte
		buf := make([]byte, 100000)
		for len(b) < len(want) {
			n, err := c.Read(buf)
			if err != nil {
				break
			}
			b = append(b, buf[:n]...)
		}
		got <- b
	}()
	if n, err := c.Write(want); n != len(want) || err != nil {
		t.Fatalf("write: %d %v", n, err)
	}
	if b := <-got; !bytes.Equal(b, want) {
		t.Fatalf("read %d bytes, not the %d written", len(b), len(want))
	}
}

// TestMessage: a regular file still seeks and reads at an offset (on
// Linux it reads raw: TestMessageRaw); anything else comes back as it
// is.
func TestMessage(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "msg")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString("one\ntwo\n")
	f.Seek(4, io.SeekStart)
	m := Message(f)
	if b, err := io.ReadAll(m); err != nil || string(b) != "two\n" {
		t.Fatalf("read %q %v", b, err)
	}
	if _, err := m.(io.Seeker).Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 3)
	if n, err := m.Read(buf); err != nil || string(buf[:n]) != "one" {
		t.Fatalf("read after a seek %q %v", buf[:n], err)
	}
	if n, err := m.(io.ReaderAt).ReadAt(buf, 4); err != nil || string(buf[:n]) != "two" {
		t.Fatalf("ReadAt %q %v", buf[:n], err)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	if m := Message(pr); m != io.Reader(pr) {
		t.Fatalf("a pipe came back as %T", m)
	}
}
