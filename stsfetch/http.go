package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"qmail-remote-go/lib/mtasts"
)

// wellKnown is the policy's path (RFC 8461 3.3).
const wellKnown = "/.well-known/mta-sts.txt"

// Bounds on what the server may send before the body.
const (
	maxHeader = 16 * 1024 // the status line and the header fields together
	maxLine   = 8 * 1024
)

// get sends one HTTP/1.1 GET for the policy to host on rw and returns
// the body of a 200 response. code is the exit code a failure means:
// 100 for a definite answer that is no policy, 111 for trouble on the
// way. Redirects are not followed (RFC 8461 3.3), and a body longer
// than mtasts.MaxPolicy is refused.
func get(rw io.ReadWriter, host string) (body []byte, code int, err error) {
	req := "GET " + wellKnown + " HTTP/1.1\r\nHost: " + host +
		"\r\nUser-Agent: stsfetch (qmail-remote)\r\nAccept: text/plain\r\nConnection: close\r\n\r\n"
	if _, err := io.WriteString(rw, req); err != nil {
		return nil, 111, fmt.Errorf("unable to send the request: %v", err)
	}
	r := &limited{r: rw, n: maxHeader}
	br := bufio.NewReaderSize(r, 4096)
	status, err := line(br)
	if err != nil {
		return nil, 111, err
	}
	proto, rest, _ := strings.Cut(status, " ")
	num, _, _ := strings.Cut(rest, " ")
	n, convErr := strconv.Atoi(num)
	if !strings.HasPrefix(proto, "HTTP/1.") || len(num) != 3 || convErr != nil {
		return nil, 100, fmt.Errorf("not an HTTP/1 response: %q", trunc(status))
	}
	length, chunked := -1, false
	for {
		h, err := line(br)
		if err != nil {
			return nil, 111, err
		}
		if h == "" {
			break
		}
		name, value, ok := strings.Cut(h, ":")
		if !ok {
			return nil, 100, fmt.Errorf("malformed header field: %q", trunc(h))
		}
		value = strings.Trim(value, " \t")
		switch strings.ToLower(name) {
		case "content-length":
			v, err := strconv.Atoi(value)
			if err != nil || v < 0 || (length >= 0 && v != length) {
				return nil, 100, fmt.Errorf("malformed Content-Length: %q", trunc(value))
			}
			length = v
		case "transfer-encoding":
			if !strings.EqualFold(value, "chunked") {
				return nil, 100, fmt.Errorf("unsupported Transfer-Encoding: %q", trunc(value))
			}
			chunked = true
		}
	}
	if n != 200 {
		// RFC 8461 3.3: only a 200 carries a policy; a 3xx is not
		// followed.
		return nil, 100, fmt.Errorf("the server answered %q, not 200", trunc(rest))
	}
	// The body: at most MaxPolicy bytes, one more to tell "too long"
	// (counting what br holds already); chunked, room for the framing,
	// while dechunk counts the data.
	r.n = mtasts.MaxPolicy + 1 - br.Buffered()
	if chunked {
		r.n += mtasts.MaxPolicy
	}
	var b []byte
	switch {
	case chunked:
		b, err = dechunk(br)
	case length > mtasts.MaxPolicy:
		return nil, 100, fmt.Errorf("policy of %d bytes, over %d", length, mtasts.MaxPolicy)
	case length >= 0:
		b = make([]byte, length)
		_, err = io.ReadFull(br, b)
	default:
		b, err = io.ReadAll(br)
	}
	if errors.Is(err, errTooLong) || len(b) > mtasts.MaxPolicy {
		return nil, 100, fmt.Errorf("policy over %d bytes", mtasts.MaxPolicy)
	}
	if err != nil {
		return nil, 111, fmt.Errorf("unable to read the policy: %v", err)
	}
	return b, 0, nil
}

var errTooLong = errors.New("too long")

// A limited reader gives errTooLong once n bytes were read.
type limited struct {
	r io.Reader
	n int
}

func (l *limited) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errTooLong
	}
	if len(p) > l.n {
		p = p[:l.n]
	}
	k, err := l.r.Read(p)
	l.n -= k
	return k, err
}

// line reads one line ended by CRLF (or a bare LF), without the end.
func line(br *bufio.Reader) (string, error) {
	b, err := br.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull), len(b) > maxLine:
		return "", errors.New("header line too long")
	case errors.Is(err, errTooLong):
		return "", fmt.Errorf("header over %d bytes", maxHeader)
	case err == io.EOF:
		return "", errors.New("the connection closed before the end of the header")
	case err != nil:
		return "", fmt.Errorf("unable to read the response: %v", err)
	}
	return strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r"), nil
}

// dechunk reads a chunked body (RFC 9112 7.1), ignoring chunk
// extensions and the trailer section.
func dechunk(br *bufio.Reader) ([]byte, error) {
	var b []byte
	for {
		l, err := line(br)
		if err != nil {
			return nil, err
		}
		size, _, _ := strings.Cut(l, ";")
		n, err := strconv.ParseInt(strings.Trim(size, " \t"), 16, 32)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("malformed chunk size: %q", trunc(l))
		}
		if n == 0 {
			break
		}
		if len(b)+int(n) > mtasts.MaxPolicy {
			return nil, errTooLong
		}
		chunk := make([]byte, n)
		if _, err := io.ReadFull(br, chunk); err != nil {
			return nil, err
		}
		b = append(b, chunk...)
		if l, err := line(br); err != nil || l != "" {
			return nil, errors.New("malformed chunk end")
		}
	}
	for { // the trailer section
		l, err := line(br)
		if err != nil || l == "" {
			return b, err
		}
	}
}

func trunc(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
