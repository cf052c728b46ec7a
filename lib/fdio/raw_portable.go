//go:build !linux || portable

package fdio

import (
	"io"
	"os"
	"syscall"
	"time"
)

// Without Linux (or with the build tag portable, which tests this on
// Linux) Conn's reads and writes are read(2) and write(2) through
// package syscall's wrappers, and whether a descriptor is non-blocking
// is what os.NewFile found: system calls by number are Linux's (OpenBSD
// refuses them, macOS deprecates them).

// nonBlocking returns f's RawConn when its descriptor is non-blocking
// (see isNonblock), else nil: what readRaw and writeRaw take.
func nonBlocking(f *os.File) syscall.RawConn {
	if !isNonblock(f) {
		return nil
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// readRaw reads into p from rc's descriptor with one read(2), waiting in
// the poller (within rc's deadline) while there is nothing to read. An
// error of the system call comes back as its syscall.Errno; 0 bytes as
// io.EOF.
func readRaw(rc syscall.RawConn, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n := 0
	var errno error
	err := rc.Read(func(fd uintptr) bool {
		for {
			m, e := syscall.Read(int(fd), p)
			switch e {
			case nil:
				n = m
				return true
			case syscall.EINTR:
			case syscall.EAGAIN:
				return false
			default:
				errno = e
				return true
			}
		}
	})
	switch {
	case errno != nil:
		return 0, errno
	case err == nil && n == 0:
		return 0, io.EOF
	}
	return n, err
}

// writeRaw writes all of p to rc's non-blocking descriptor with write(2)
// calls, waiting in the poller (within rc's deadline) whenever it is
// full. An error of a system call comes back as its syscall.Errno.
func writeRaw(rc syscall.RawConn, p []byte) (int, error) {
	n := 0
	var errno error
	err := rc.Write(func(fd uintptr) bool {
		for n < len(p) {
			m, e := syscall.Write(int(fd), p[n:])
			switch e {
			case nil:
				n += m
			case syscall.EINTR:
			case syscall.EAGAIN:
				return false
			default:
				errno = e
				return true
			}
		}
		return true
	})
	if errno != nil {
		return n, errno
	}
	return n, err
}

// Message returns f, which holds the message, for reading it.
func Message(f *os.File) io.Reader { return f }

// isNonblock tells whether f's open file description had O_NONBLOCK
// when os.NewFile made f: os.NewFile makes such a descriptor pollable,
// and only such a one, so that a deadline can be set on it.
func isNonblock(f *os.File) bool { return f.SetReadDeadline(time.Time{}) == nil }
