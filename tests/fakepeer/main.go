// Fakepeer plays a scripted SMTP (or any line protocol) server for tests.
//
// Usage:
//
//	fakepeer [-o LOG] SCRIPT prog [args...]
//	fakepeer -l ADDR [-n N] [-o LOG] [-a PEERS] SCRIPT [SCRIPT...]
//
// In the first form it runs prog with a pipe on its fd 6 (fakepeer to
// prog) and another on its fd 7 (prog to fakepeer), fds 0, 1 and 2
// inherited and fds 3-5 closed, plays SCRIPT on the other ends, and exits
// with prog's exit code (128+N when prog dies of signal N).
//
// In the second form it listens on the TCP address ADDR (127.0.0.1:0
// picks a free port), prints the bound port alone on the first line of
// stdout, then serves N connections (default 1) one after the other, the
// first with the whole first SCRIPT, the second with the second, and so
// on (the last SCRIPT for every connection after), and exits 0 (100 when
// an expect line did not match, 111 when no connection came within 120
// seconds).
//
// With -o, every byte the client sends is appended to LOG, exactly as
// sent, all connections one after the other. With -a (in -l mode), the
// client's address (its source IP, IPv6 compressed) is appended to PEERS
// as a line for each connection accepted.
//
// SCRIPT holds one command per line; empty lines and lines starting with
// '#' are skipped. TEXT is the rest of the line after the single space
// that follows the command; in it \r, \n, \t, \0, \\ and \xHH stand for
// those bytes.
//
//	send TEXT       send TEXT and CRLF
//	raw TEXT        send TEXT only (no CRLF; use it for bare LF, NUL, 8-bit)
//	plainraw TEXT   after tls: send TEXT on the plain connection under TLS,
//	                into the record stream (a broken record); before tls
//	                the same as raw
//	hold            keep what the commands after it send (TLS records and
//	                plainraw included) instead of sending it
//	flush           send what hold kept in one write and stop holding: the
//	                client gets it in one read (a reply and a broken
//	                record right behind it, with no gap the scheduler can
//	                widen); close, hang, shutdown and the end of the
//	                script flush first
//	repeat N TEXT   send TEXT N times (no CRLF added): big replies
//	trickle MS TEXT send TEXT one byte at a time, waiting MS milliseconds
//	                before each byte (no CRLF added): a slow peer
//	read            read one line from the client (whatever it holds)
//	expect TEXT     read one line; if it is not TEXT (CRLF or LF removed),
//	                say so on stderr and end the connection
//	data            read lines up to and including a line holding only "."
//	sleep MS        wait MS milliseconds
//	notify PATH     append the line "notify" to the file PATH (opening a
//	                fifo waits for its reader): tells a test that the
//	                script got here
//	tls CERT KEY    TLS server handshake now (TLS 1.2 or 1.3, CERT a PEM
//	                chain, KEY its key); from then on every command goes
//	                over TLS and LOG gets the clear text the client sends.
//	                A failed handshake ends the connection (said on stderr)
//	tls12 CERT KEY [SUITE...]
//	                the same, at most TLS 1.2, and only the SUITEs (Go
//	                names, e.g. TLS_RSA_WITH_AES_128_CBC_SHA) when given
//	tlsca CAFILE    the next tls requires a client certificate that
//	                verifies against CAFILE
//	clientcert PATH the next tls writes the subject of the verified
//	                client certificate, and LF, to PATH
//	scram USER PASS [badsig]
//	                a whole SCRAM-SHA-256 server exchange (RFC 5802,
//	                RFC 7677): reads the client's AUTH SCRAM-SHA-256
//	                line (initial response or not), sends a fresh nonce,
//	                salt and 4096 iterations, checks the client's proof
//	                against PASS and its name against USER: a wrong one
//	                gets 535 and the script goes on; a right one gets the
//	                server signature (a wrong one with badsig), then, after
//	                the client's empty line, 235. A client that breaks the
//	                protocol is a mismatch, as for expect
//	shutdown        half-close (after tls: close_notify first): the
//	                client reads EOF; the script goes on
//	close           close the connection now, both ways, and end it
//	hang            answer nothing more; read what the client sends until
//	                it closes or 60 seconds pass, then close
//
// A read that finds the client gone ends the connection. At the end of the
// script fakepeer half-closes and reads (and logs) what the client still
// sends, until it closes or 60 seconds pass.
package main

import (
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
	prog        = "fakepeer"
	usage       = "usage: fakepeer [-o LOG] SCRIPT prog [args...] | fakepeer -l ADDR [-n N] [-o LOG] [-a PEERS] SCRIPT [SCRIPT...]"
	bound       = 60 * time.Second  // hang, drain and write limit
	acceptBound = 120 * time.Second // wait for each connection in -l mode
)

// errMismatch means an expect line did not match.
var errMismatch = errors.New("expect mismatch")

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	signal.Ignore(syscall.SIGPIPE)
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	logName := fs.String("o", "", "")
	addr := fs.String("l", "", "")
	n := fs.Int("n", 1, "")
	peers := fs.String("a", "", "")
	if err := fs.Parse(args); err != nil || fs.NArg() < 1 || (*addr == "" && fs.NArg() < 2) || *n < 1 {
		fmt.Fprintln(os.Stderr, usage)
		return 100
	}
	nscripts := 1
	if *addr != "" {
		nscripts = fs.NArg()
	}
	var scripts [][]command
	for _, name := range fs.Args()[:nscripts] {
		script, err := load(name)
		if err != nil {
			return fatal(100, err.Error())
		}
		scripts = append(scripts, script)
	}
	log := io.Discard
	if *logName != "" {
		f, err := os.OpenFile(*logName, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return fatal(111, "unable to open log: "+err.Error())
		}
		defer f.Close()
		log = f
	}
	if *addr != "" {
		return listen(*addr, *n, scripts, log, *peers)
	}
	return child(fs.Args()[1:], scripts[0], log)
}

// listen serves n TCP connections one after the other, the i-th with
// the i-th script (the last one for every connection after it).
func listen(addr string, n int, scripts [][]command, log io.Writer, peers string) int {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fatal(111, "unable to listen: "+err.Error())
	}
	defer ln.Close()
	fmt.Printf("%d\n", ln.Addr().(*net.TCPAddr).Port)
	code := 0
	for i := range n {
		script := scripts[min(i, len(scripts)-1)]
		ln.(*net.TCPListener).SetDeadline(time.Now().Add(acceptBound))
		c, err := ln.Accept()
		if err != nil {
			return fatal(111, "unable to accept: "+err.Error())
		}
		if peers != "" {
			if err := note(peers, c.RemoteAddr().(*net.TCPAddr).AddrPort().Addr().Unmap().String()); err != nil {
				return fatal(111, "unable to write peers: "+err.Error())
			}
		}
		if serve(c.(*net.TCPConn), script, log) == errMismatch {
			code = 100
		}
	}
	return code
}

// note appends line to the file name.
func note(name, line string) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(line + "\n")
	if err2 := f.Close(); err == nil {
		err = err2
	}
	return err
}

// child runs argv with the script on its fds 6 and 7.
func child(argv []string, cmds []command, log io.Writer) int {
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
	serve(&script.PipePeer{R: fromR, W: toW}, cmds, log)
	cmd.Wait()
	st := cmd.ProcessState
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return st.ExitCode()
}

func fatal(code int, msg string) int {
	fmt.Fprintf(os.Stderr, "%s: fatal: %s\n", prog, msg)
	return code
}
