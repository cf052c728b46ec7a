// Qmtpclient delivers one message over QMTP on descriptors 6 and 7 and
// reports on descriptor 1 in qmail-remote format. See qmtpclient.8.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"qmail-remote-go/lib/fdio"
	"qmail-remote-go/lib/report"
	"qmail-remote-go/lib/trace"
	"qmail-remote-go/lib/version"
)

const (
	prog    = "qmtpclient"
	usage   = "usage: qmtpclient sender recip [recip ...]"
	bufSize = 64 << 10
)

func main() { os.Exit(run(os.Args)) }

func run(args []string) int {
	// A dead peer or a closed fd 1 must give EPIPE, not kill us.
	signal.Ignore(syscall.SIGPIPE)
	if len(args) < 3 {
		fmt.Fprintln(os.Stderr, version.Usage(usage))
		return 100
	}
	timeout, err := fdio.TimeoutRemote()
	if err != nil {
		return fatal(100, err.Error())
	}
	ip := report.RemoteIP()
	conn, err := fdio.Open(6, 7, timeout)
	if err != nil {
		return fatal(111, "unable to use network fds 6/7: "+err.Error())
	}
	defer conn.Close()
	size, err := messageSize(os.Stdin)
	if err != nil {
		// SPEC 1.7.6. Nothing was sent: the peer sees a package cut short.
		if err := report.Write(os.Stdout, 'Z', ip+" unable to fstat stdin.\n"); err != nil {
			return fatal(111, "unable to write reports: "+err.Error())
		}
		return fatal(0, "unable to fstat stdin: "+err.Error())
	}
	s := &session{
		r:    bufio.NewReader(conn),
		w:    bufio.NewWriterSize(conn, bufSize),
		msg:  fdio.Message(os.Stdin),
		size: size,
		out:  os.Stdout,
		ip:   ip,
	}
	if s.trace = trace.FromEnv(prog); s.trace != nil {
		s.trace.Note("to " + ip + " port " + os.Getenv("TCPREMOTEPORT") + ", from " + args[1] + " to " +
			strconv.Itoa(len(args)-2) + " recipient(s)")
		if p, ok := os.LookupEnv("SSL_PROTOCOL"); ok {
			// QMTPS: tlswrap -i did the handshake before we ran.
			s.trace.Note("over TLS from the first byte: " + p + " " + os.Getenv("SSL_CIPHER") + "; " + os.Getenv("TLSWRAP_VERIFY"))
		}
	}
	code, diag := s.run(args[1], args[2:])
	if diag != "" {
		fatal(code, diag)
	}
	return code
}

// messageSize is the length of the message QMTP announces before it
// (qmtp.txt 4): what fd 0 holds from its current offset, by fstat. So
// fd 0 must be a regular file (qmail-remote hands a seekable one).
func messageSize(f *os.File) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if !st.Mode().IsRegular() {
		return 0, errors.New("not a regular file")
	}
	off, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	return max(st.Size()-off, 0), nil
}

func fatal(code int, msg string) int {
	fmt.Fprintf(os.Stderr, "%s: fatal: %s\n", prog, msg)
	return code
}
