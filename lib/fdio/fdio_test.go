package fdio

import (
	"errors"
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
