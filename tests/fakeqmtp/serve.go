package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"time"

	"qmail-remote-go/lib/netstring"

	"qmail-remote-go/tests/script"
)

// A peer is the connection to the client (tests/script).
type peer = script.Peer

// errClosed ends a connection at once, without draining.
var errClosed = fmt.Errorf("connection closed")

// serve plays the script cmds on p, logging every byte the client sends. It
// returns errBad when a package was malformed.
func serve(p peer, cmds []command, o outputs) error {
	defer p.Close()
	in := bufio.NewReaderSize(io.TeeReader(p, o.log), 64<<10)
	for _, c := range cmds {
		p.SetWriteDeadline(time.Now().Add(bound))
		switch err := step(p, in, c, o); err {
		case nil:
		case errClosed:
			return nil
		case errBad:
			return err
		default:
			script.Drain(p, in, bound) // the client went away while we wrote
			return nil
		}
	}
	script.Drain(p, in, bound)
	return nil
}

func step(p peer, in *bufio.Reader, c command, o outputs) error {
	switch c.op {
	case "package":
		env, err := readPackage(in)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: script line %d: bad package: %v\n", prog, c.line, err)
			return errBad
		}
		o.env.Write(env)
	case "reply":
		return write(p, netstring.Append(nil, c.text))
	case "raw":
		return write(p, c.text)
	case "readn":
		if _, err := io.CopyN(io.Discard, in, c.n); err != nil {
			return errClosed
		}
	case "truncate":
		if err := os.Truncate(string(c.text), c.n); err != nil {
			fmt.Fprintf(os.Stderr, "%s: script line %d: unable to truncate: %v\n", prog, c.line, err)
			return errBad
		}
	case "sleep":
		time.Sleep(time.Duration(c.n) * time.Millisecond)
	case "close":
		return errClosed
	case "hang":
		p.SetReadDeadline(time.Now().Add(bound))
		io.Copy(io.Discard, in)
		return errClosed
	}
	return nil
}

// readPackage reads and checks one package (qmtp.txt 4) and returns its
// summary lines.
func readPackage(in *bufio.Reader) ([]byte, error) {
	n, err := netstring.ReadHeader(in, 1<<40)
	if err != nil {
		return nil, fmt.Errorf("message: %w", err)
	}
	if n == 0 {
		return nil, fmt.Errorf("message: empty, without its line-end byte")
	}
	if c, err := in.ReadByte(); err != nil || c != '\n' {
		return nil, fmt.Errorf("message: line-end byte %q, %v", c, err)
	}
	h := sha256.New()
	if _, err := io.CopyN(h, in, n-1); err != nil {
		return nil, fmt.Errorf("message: %w", err)
	}
	if err := netstring.ReadEnd(in); err != nil {
		return nil, fmt.Errorf("message: %w", err)
	}
	env := fmt.Appendf(nil, "message %d %x\n", n-1, h.Sum(nil))
	sender, err := netstring.Read(in, 1<<20)
	if err != nil {
		return nil, fmt.Errorf("sender: %w", err)
	}
	env = fmt.Appendf(env, "sender %s\n", visible(sender))
	list, err := netstring.Read(in, 1<<24)
	if err != nil {
		return nil, fmt.Errorf("recipients: %w", err)
	}
	rs := bufio.NewReader(bytes.NewReader(list))
	for i := 0; ; i++ {
		r, err := netstring.Read(rs, len(list))
		if err == io.EOF && i > 0 {
			return env, nil
		}
		if err != nil {
			return nil, fmt.Errorf("recipient %d: %w", i+1, err)
		}
		env = fmt.Appendf(env, "recipient %s\n", visible(r))
	}
}

// visible shows bytes outside 33..126 as \xHH.
func visible(b []byte) string {
	var s []byte
	for _, c := range b {
		if c < 33 || c > 126 || c == '\\' {
			s = fmt.Appendf(s, "\\x%02x", c)
		} else {
			s = append(s, c)
		}
	}
	return string(s)
}

func write(p peer, b []byte) error {
	_, err := p.Write(b)
	return err
}
