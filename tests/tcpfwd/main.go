// Tcpfwd makes a real peer that listens on loopback reachable at
// another address of this machine: the tests' network namespace
// (tests/lib.sh, netns) gives one that is not loopback, where SPEC D9's
// rules for AUTH apply, and tests/real forwards it to the real Postfix.
//
// Usage:
//
//	tcpfwd LISTEN TARGET
//
// It listens on LISTEN (10.64.0.1:0: port 0 picks a free one), prints
// the port alone on the first line of stdout, and copies each
// connection's bytes both ways to a new connection to TARGET, until its
// stdin reaches end of file or it is killed. Exit 111 when it cannot
// listen (on stderr, "tcpfwd: fatal: ...").
package main

import (
	"fmt"
	"io"
	"net"
	"os"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: tcpfwd LISTEN TARGET")
		os.Exit(100)
	}
	l, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "tcpfwd: fatal: unable to listen: "+err.Error())
		os.Exit(111)
	}
	fmt.Println(l.Addr().(*net.TCPAddr).Port)
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	for {
		c, err := l.Accept()
		if err != nil {
			continue
		}
		go forward(c.(*net.TCPConn), os.Args[2])
	}
}

// forward copies c to a new connection to target and back; each
// direction's end of file is passed on as a half close, so a client's
// QUIT and the server's close end both.
func forward(c *net.TCPConn, target string) {
	defer c.Close()
	t, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	u := t.(*net.TCPConn)
	defer u.Close()
	done := make(chan struct{})
	go func() {
		io.Copy(u, c)
		u.CloseWrite()
		close(done)
	}()
	io.Copy(c, u)
	c.CloseWrite()
	<-done
}
