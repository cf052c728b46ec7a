//go:build linux

package main

// Two loopback servers of the bench's own: a minimal SMTP sink (accepts
// every command, reads DATA to the final dot or BDAT chunks, discards
// them; offers PIPELINING, CHUNKING and STARTTLS when asked) and a TCP
// discard server; and the raw copy client that sets the ceiling. The TLS
// side of the sink (a throwaway certificate) is in tls.go.

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// serveSMTP answers SMTP on ln until it is closed, offering the EHLO
// keywords in ext (comma-separated: PIPELINING, CHUNKING, STARTTLS; ""
// none). STARTTLS is offered only before TLS; 220 to it starts a TLS
// server handshake with the bench's throwaway certificate.
func serveSMTP(ln net.Listener, ext string) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go smtpSession(c, ext)
	}
}

func smtpSession(c net.Conn, ext string) {
	fc := &flightConn{Conn: c}
	c = fc
	sinkConns.Add(1)
	sinkOpen.Add(1)
	// waited is the number of the client's flights that it waited on an
	// answer to (see flightConn); last the flight last counted in it.
	waited, last := 0, 0
	note := func() {
		if fc.flights != last {
			waited++
			last = fc.flights
		}
	}
	defer func() {
		sinkFlights.Add(int64(waited))
		sinkOpen.Add(-1)
		c.Close() // c becomes the TLS connection after STARTTLS
	}()
	t0 := time.Now()
	r := bufio.NewReaderSize(c, 256<<10)
	w := bufio.NewWriter(c)
	chunkBuf := make([]byte, 256<<10) // BDAT chunks are read into it (discard)
	// Replies are written when the sink would wait for the client (its
	// input is all read), before DATA's message, and before TLS and the
	// end: as RFC 2920 asks of a server that offers PIPELINING, one write
	// per batch of commands.
	say := func(s string) { w.WriteString(s) }
	flush := func() bool { return w.Flush() == nil }
	say("220 bench.sink ESMTP\r\n")
	for {
		if r.Buffered() == 0 && !flush() {
			return
		}
		line, err := r.ReadSlice('\n')
		if err != nil {
			return
		}
		trace(t0, "%q, %d bytes more buffered", line[:min(len(line), 20)], r.Buffered())
		verb := string(bytes.ToUpper(line[:min(4, len(line))]))
		if verb == "QUIT" {
			// The client does not wait for 221: a QUIT that opens a
			// flight of its own is no round trip of the delivery.
			say("221 bye\r\n")
			flush()
			return
		}
		note()
		switch verb {
		case "EHLO":
			rep := "bench.sink"
			if ext != "" {
				rep += "\n" + strings.ReplaceAll(ext, ",", "\n")
			}
			if _, isTLS := c.(*tls.Conn); isTLS {
				rep = strings.Replace(rep, "\nSTARTTLS", "", 1)
			}
			lines := strings.Split(rep, "\n")
			rep = ""
			for i, l := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				rep += "250" + sep + l + "\r\n"
			}
			say(rep)
		case "HELO":
			say("250 bench.sink\r\n")
		case "BDAT":
			// RFC 3030: BDAT <size> [LAST], then exactly size bytes.
			f := strings.Fields(string(line))
			n, err := strconv.ParseInt(f[min(1, len(f)-1)], 10, 64)
			if err != nil || len(f) > 3 {
				say("501 syntax\r\n")
				flush()
				return
			}
			if !discard(r, n, chunkBuf) {
				return
			}
			if len(f) == 3 {
				sinkMessages.Add(1)
				say("250 ok: discarded\r\n")
			} else {
				say("250 ok\r\n")
			}
		case "STAR": // STARTTLS (RFC 3207)
			if _, isTLS := c.(*tls.Conn); isTLS || !strings.Contains(ext, "STARTTLS") {
				say("502 unknown command\r\n")
				continue
			}
			say("220 go ahead\r\n")
			if !flush() {
				return
			}
			tc := tls.Server(c, sinkTLS())
			if tc.Handshake() != nil {
				return
			}
			// the handshake's flights: the client's hello, its
			// Finished (with or without the EHLO after it)
			waited += fc.flights - last
			last = fc.flights
			trace(t0, "TLS handshake done")
			c = tc
			r = bufio.NewReaderSize(c, 256<<10)
			w = bufio.NewWriter(c)
		case "MAIL", "RCPT", "RSET", "NOOP":
			say("250 ok\r\n")
		case "DATA":
			say("354 go ahead\r\n")
			if !flush() || !readData(r) {
				return
			}
			sinkMessages.Add(1)
			say("250 ok: discarded\r\n")
		default:
			say("502 unknown command\r\n")
		}
	}
}

