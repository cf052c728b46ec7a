// Package smtp holds the SMTP pieces the speakers share: reading a reply
// (RFC 5321 4.2, SPEC 5.1) and writing a message body in DATA form
// (RFC 5321 4.5.2, SPEC 5.8). Both treat the peer as hostile and keep
// memory bounded whatever it sends.
package smtp

import (
	"bufio"
	"errors"
	"io"
)

const (
	// MaxText is the capture limit of SPEC 5.1: later bytes are dropped.
	MaxText = 5000
	// MaxReply bounds the bytes read for one reply; a longer one is
	// malformed (an endless multi-line reply must not hold us forever).
	MaxReply = 1 << 20
)

// ErrMalformed means the reply broke the grammar of RFC 5321 4.2: its
// code is not three digits, or it is longer than MaxReply. The session is
// out of sync afterwards.
var ErrMalformed = errors.New("malformed SMTP reply")

// A Reply is one (possibly multi-line) reply.
type Reply struct {
	Code int // from the three digits of the first line
	// Text is the capture of SPEC 5.1: every line, CR removed, NUL made
	// '?', each line ending in LF: the first MaxText bytes, and an LF
	// after them when the reply was cut there (SPEC D26).
	Text []byte
}

// ReadReply reads one reply. A line ends at LF, with or without CR; the
// reply goes on while the 4th byte of a line is '-' (RFC 5321 4.2.1).
// The code of a continuation line is not checked (as qmail). EOF before
// the end of the reply is io.ErrUnexpectedEOF (io.EOF if nothing came).
func ReadReply(r *bufio.Reader) (Reply, error) {
	var rep Reply
	total := 0
	for first := true; ; first = false {
		more, n, err := readLine(r, &rep, first, MaxReply-total)
		total += n
		if err != nil {
			if err == io.EOF && !(first && n == 0) {
				err = io.ErrUnexpectedEOF
			}
			return rep, err
		}
		if !more {
			break
		}
	}
	if n := len(rep.Text); n > 0 && rep.Text[n-1] != '\n' {
		// SPEC D26: a capture cut at MaxText still ends in one LF, added
		// after the 5000 bytes kept, not written over the last of them.
		rep.Text = append(rep.Text, '\n')
	}
	return rep, nil
}

// readLine consumes one line (at most budget bytes) into rep and tells
// whether the reply continues.
func readLine(r *bufio.Reader, rep *Reply, first bool, budget int) (more bool, n int, err error) {
	var head []byte // the first 4 bytes of the line
	for {
		chunk, err := r.ReadSlice('\n')
		n += len(chunk)
		if n > budget {
			return false, n, ErrMalformed
		}
		if len(head) < 4 {
			head = append(head, chunk[:min(len(chunk), 4-len(head))]...)
		}
		capture(rep, chunk)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return false, n, err
		}
		break
	}
	if first {
		if len(head) < 3 || !isDigit(head[0]) || !isDigit(head[1]) || !isDigit(head[2]) {
			return false, n, ErrMalformed
		}
		rep.Code = int(head[0]-'0')*100 + int(head[1]-'0')*10 + int(head[2]-'0')
	}
	return len(head) == 4 && head[3] == '-', n, nil
}

func capture(rep *Reply, b []byte) {
	for _, c := range b {
		if len(rep.Text) >= MaxText {
			return
		}
		switch c {
		case '\r':
		case 0:
			rep.Text = append(rep.Text, '?')
		default:
			rep.Text = append(rep.Text, c)
		}
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// FirstLine returns the first line of text without its LF, for one-line
// diagnostics.
func FirstLine(text []byte) string {
	for i, c := range text {
		if c == '\n' {
			return string(text[:i])
		}
	}
	return string(text)
}

// UpperASCII folds ASCII letters only, for EHLO keywords and SASL
// mechanism names (ASCII by RFC 5321 4.1.1.1 and RFC 4422 3.1):
// strings.ToUpper would make "\u017ftarttls" (long s) STARTTLS and turn
// bytes that are not UTF-8 into U+FFFD.
func UpperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
