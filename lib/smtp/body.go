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
// by byte, and holds one block in memory. It does not flush w.
func WriteBody(w *bufio.Writer, msg io.Reader) error {
	buf := make([]byte, BlockSize)
	bol := true // at the beginning of a line
	for {
		n, rerr := msg.Read(buf)
		if n > 0 {
			var err error
			if bol, err = writeBlock(w, buf[:n], bol); err != nil {
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

func writeBlock(w *bufio.Writer, b []byte, bol bool) (bool, error) {
	for len(b) > 0 {
		if bol && b[0] == '.' {
			if err := w.WriteByte('.'); err != nil {
				return bol, err
			}
		}
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			_, err := w.Write(b)
			return false, err
		}
		w.Write(b[:i])
		if _, err := w.WriteString("\r\n"); err != nil {
			return bol, err
		}
		b, bol = b[i+1:], true
	}
	return bol, nil
}