// What the sink saw, over all its connections: sinkStats reports it.
var sinkConns, sinkOpen, sinkMessages, sinkFlights atomic.Int64

// flightConn counts the client's flights on a raw connection (below
// TLS): a flight is what the client sends after the sink last wrote,
// however many reads it takes. A client sends again after the sink
// wrote only when it waited for that answer (SMTP with PIPELINING
// included: RFC 2920's client waits at DATA, BDAT LAST, EHLO and
// STARTTLS), so the flights are the round trips it waited for after the
// greeting. One goroutine uses it.
type flightConn struct {
	net.Conn
	wrote   bool
	flights int
}

func (c *flightConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && (c.wrote || c.flights == 0) {
		c.flights++
		c.wrote = false
	}
	return n, err
}

func (c *flightConn) Write(p []byte) (int, error) {
	c.wrote = true
	return c.Conn.Write(p)
}

// sinkStats is the line the sink prints on SIGUSR1 (in -serve mode):
// connections, those still open, messages taken (BDAT LAST or the final
// dot answered 250), and the client's flights answered, summed over the
// connections that ended.
func sinkStats() string {
	return fmt.Sprintf("%d %d %d %d", sinkConns.Load(), sinkOpen.Load(), sinkMessages.Load(), sinkFlights.Load())
}

// trace prints, with BENCH_DEBUG set, what the sink read and when (ms
// since the connection was accepted): where a delivery waits.
func trace(t0 time.Time, format string, args ...any) {
	if os.Getenv("BENCH_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, "sink: %7.1f ms: %s\n", float64(time.Since(t0).Microseconds())/1000, fmt.Sprintf(format, args...))
	}
}

// readData reads the message to the final "\r\n.\r\n" in large blocks,
// as cheaply as the discard server reads: false if the connection ended.
// It looks only at the end of what it has read, which is exact here:
// dot-stuffing keeps "\r\n.\r\n" out of the body, and nothing follows
// the dot before our reply (with PIPELINING too: RFC 2920 3.1 makes DATA
// the last of a batch), so the terminator always ends a read. Scanning
// every block for it would cost the sink 20 ms of CPU per 100 MB that the
// ceiling's reader does not pay, on the cores the pipeline runs on.
func readData(r *bufio.Reader) bool {
	end := []byte("\r\n.\r\n")
	buf := make([]byte, 256<<10)
	last := []byte("\r\n") // DATA starts at the beginning of a line
	for {
		n, err := r.Read(buf)
		if n > 0 {
			last = append(last, buf[max(0, n-len(end)):n]...)
			last = last[max(0, len(last)-len(end)):]
			if bytes.Equal(last, end) {
				return true
			}
		}
		if err != nil {
			return false
		}
	}
}

// discard reads n bytes of r and drops them, in reads as large as the
// discard server's (io.CopyN into io.Discard would read 8 KiB at a time,
// each copied out of r's buffer): the sink must cost what the ceiling's
// reader costs, so the rows measure the pipeline; false if the
// connection ended first.
func discard(r *bufio.Reader, n int64, buf []byte) bool {
	for n > 0 {
		m, err := r.Read(buf[:min(int64(len(buf)), n)])
		n -= int64(m)
		if err != nil && n > 0 {
			return false
		}
	}
	return true
}

// serveDiscard reads and drops everything each connection sends, then
// closes it.
func serveDiscard(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			buf := make([]byte, 256<<10)
			for {
				if _, err := c.Read(buf); err != nil {
					break
				}
			}
			c.Close()
		}()
	}
}

// rawCopy is the ceiling: the message file copied as it is, in 64 KiB
// reads and writes (no sendfile, no conversion), into the discard server;
// done when the server has read it all and closed.
func rawCopy(addr, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	buf := make([]byte, 64<<10)
	// wrappers hide ReadFrom/WriteTo, so io.CopyBuffer really copies
	if _, err := io.CopyBuffer(struct{ io.Writer }{c}, struct{ io.Reader }{f}, buf); err != nil {
		return err
	}
	c.(*net.TCPConn).CloseWrite()
	_, err = c.Read(buf)
	if err == io.EOF {
		err = nil
	}
	return err
}
