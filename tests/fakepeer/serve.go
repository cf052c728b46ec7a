package main

import (
	"bufio"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"time"

	"qmail-remote-go/tests/script"
)

// A peer is the connection to the client (tests/script).
type peer = script.Peer

// A conn is one connection as the script sees it: the peer, plain or
// TLS once a tls command ran, the reader on it, and the TLS settings
// that tlsca and clientcert leave for the next tls.
type conn struct {
	p          peer
	held       *holder // the plain connection: hold and flush
	in         *bufio.Reader
	log        io.Writer
	clientCAs  *x509.CertPool // tlsca: require and verify a client certificate
	clientCert string         // clientcert: the file for its subject
}

// serve plays the script cmds on p, logging every byte the client sends. It
// returns errMismatch when an expect line failed.
func serve(p peer, cmds []command, log io.Writer) error {
	h := &holder{Peer: p}
	c := &conn{p: h, held: h, in: bufio.NewReader(io.TeeReader(h, log)), log: log}
	defer func() { c.p.Close() }()
	for _, cmd := range cmds {
		switch err := c.step(cmd); err {
		case nil:
		case errClosed:
			return nil
		case errMismatch:
			return err
		default:
			script.Drain(c.p, c.in, bound) // the client went away while we wrote
			return nil
		}
	}
	c.held.flush() // a client already gone: Drain finds out
	script.Drain(c.p, c.in, bound)
	return nil
}

// errClosed ends a connection at once, without draining.
var errClosed = fmt.Errorf("connection closed")

func (cn *conn) step(c command) error {
	p, in := cn.p, cn.in
	p.SetWriteDeadline(time.Now().Add(bound))
	switch c.op {
	case "tls", "tls12":
		return cn.startTLS(c)
	case "tlsca":
		cn.clientCAs = c.pool
	case "scram":
		return cn.scram(c)
	case "clientcert":
		cn.clientCert = string(c.text)
	case "send":
		return write(p, append(c.text, '\r', '\n'))
	case "raw":
		return write(p, c.text)
	case "plainraw":
		// Under TLS: bytes on the plain connection, into the record
		// stream (a broken record, a forged alert).
		if t, ok := p.(*tlsPeer); ok {
			return write(t.raw, c.text)
		}
		return write(p, c.text)
	case "repeat":
		return repeat(p, c)
	case "read":
		_, err := readLine(in)
		return eofCloses(err)
	case "expect":
		return expect(in, c)
	case "data":
		return eofCloses(readData(in))
	case "trickle":
		for i := range c.text {
			time.Sleep(time.Duration(c.n) * time.Millisecond)
			p.SetWriteDeadline(time.Now().Add(bound))
			if err := write(p, c.text[i:i+1]); err != nil {
				return err
			}
		}
	case "sleep":
		time.Sleep(time.Duration(c.n) * time.Millisecond)
	case "notify":
		if err := note(string(c.text), "notify"); err != nil {
			fmt.Fprintf(os.Stderr, "%s: script line %d: unable to notify: %v\n", prog, c.line, err)
			return errMismatch
		}
	case "hold":
		cn.held.on = true
	case "flush":
		return cn.held.flush()
	case "shutdown":
		if err := cn.held.flush(); err != nil {
			return err
		}
		return p.CloseWrite()
	case "close":
		cn.held.flush()
		return errClosed
	case "hang":
		if err := cn.held.flush(); err != nil {
			return err
		}
		p.SetReadDeadline(time.Now().Add(bound))
		io.Copy(io.Discard, in)
		return errClosed
	}
	return nil
}

// A holder is the plain connection under everything the script sends
// (TLS records included). Between hold and flush it keeps the bytes, so
// that flush sends them in one write: the client finds them all in one
// read, with no gap between them for the scheduler to widen.
type holder struct {
	script.Peer
	on  bool
	buf []byte
}

func (h *holder) Write(b []byte) (int, error) {
	if h.on {
		h.buf = append(h.buf, b...)
		return len(b), nil
	}
	return h.Peer.Write(b)
}

// flush sends what hold kept, and ends holding.
func (h *holder) flush() error {
	h.on = false
	if len(h.buf) == 0 {
		return nil
	}
	b := h.buf
	h.buf = nil
	return write(h.Peer, b)
}

func repeat(p peer, c command) error {
	w := bufio.NewWriterSize(p, 64<<10)
	for range c.n {
		w.Write(c.text)
	}
	return w.Flush()
}

// readData reads up to and including the line holding only ".".
func readData(in *bufio.Reader) error {
	for {
		l, err := readLine(in)
		if err != nil {
			return err
		}
		if string(l) == ".\r\n" || string(l) == ".\n" {
			return nil
		}
	}
}

func write(p peer, b []byte) error {
	_, err := p.Write(b)
	return err
}

func expect(in *bufio.Reader, c command) error {
	got, err := readTrimmed(in)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: script line %d: expected %q, got %v\n", prog, c.line, c.text, err)
		return errMismatch
	}
	if got != string(c.text) {
		fmt.Fprintf(os.Stderr, "%s: script line %d: expected %q, got %q\n", prog, c.line, c.text, got)
		return errMismatch
	}
	return nil
}

// readLine reads one line, keeping at most 4 KiB of it.
func readLine(in *bufio.Reader) ([]byte, error) {
	var l []byte
	for {
		chunk, err := in.ReadSlice('\n')
		if len(l) < 4096 {
			l = append(l, chunk[:min(len(chunk), 4096-len(l))]...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return l, err
	}
}

// eofCloses turns "the client is gone" into the end of the connection.
func eofCloses(err error) error {
	if err != nil {
		return errClosed
	}
	return nil
}
