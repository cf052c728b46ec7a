package main

import (
	"crypto/tls"
	"errors"
	"io"
	"time"
)

// relayBuf is the upward buffer: 256 KiB, so one read takes in what a
// large pipe holds and one Write makes 16 records, sent in one write
// (batcher). Downward carries replies: 32 KiB.
const relayBuf = 256 << 10

// A relay moves clear text between the application and TLS in two
// goroutines (UCSPI-TLS 4); up and down each get one value when their
// direction is over: nil for a normal end.
type relay struct {
	up   chan error // application -> TLS -> network
	down chan error // network -> TLS -> application
}

// startRelay starts both directions. appR is what the application
// writes, appW what it reads; each direction closes its application end
// when it is over.
func startRelay(c *tls.Conn, raw *batcher, appR io.ReadCloser, appW io.WriteCloser, timeout time.Duration) *relay {
	r := &relay{make(chan error, 1), make(chan error, 1)}
	go func() { r.up <- upward(c, raw, appR, timeout) }()
	go func() {
		// The verdict is in the channel before the application sees EOF,
		// so whoever reacts to that EOF finds it (helperMode).
		r.down <- downward(c, appW)
		appW.Close()
	}()
	return r
}

// upward copies the application's bytes to TLS, each write bounded by
// timeout (a peer that reads nothing must not hold tlswrap for ever).
// At the application's EOF it sends close_notify (RFC 8446 6.1) and
// half-closes the connection.
func upward(c *tls.Conn, raw *batcher, appR io.ReadCloser, timeout time.Duration) error {
	defer appR.Close() // a failed write: the application sees EPIPE
	buf := make([]byte, relayBuf)
	for {
		n, err := appR.Read(buf)
		if n > 0 {
			c.SetWriteDeadline(time.Now().Add(timeout))
			if werr := raw.batch(func() error { _, err := c.Write(buf[:n]); return err }); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	// Everything went out; a peer already gone cannot take the
	// close_notify, and that loses nothing.
	c.SetWriteDeadline(time.Now().Add(timeout))
	c.CloseWrite()
	raw.CloseWrite()
	return nil
}

// downward copies TLS to the application. The network's EOF, with or
// without close_notify (s6's -j: SMTP ends itself), is a normal end, and
// so is an application that stopped reading; the application then sees
// EOF (startRelay closes appW).
func downward(c *tls.Conn, appW io.WriteCloser) error {
	buf := make([]byte, 32<<10) // replies: small
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := appW.Write(buf[:n]); werr != nil {
				return nil
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// wait returns when both directions are over, at the first error.
func (r *relay) wait() error {
	up, down := r.up, r.down
	for up != nil || down != nil {
		var err error
		select {
		case err = <-up:
			up = nil
		case err = <-down:
			down = nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// untilAppDone returns once the application's side is over: everything
// it wrote went out, with close_notify (SMTP does not wait for the reply
// to QUIT, so neither do we: waiting for the server to close would cost
// the application a round trip), or either direction failed first. A
// failure of the network side that the application saw as EOF is
// already in r.down then (startRelay).
func (r *relay) untilAppDone() error {
	select {
	case err := <-r.down:
		if err != nil {
			return err
		}
	default:
	}
	for {
		select {
		case err := <-r.up:
			if err != nil {
				return err
			}
			select {
			case err := <-r.down:
				return err
			default:
				return nil
			}
		case err := <-r.down:
			if err != nil {
				return err
			}
			r.down = nil // ended cleanly: only up is left
		}
	}
}
