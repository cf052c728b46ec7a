//go:build linux

// Scacherun plays qmail-remote's part with the session cache for
// tests/smtpclient.sh: it runs a speaker with a session from
// qmail-scache, or a fresh connection, and the way back to the cache.
//
// Usage:
//
//	scacherun [-c PORT] KEY prog [args...]
//
// It connects to the cache at $QMAILHOME/queue/lock/scache/socket
// (lib/scache.Dial) and asks it for a session under KEY. A session: its
// descriptors go on fds 6 and 7 (one socket on both) and its state in
// SESSION. None: with -c, a fresh TCP connection to 127.0.0.1:PORT on
// fds 6 and 7; without, fds 6 and 7 stay as they came. Either way the
// connection to the cache goes on fd 12 with SESSIONFD=12 and
// SESSIONKEY=KEY, and scacherun executes prog in its own place (prog's
// exit code is scacherun's). On fd 2 it says "scacherun: session" or
// "scacherun: fresh". Errors: exit 111 with a line on fd 2.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"syscall"

	"qmail-remote-go/lib/scache"
)

func main() {
	fs := flag.NewFlagSet("scacherun", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	port := fs.String("c", "", "")
	if err := fs.Parse(os.Args[1:]); err != nil || fs.NArg() < 2 {
		fatal("usage: scacherun [-c PORT] KEY prog [args...]")
	}
	key, argv := fs.Arg(0), fs.Args()[1:]
	c, err := scache.Dial(scache.Path())
	if err != nil {
		fatal("unable to reach the cache: " + err.Error())
	}
	env := os.Environ()
	var moves []move
	s, err := c.Get(key)
	if err != nil {
		fatal("unable to ask the cache: " + err.Error())
	}
	switch {
	case s != nil:
		moves = append(moves, move{s.Read(), 6}, move{s.Write(), 7})
		env = append(env, "SESSION="+s.State.Encode())
		fmt.Fprintln(os.Stderr, "scacherun: session")
	case *port != "":
		conn, err := net.Dial("tcp", "127.0.0.1:"+*port)
		if err != nil {
			fatal("unable to connect: " + err.Error())
		}
		f, err := conn.(*net.TCPConn).File()
		if err != nil {
			fatal(err.Error())
		}
		moves = append(moves, move{f, 6}, move{f, 7})
		fmt.Fprintln(os.Stderr, "scacherun: fresh")
	default:
		fmt.Fprintln(os.Stderr, "scacherun: fresh")
	}
	f, err := c.File()
	if err != nil {
		fatal(err.Error())
	}
	moves = append(moves, move{f, 12})
	place(moves)
	path, err := exec.LookPath(argv[0])
	if err != nil {
		fatal(err.Error())
	}
	env = append(env, "SESSIONFD=12", "SESSIONKEY="+key)
	err = syscall.Exec(path, argv, env)
	fatal("unable to run " + argv[0] + ": " + err.Error())
}

// A move puts f's descriptor on fd for prog.
type move struct {
	f  *os.File
	fd int
}

// place makes the moves: first every source on a high descriptor of its
// own (a source may sit on another move's target), then each on its
// target, inherited.
func place(moves []move) {
	high := make([]int, len(moves))
	for i, m := range moves {
		fd, _, e := syscall.Syscall(syscall.SYS_FCNTL, m.f.Fd(), syscall.F_DUPFD_CLOEXEC, 100)
		if e != 0 {
			fatal(e.Error())
		}
		high[i] = int(fd)
	}
	for i, m := range moves {
		if err := syscall.Dup3(high[i], m.fd, 0); err != nil {
			fatal(err.Error())
		}
	}
}

func fatal(msg string) {
	fmt.Fprintln(os.Stderr, "scacherun: fatal: "+msg)
	os.Exit(111)
}
