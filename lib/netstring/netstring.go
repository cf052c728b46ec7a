// Package netstring encodes and decodes D. J. Bernstein's netstrings
// (http://cr.yp.to/proto/netstrings.txt): "<len>:<bytes>,", the framing
// of QMTP (http://cr.yp.to/proto/qmtp.txt). The reader is bounded: the
// caller says how long a netstring may be, and a length is never read
// past MaxDigits digits, so a hostile peer cannot make it allocate or
// overflow.
package netstring

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// MaxDigits is the most digits a length may have (9999999999 bytes).
const MaxDigits = 10

// ErrMalformed is wrapped by every error for bytes that are not a
// netstring (or are one longer than allowed). An error that does not wrap
// it comes from the reader: io.EOF before the first byte,
// io.ErrUnexpectedEOF inside a netstring, or the reader's own error.
var ErrMalformed = errors.New("malformed netstring")

// Append appends the netstring of data to b.
func Append(b, data []byte) []byte {
	b = AppendHeader(b, int64(len(data)))
	b = append(b, data...)
	return append(b, ',')
}

// AppendHeader appends "<n>:", the start of a netstring of n bytes whose
// data the caller writes itself (a message streamed from a file), to be
// followed by the data and ",".
func AppendHeader(b []byte, n int64) []byte {
	return append(strconv.AppendInt(b, n, 10), ':')
}

// ReadHeader reads "<len>:" and returns len. netstrings.txt: the length
// is a nonempty sequence of ASCII digits, and "extra zeros at the front
// of [len] are prohibited", so only "0:" starts with '0'. A length over
// max, or of more than MaxDigits digits, is malformed.
func ReadHeader(r io.ByteReader, max int64) (int64, error) {
	var n int64
	for i := 0; ; i++ {
		c, err := r.ReadByte()
		if err != nil {
			if err == io.EOF && i > 0 {
				err = io.ErrUnexpectedEOF
			}
			return 0, err
		}
		switch {
		case c == ':' && i > 0:
			if n > max {
				return 0, fmt.Errorf("%w: length %d over the limit of %d", ErrMalformed, n, max)
			}
			return n, nil
		case c < '0' || c > '9':
			return 0, fmt.Errorf("%w: %q in the length", ErrMalformed, c)
		case i == 1 && n == 0:
			return 0, fmt.Errorf("%w: length with a leading zero", ErrMalformed)
		case i == MaxDigits:
			return 0, fmt.Errorf("%w: length of more than %d digits", ErrMalformed, MaxDigits)
		}
		n = n*10 + int64(c-'0')
	}
}

// ReadEnd reads the ',' that ends a netstring.
func ReadEnd(r io.ByteReader) error {
	c, err := r.ReadByte()
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	if err != nil {
		return err
	}
	if c != ',' {
		return fmt.Errorf("%w: %q where ',' ends it", ErrMalformed, c)
	}
	return nil
}

// Read reads one whole netstring of at most max bytes and returns its
// data. Memory grows with the bytes that arrive, not with the length
// announced.
func Read(r *bufio.Reader, max int) ([]byte, error) {
	n, err := ReadHeader(r, int64(max))
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, n))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) < n {
		return nil, io.ErrUnexpectedEOF
	}
	if err := ReadEnd(r); err != nil {
		return nil, err
	}
	return data, nil
}
