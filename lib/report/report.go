// Package report reads and writes qmail-remote's report stream: per
// recipient r, h or s, then exactly one K, Z or D, each ending in NUL.
// See qmail-remote(8), RESULTS.
package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// A Report is one letter and its text (without the closing NUL).
type Report struct {
	Letter byte
	Text   string
}

// Bytes returns the report as it goes on the wire.
func (r Report) Bytes() []byte {
	b := make([]byte, 0, len(r.Text)+2)
	b = append(b, r.Letter)
	b = append(b, r.Text...)
	return append(b, 0)
}

// Write writes one report. NUL bytes inside text would end the report
// early, so they become '?'.
func Write(w io.Writer, letter byte, text string) error {
	_, err := w.Write(Report{letter, noNUL(text)}.Bytes())
	return err
}

func noNUL(s string) string {
	if !bytes.Contains([]byte(s), []byte{0}) {
		return s
	}
	b := []byte(s)
	for i := range b {
		if b[i] == 0 {
			b[i] = '?'
		}
	}
	return string(b)
}

// RemoteIP is the peer's address that the speakers print in their
// reports: TCPREMOTEIP (ucspi-tcp's, which qmail-remote sets too) made
// Safe, or "unknown".
func RemoteIP() string {
	if v, ok := os.LookupEnv("TCPREMOTEIP"); ok {
		return Safe(v)
	}
	return "unknown"
}

// Safe returns s with every byte below 33 or above 126 replaced by '?',
// the way qmail prints host names it got from outside.
func Safe(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c < 33 || c > 126 {
			b[i] = '?'
		}
	}
	return string(b)
}

// Printable returns s with every byte outside 32..126 replaced by '?':
// text from outside (an error, a stage's words) made fit for one report
// line, its spaces kept.
func Printable(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c < 32 || c > 126 {
			b[i] = '?'
		}
	}
	return string(b)
}

// IsRecipient tells whether letter starts a recipient report.
func IsRecipient(letter byte) bool { return letter == 'r' || letter == 'h' || letter == 's' }

// IsMessage tells whether letter starts the message report.
func IsMessage(letter byte) bool { return letter == 'K' || letter == 'Z' || letter == 'D' }

// ErrMalformed is wrapped by every error Parse returns.
var ErrMalformed = errors.New("malformed report stream")

// Parse checks a whole report stream written for nrcpt recipients and
// splits it. It holds at most nrcpt recipient reports followed by exactly
// one message report, which is last. A K needs one report per recipient
// and at least one r: a K the recipients do not support is refused, so
// that a faulty stage can never turn into a lost message.
func Parse(b []byte, nrcpt int) ([]Report, error) {
	var out []Report
	for len(b) > 0 {
		i := bytes.IndexByte(b, 0)
		if i < 0 {
			return nil, fmt.Errorf("%w: report without NUL", ErrMalformed)
		}
		if i == 0 {
			return nil, fmt.Errorf("%w: empty report", ErrMalformed)
		}
		r := Report{b[0], string(b[1:i])}
		b = b[i+1:]
		if len(out) > 0 && IsMessage(out[len(out)-1].Letter) {
			return nil, fmt.Errorf("%w: report after the message report", ErrMalformed)
		}
		switch {
		case IsRecipient(r.Letter):
			if len(out) >= nrcpt {
				return nil, fmt.Errorf("%w: more recipient reports than recipients", ErrMalformed)
			}
		case !IsMessage(r.Letter):
			return nil, fmt.Errorf("%w: unknown letter %q", ErrMalformed, r.Letter)
		}
		out = append(out, r)
	}
	if len(out) == 0 || !IsMessage(out[len(out)-1].Letter) {
		return nil, fmt.Errorf("%w: no message report", ErrMalformed)
	}
	if out[len(out)-1].Letter == 'K' {
		accepted := 0
		for _, r := range out[:len(out)-1] {
			if r.Letter == 'r' {
				accepted++
			}
		}
		if len(out)-1 != nrcpt || accepted == 0 {
			return nil, fmt.Errorf("%w: K without an accepted report for every recipient", ErrMalformed)
		}
	}
	return out, nil
}
