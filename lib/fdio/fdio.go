// Package fdio turns the inherited network descriptors of the ucspi client
// convention (6 = read from the peer, 7 = write to the peer) into a
// reader and a writer with a deadline on every read and every write, the
// way qmail's timeoutread/timeoutwrite bound each operation, never the
// whole session.
package fdio

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

// Conn reads from one descriptor and writes to another. Every Read and
// every Write gets its own deadline of Timeout from its start, when the
// descriptor can poll (sockets, pipes); on one that cannot (a regular
// file, say) the operation simply blocks.
type Conn struct {
	r, w    *os.File
	Timeout time.Duration // 0: no deadline
}

// Open makes a Conn from descriptors rfd and wfd, which may refer to the
// same socket (tcpclient puts one socket on both 6 and 7). It fails when
// either descriptor is not open. The descriptors become non-blocking
// (that is what makes deadlines work): only call this on descriptors the
// process owns alone.
func Open(rfd, wfd int, timeout time.Duration) (*Conn, error) {
	for _, fd := range []int{rfd, wfd} {
		var st syscall.Stat_t
		if err := syscall.Fstat(fd, &st); err != nil {
			return nil, fmt.Errorf("fd %d: %w", fd, err)
		}
	}
	// Errors are ignored on purpose: an fd that refuses O_NONBLOCK just
	// ends up without deadlines.
	syscall.SetNonblock(rfd, true)
	syscall.SetNonblock(wfd, true)
	c := &Conn{r: os.NewFile(uintptr(rfd), fmt.Sprintf("fd%d", rfd)), Timeout: timeout}
	c.w = c.r
	if wfd != rfd {
		c.w = os.NewFile(uintptr(wfd), fmt.Sprintf("fd%d", wfd))
	}
	return c, nil
}

// New makes a Conn from two open files, such as the ends of os.Pipe
// (already non-blocking, so with deadlines). r and w may be the same.
func New(r, w *os.File, timeout time.Duration) *Conn {
	return &Conn{r: r, w: w, Timeout: timeout}
}

// Files returns the read and the write file, to hand on to a child.
func (c *Conn) Files() (r, w *os.File) { return c.r, c.w }

// Read reads from the peer within Timeout; a timeout reads as an error
// satisfying errors.Is(err, os.ErrDeadlineExceeded).
func (c *Conn) Read(p []byte) (int, error) {
	c.deadline(c.r.SetReadDeadline)
	return c.r.Read(p)
}

// Write writes to the peer, each underlying write within Timeout.
func (c *Conn) Write(p []byte) (int, error) {
	c.deadline(c.w.SetWriteDeadline)
	return c.w.Write(p)
}

func (c *Conn) deadline(set func(time.Time) error) {
	if c.Timeout <= 0 {
		return
	}
	// os.ErrNoDeadline (an fd that cannot poll) means: no deadline. Any
	// other failure shows up in the operation itself.
	_ = set(time.Now().Add(c.Timeout))
}

// CloseWrite closes the write descriptor (the peer sees EOF when it was
// the last reference to a pipe; a socket shared with fd 6 stays open).
func (c *Conn) CloseWrite() error { return c.w.Close() }

// Close closes both descriptors.
func (c *Conn) Close() error {
	errr := c.r.Close()
	if c.w == c.r {
		return errr
	}
	errw := c.w.Close()
	if errw != nil {
		return errw
	}
	return errr
}

// DefaultTimeout is qmail's timeoutremote: 1200 seconds.
const DefaultTimeout = 1200 * time.Second

// TimeoutRemote reads $TIMEOUTREMOTE, the seconds every stage allows
// each read and write on the peer (qmail-remote sets it from
// control/timeoutremote): DefaultTimeout when unset; 0 counts as 1, since
// qmail with 0 would time out at once.
func TimeoutRemote() (time.Duration, error) {
	v, ok := os.LookupEnv("TIMEOUTREMOTE")
	if !ok {
		return DefaultTimeout, nil
	}
	n, err := strconv.ParseUint(v, 10, 31)
	if err != nil {
		return 0, fmt.Errorf("TIMEOUTREMOTE is not a number of seconds: %q", v)
	}
	return time.Duration(max(n, 1)) * time.Second, nil
}
