// Smtpclient delivers one message over SMTP on descriptors 6 and 7 and
// reports on descriptor 1 in qmail-remote format. See smtpclient.8.
package main

import (
	"bufio"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"qmail-remote-go/lib/addr"
	"qmail-remote-go/lib/fdio"
	"qmail-remote-go/lib/report"
)

const (
	prog           = "smtpclient"
	usage          = "usage: smtpclient sender recip [recip ...]"
	defaultTimeout = 1200 // seconds, qmail's timeoutremote
	bufSize        = 64 << 10
)

func main() { os.Exit(run(os.Args)) }

func run(args []string) int {
	// A dead peer or a closed fd 1 must give EPIPE, not kill us.
	signal.Ignore(syscall.SIGPIPE)
	if len(args) < 3 {
		fmt.Fprintln(os.Stderr, usage)
		return 100
	}
	helo, timeout, err := settings()
	if err != nil {
		return fatal(100, err.Error())
	}
	ip := "unknown"
	if v, ok := os.LookupEnv("TCPREMOTEIP"); ok {
		ip = report.Safe(v)
	}
	conn, err := fdio.Open(6, 7, timeout)
	if err != nil {
		return fatal(111, "unable to use network fds 6/7: "+err.Error())
	}
	defer conn.Close()
	s := &session{
		r:    bufio.NewReaderSize(conn, bufSize),
		w:    bufio.NewWriterSize(conn, bufSize),
		msg:  os.Stdin,
		out:  os.Stdout,
		ip:   ip,
		helo: helo,
	}
	code, diag := s.run(args[1], args[2:])
	if diag != "" {
		fatal(code, diag)
	}
	return code
}

// settings reads HELOHOST (required, may be empty) and TIMEOUTREMOTE.
func settings() (helo string, timeout time.Duration, err error) {
	helo, ok := os.LookupEnv("HELOHOST")
	if !ok {
		return "", 0, fmt.Errorf("HELOHOST is not set")
	}
	if addr.HasLineBreak(helo) {
		return "", 0, fmt.Errorf("HELOHOST contains a line break")
	}
	secs := defaultTimeout
	if v, ok := os.LookupEnv("TIMEOUTREMOTE"); ok {
		n, err := strconv.ParseUint(v, 10, 31)
		if err != nil {
			return "", 0, fmt.Errorf("TIMEOUTREMOTE is not a number of seconds: %q", v)
		}
		secs = max(int(n), 1) // qmail with 0 would time out at once: take the least that works
	}
	return helo, time.Duration(secs) * time.Second, nil
}

func fatal(code int, msg string) int {
	fmt.Fprintf(os.Stderr, "%s: fatal: %s\n", prog, msg)
	return code
}
