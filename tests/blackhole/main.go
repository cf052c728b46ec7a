// Blackhole makes a TCP address that neither accepts nor refuses: a
// connection to it times out, like one to a host behind a firewall that
// drops packets. No root is needed.
//
// Usage:
//
//	blackhole ADDR
//
// It listens on ADDR ([::1]:0, 127.0.0.1:0: port 0 picks a free one)
// with a backlog of one connection that it never accepts, fills that
// backlog with connections of its own, and prints the port alone on the
// first line of stdout. From then on the kernel drops every SYN to the
// address: a connect there gets no answer. It holds the address until
// its stdin reaches end of file or it is killed. Exit 111 when the
// address cannot be made (on stderr, "blackhole: fatal: ...").
package main

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: blackhole ADDR")
		os.Exit(100)
	}
	ap, err := netip.ParseAddrPort(os.Args[1])
	if err != nil {
		fatal("bad address: " + err.Error())
	}
	port, err := listen(ap)
	if err != nil {
		fatal("unable to listen: " + err.Error())
	}
	target := netip.AddrPortFrom(ap.Addr(), port).String()
	var held []net.Conn
	for len(held) < 64 {
		c, err := net.DialTimeout("tcp", target, 300*time.Millisecond)
		if err != nil {
			break // the backlog is full: this SYN was dropped
		}
		held = append(held, c)
	}
	if c, err := net.DialTimeout("tcp", target, 300*time.Millisecond); err == nil {
		c.Close()
		fatal("the backlog does not fill")
	}
	fmt.Println(port)
	io.Copy(io.Discard, os.Stdin)
}

// listen makes the socket with a backlog of 0 (net.Listen takes the
// system's maximum) and returns its port.
func listen(ap netip.AddrPort) (uint16, error) {
	var sa syscall.Sockaddr
	family := syscall.AF_INET
	if ap.Addr().Is4() {
		sa = &syscall.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	} else {
		family = syscall.AF_INET6
		sa = &syscall.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
	}
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM, 0) // SOCK_CLOEXEC is not everywhere
	if err != nil {
		return 0, err
	}
	syscall.CloseOnExec(fd) // blackhole starts nothing: no fork can come between
	if err := syscall.Bind(fd, sa); err != nil {
		return 0, err
	}
	if err := syscall.Listen(fd, 0); err != nil {
		return 0, err
	}
	got, err := syscall.Getsockname(fd)
	if err != nil {
		return 0, err
	}
	switch a := got.(type) {
	case *syscall.SockaddrInet4:
		return uint16(a.Port), nil
	case *syscall.SockaddrInet6:
		return uint16(a.Port), nil
	}
	return 0, fmt.Errorf("unknown socket address %T", got)
}

func fatal(msg string) {
	fmt.Fprintln(os.Stderr, "blackhole: fatal: "+msg)
	os.Exit(111)
}
