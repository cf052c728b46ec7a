//go:build linux && !portable

package fdio

import (
	"io"
	"os"
	"syscall"
	"unsafe"
)

// The Linux-only parts of fdio: raw read(2) and write(2) (Conn.Write
// says why) and fcntl through system call numbers. The build tag
// portable puts raw_portable.go in their place, to test that on Linux
// too: go test -tags portable.

// nonBlocking returns f's RawConn when its descriptor is non-blocking,
// else nil: what readRaw and writeRaw take.
func nonBlocking(f *os.File) syscall.RawConn {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil
	}
	var flags uintptr
	var errno syscall.Errno
	if rc.Control(func(fd uintptr) {
		flags, _, errno = syscall.RawSyscall(syscall.SYS_FCNTL, fd, syscall.F_GETFL, 0)
	}) != nil || errno != 0 || flags&syscall.O_NONBLOCK == 0 {
		return nil
	}
	return rc
}

// readRaw reads into p from rc's descriptor with one raw read(2): see
// Conn.Write for why. A non-blocking descriptor with nothing to read
// waits in the poller (within rc's deadline); a regular file never
// waits there. An error of the system call
// comes back as its syscall.Errno; 0 bytes as io.EOF.
func readRaw(rc syscall.RawConn, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n := 0
	var errno syscall.Errno
	err := rc.Read(func(fd uintptr) bool {
		for {
			m, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
			switch e {
			case 0:
				n = int(m)
				return true
			case syscall.EINTR:
			case syscall.EAGAIN:
				return false // the poller waits until there is something
			default:
				errno = e
				return true
			}
		}
	})
	switch {
	case errno != 0:
		return 0, errno
	case err == nil && n == 0:
		return 0, io.EOF
	}
	return n, err
}

// writeRaw writes all of p to rc's non-blocking descriptor with raw
// write(2) calls, waiting in the poller (within rc's deadline) whenever
// it is full. An error of a system call comes back as its
// syscall.Errno.
func writeRaw(rc syscall.RawConn, p []byte) (int, error) {
	n := 0
	var errno syscall.Errno
	err := rc.Write(func(fd uintptr) bool {
		for n < len(p) {
			m, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[n])), uintptr(len(p)-n))
			switch e {
			case 0:
				n += int(m)
			case syscall.EINTR:
			case syscall.EAGAIN:
				return false // the poller waits until the descriptor can take more
			default:
				errno = e
				return true
			}
		}
		return true
	})
	if errno != 0 {
		return n, errno
	}
	return n, err
}

// Message returns f, which holds the message, for reading it: a regular
// file (what qmail-remote always gives) comes back with raw read(2)
// calls, for the reason Write gives (a 256 KiB read from the page cache
// runs long enough for sysmon to take the processor away); Seek and
// ReadAt stay as they are. A read from a regular file may wait for the
// disk, never for a peer, so nothing needs to run meanwhile. Anything
// else comes back as it is.
func Message(f *os.File) io.Reader {
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return f
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return f
	}
	return regular{f, rc}
}

// regular is a regular file read by readRaw: it cannot poll, so readRaw
// never waits, and its read(2) is raw.
type regular struct {
	*os.File
	rc syscall.RawConn
}

func (f regular) Read(p []byte) (int, error) {
	n, err := readRaw(f.rc, p)
	return n, pathError("read", f.File, err)
}

// isNonblock tells whether f's open file description has O_NONBLOCK.
func isNonblock(f *os.File) bool {
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	var flags uintptr
	var errno syscall.Errno
	if rc.Control(func(fd uintptr) {
		flags, _, errno = syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_GETFL, 0)
	}) != nil {
		return false
	}
	return errno == 0 && flags&syscall.O_NONBLOCK != 0
}
