// Package ucspitls reads and writes the reply block of the UCSPI-TLS
// control channel (doc/ucspi-tls.md section 3): entries "NAME=value"
// or "NAME" (unset NAME), each ending in NUL, then one more NUL. A block
// cut short (no final NUL, or nothing at all) means the handshake failed.
package ucspitls

import (
	"bytes"
	"errors"
	"io"
	"strings"
)

// ErrTooLong is returned by Read when the block does not end within max
// bytes.
var ErrTooLong = errors.New("TLS reply block too long")

// Encode returns the block holding entries, then the final NUL. An empty
// entry would end the block early, so it is left out; NUL, CR and LF
// inside an entry become '?' (block values never hold them).
func Encode(entries []string) []byte {
	return append(encode(entries), 0)
}

// EncodeFailure returns the failure block: TLSWRAP_ERROR, TLSWRAP_REPORT
// and, when there is one, TLSWRAP_REASON (why the certificate failed,
// SPEC D33), cut short on purpose (no final NUL), so that a reader that
// knows only UCSPI-TLS sees "handshake failed".
func EncodeFailure(kind, text, reason string) []byte {
	entries := []string{"TLSWRAP_ERROR=" + kind, "TLSWRAP_REPORT=" + text}
	if reason != "" {
		entries = append(entries, "TLSWRAP_REASON="+reason)
	}
	return encode(entries)
}

func encode(entries []string) []byte {
	var b []byte
	for _, e := range entries {
		if e == "" {
			continue
		}
		for i := 0; i < len(e); i++ {
			c := e[i]
			if c == 0 || c == '\r' || c == '\n' {
				c = '?'
			}
			b = append(b, c)
		}
		b = append(b, 0)
	}
	return b
}

// Read reads a block from r: until the data read so far ends in "\0\0"
// or is exactly "\0" (a whole block), or EOF (a block cut short, or
// none: Parse tells), or max bytes without an end (ErrTooLong). It
// reads no further than the read that completed the block.
func Read(r io.Reader, max int) ([]byte, error) {
	var b []byte
	buf := make([]byte, 512)
	for !ended(b) {
		if len(b) >= max {
			return b, ErrTooLong
		}
		n, err := r.Read(buf[:min(len(buf), max-len(b))])
		b = append(b, buf[:n]...)
		if err == io.EOF {
			return b, nil
		}
		if err != nil && !ended(b) {
			return b, err
		}
	}
	return b, nil
}

func ended(b []byte) bool {
	return bytes.HasSuffix(b, []byte{0, 0}) || (len(b) == 1 && b[0] == 0)
}

// Parse reads the entries of block b into env. complete tells whether
// the block ended properly (an empty entry, the final NUL); whatever
// follows it is ignored. Entries without '=' are ignored: env holds only
// the names that were set.
func Parse(b []byte) (env map[string]string, complete bool) {
	env = map[string]string{}
	for len(b) > 0 {
		i := bytes.IndexByte(b, 0)
		if i < 0 {
			return env, false
		}
		if i == 0 {
			return env, true
		}
		if name, value, ok := strings.Cut(string(b[:i]), "="); ok {
			env[name] = value
		}
		b = b[i+1:]
	}
	return env, false
}
