// Fakeqmtp plays a scripted QMTP server (http://cr.yp.to/proto/qmtp.txt)
// for tests.
//
// Usage:
//
//	fakeqmtp [-o LOG] [-e ENVELOPE] [-m MAXRSS] SCRIPT prog [args...]
//	fakeqmtp -l ADDR [-n N] [-o LOG] [-e ENVELOPE] [-c CERT -k KEY] SCRIPT
//
// In the first form it runs prog with a pipe on its fd 6 (fakeqmtp to
// prog) and another on its fd 7 (prog to fakeqmtp), fds 0, 1 and 2
// inherited and fds 3-5 closed, plays SCRIPT on the other ends, and exits
// with prog's exit code (128+N when prog dies of signal N). With -m it
// writes prog's peak resident memory in KiB (getrusage) to MAXRSS.
//
// In the second form it listens on the TCP address ADDR (127.0.0.1:0
// picks a free port), prints the bound port alone on the first line of
// stdout, then serves N connections (default 1) one after the other, each
// with the whole SCRIPT, and exits 0 (100 when a package was malformed,
// 111 when no connection came within 120 seconds).
//
// With -c and -k (in the second form) every connection is TLS from its
// first byte, with that certificate chain and key: QMTPS.
//
// With -o, every byte the client sends is appended to LOG, exactly as
// sent. With -e, each package read is summed up in ENVELOPE (appended):
//
//	message LENGTH SHA256     the message without its line-end byte
//	sender ADDRESS
//	recipient ADDRESS         one line each
//
// (address bytes outside 33..126, and backslash, shown as \xHH).
//
// SCRIPT holds one command per line; empty lines and lines starting with
// '#' are skipped. TEXT is the rest of the line after the single space
// that follows the command; in it \r, \n, \t, \0, \\ and \xHH stand for
// those bytes.
//
//	package         read one package and check it: a message netstring
//	                starting with LF, a sender netstring, a netstring of
//	                one or more recipient netstrings. A malformed or cut
//	                package is said on stderr and ends the connection.
//	reply TEXT      send TEXT as one netstring ("reply Kok" sends 3:Kok,)
//	raw TEXT        send TEXT as it is (several responses in one write,
//	                malformed ones)
//	readn N         read N bytes of the client (or until it closes)
//	truncate N PATH cut the file PATH to N bytes
//	sleep MS        wait MS milliseconds
//	close           close the connection now, both ways, and end it
//	hang            answer nothing more; read what the client sends until
//	                it closes or 60 seconds pass, then close
//
// At the end of the script fakeqmtp half-closes and reads (and logs) what
// the client still sends, until it closes or 60 seconds pass.
package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"qmail-remote-go/tests/script"
)

const (
	prog        = "fakeqmtp"
	usage       = "usage: fakeqmtp [-o LOG] [-e ENVELOPE] [-m MAXRSS] SCRIPT prog [args...] | fakeqmtp -l ADDR [-n N] [-o LOG] [-e ENVELOPE] [-c CERT -k KEY] SCRIPT"
	bound       = 60 * time.Second  // hang, drain and write limit
	acceptBound = 120 * time.Second // wait for each connection in -l mode
)

// errBad means a package was malformed.
var errBad = errors.New("malformed package")

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	signal.Ignore(syscall.SIGPIPE)
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	logName := fs.String("o", "", "")
	envName := fs.String("e", "", "")
	rssName := fs.String("m", "", "")
	addr := fs.String("l", "", "")
	n := fs.Int("n", 1, "")
	certFile := fs.String("c", "", "")
	keyFile := fs.String("k", "", "")
	if err := fs.Parse(args); err != nil || fs.NArg() < 1 || (*addr == "") == (fs.NArg() < 2) || *n < 1 {
		fmt.Fprintln(os.Stderr, usage)
		return 100
	}
	script, err := load(fs.Arg(0))
	if err != nil {
		return fatal(100, err.Error())
	}
	var o outputs
	if o.log, err = appendTo(*logName); err != nil {
		return fatal(111, "unable to open log: "+err.Error())
	}
	if o.env, err = appendTo(*envName); err != nil {
		return fatal(111, "unable to open envelope file: "+err.Error())
	}
	if *certFile != "" {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			return fatal(100, "unable to load -c/-k: "+err.Error())
		}
		o.tls = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	if *addr != "" {
		return listen(*addr, *n, script, o)
	}
	return child(fs.Args()[1:], script, o, *rssName)
}

// outputs are where the client's bytes and the envelopes go, and the TLS
// settings of -c and -k (nil: clear text).
type outputs struct {
	log, env io.Writer
	tls      *tls.Config
}

func appendTo(name string) (io.Writer, error) {
	if name == "" {
		return io.Discard, nil
	}
	return os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
}

// listen serves n TCP connections one after the other.
func listen(addr string, n int, script []command, o outputs) int {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fatal(111, "unable to listen: "+err.Error())
	}
	defer ln.Close()
	fmt.Printf("%d\n", ln.Addr().(*net.TCPAddr).Port)
	code := 0
	for range n {
		ln.(*net.TCPListener).SetDeadline(time.Now().Add(acceptBound))
		c, err := ln.Accept()
		if err != nil {
			return fatal(111, "unable to accept: "+err.Error())
		}
		var p peer = c.(*net.TCPConn)
		if o.tls != nil {
			// QMTPS: TLS from the first byte (sq3's port 6209).
			tc := tls.Server(c, o.tls)
			tc.SetDeadline(time.Now().Add(bound))
			if err := tc.Handshake(); err != nil {
				fmt.Fprintf(os.Stderr, "%s: TLS handshake failed: %v\n", prog, err)
				c.Close()
				continue
			}
			tc.SetDeadline(time.Time{})
			p = tc
		}
		if serve(p, script, o) == errBad {
			code = 100
		}
	}
	return code
}

// child runs argv with the script on its fds 6 and 7.
func child(argv []string, cmds []command, o outputs, rssName string) int {
	toR, toW, err := os.Pipe()
	if err != nil {
		return fatal(111, "unable to create pipe: "+err.Error())
	}
	fromR, fromW, err := os.Pipe()
	if err != nil {
		return fatal(111, "unable to create pipe: "+err.Error())
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{nil, nil, nil, toR, fromW} // fds 3, 4, 5, 6, 7
	err = cmd.Start()
	toR.Close()
	fromW.Close()
	if err != nil {
		toW.Close()
		fromR.Close()
		return fatal(111, "unable to run "+argv[0]+": "+err.Error())
	}
	serve(&script.PipePeer{R: fromR, W: toW}, cmds, o)
	cmd.Wait()
	st := cmd.ProcessState
	if ru, ok := st.SysUsage().(*syscall.Rusage); ok && rssName != "" {
		os.WriteFile(rssName, fmt.Appendf(nil, "%d\n", ru.Maxrss), 0o644)
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return st.ExitCode()
}

func fatal(code int, msg string) int {
	fmt.Fprintf(os.Stderr, "%s: fatal: %s\n", prog, msg)
	return code
}
