package smtp

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// ErrPartialLine means the message did not end in LF: SMTP cannot carry
// it, and the terminator must not be sent (SPEC 5.8).
var ErrPartialLine = errors.New("message ends in a partial line")

// A ReadError is a failure to read the message, as opposed to a failure
// to write to the peer (which WriteBody returns as it is).
type ReadError struct{ Err error }

func (e *ReadError) Error() string { return "unable to read message: " + e.Err.Error() }
func (e *ReadError) Unwrap() error { return e.Err }

// BlockSize is how much of the message WriteBody reads at a time.
const BlockSize = 64 << 10

// WriteBody copies the message from msg to w in DATA form, without the
// final ".\r\n": every LF becomes CRLF and a line starting with '.' gets
// another '.' (RFC 5321 4.5.2: transparency). Every other byte passes as
// it is (8-bit, NUL, CR, long lines). It works on large blocks, never byte
// by byte: each block read is converted into a second buffer, which goes
// to w in one Write (straight to the peer when w's buffer is empty), so
// it holds one block and its converted form in memory. It does not
// flush w.
func WriteBody(w *bufio.Writer, msg io.Reader) error {
	buf := make([]byte, BlockSize)
	out := make([]byte, 0, 2*BlockSize+1) // every byte an LF, and one dot
	bol := true                           // at the beginning of a line
	for {
		n, rerr := msg.Read(buf)
		if n > 0 {
			out, bol = convert(out[:0], buf[:n], bol)
			if _, err := w.Write(out); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return &ReadError{rerr}
		}
	}
	if !bol {
		return ErrPartialLine
	}
	return nil
}

// convert appends b in DATA form to out; bol says whether b starts a
// line, and the result whether the next block does.
func convert(out, b []byte, bol bool) ([]byte, bool) {
	for len(b) > 0 {
		if bol && b[0] == '.' {
			out = append(out, '.')
		}
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return append(out, b...), false
		}
		out = append(out, b[:i]...)
		out = append(out, '\r', '\n')
		b, bol = b[i+1:], true
	}
	return out, bol
}
