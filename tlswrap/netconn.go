package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
)

// checkFDs checks that the descriptors are open (UCSPI-TLS 2.1).
func checkFDs(fds ...int) error {
	for _, fd := range fds {
		var st syscall.Stat_t
		if err := syscall.Fstat(fd, &st); err != nil {
			return fmt.Errorf("fd %d: %w", fd, err)
		}
	}
	return nil
}

// network makes a net.Conn of fds 6 (read) and 7 (write), which from
// now on belong to tlswrap alone (UCSPI-TLS 8: not before the control
// byte: both steps change O_NONBLOCK, which every copy of the fd
// shares). One socket on both (tcpclient's fd_copy(7,6)):
// net.FileConn. Anything else, pipes in tests: non-blocking *os.File,
// which polls and keeps deadlines.
func network() (net.Conn, error) {
	var st6, st7 syscall.Stat_t
	if err := syscall.Fstat(6, &st6); err != nil {
		return nil, fmt.Errorf("fd 6: %w", err)
	}
	if err := syscall.Fstat(7, &st7); err != nil {
		return nil, fmt.Errorf("fd 7: %w", err)
	}
	if st6.Dev == st7.Dev && st6.Ino == st7.Ino && st6.Mode&syscall.S_IFMT == syscall.S_IFSOCK {
		f := os.NewFile(6, "fd6")
		c, err := net.FileConn(f) // a dup of fd 6
		if err == nil {
			f.Close()
			syscall.Close(7)
			return c, nil
		}
		defer f.Close()
		return nil, fmt.Errorf("fd 6: %w", err)
	}
	for _, fd := range []int{6, 7} {
		if err := syscall.SetNonblock(fd, true); err != nil {
			return nil, fmt.Errorf("fd %d: %w", fd, err)
		}
	}
	return &pipeConn{os.NewFile(6, "fd6"), os.NewFile(7, "fd7")}, nil
}

// pipeConn is a net.Conn on two descriptors.
type pipeConn struct{ r, w *os.File }

func (p *pipeConn) Read(b []byte) (int, error)  { return p.r.Read(b) }
func (p *pipeConn) Write(b []byte) (int, error) { return p.w.Write(b) }
func (p *pipeConn) CloseWrite() error           { return p.w.Close() }
func (p *pipeConn) Close() error                { return errors.Join(p.r.Close(), p.w.Close()) }
func (p *pipeConn) LocalAddr() net.Addr         { return fdAddr("fd7") }
func (p *pipeConn) RemoteAddr() net.Addr        { return fdAddr("fd6") }
func (p *pipeConn) SetReadDeadline(t time.Time) error {
	return noDeadline(p.r.SetReadDeadline(t))
}
func (p *pipeConn) SetWriteDeadline(t time.Time) error {
	return noDeadline(p.w.SetWriteDeadline(t))
}
func (p *pipeConn) SetDeadline(t time.Time) error {
	return errors.Join(p.SetReadDeadline(t), p.SetWriteDeadline(t))
}

// noDeadline: an fd that cannot poll (a regular file) just blocks.
func noDeadline(err error) error {
	if errors.Is(err, os.ErrNoDeadline) {
		return nil
	}
	return err
}

type fdAddr string

func (a fdAddr) Network() string { return "fd" }
func (a fdAddr) String() string  { return string(a) }
