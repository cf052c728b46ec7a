package main

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"
)

// peer is a server that has said all of resp; what the client wrote
// is kept in sent.
type peer struct {
	r    io.Reader
	sent bytes.Buffer
}

func (p *peer) Read(b []byte) (int, error)  { return p.r.Read(b) }
func (p *peer) Write(b []byte) (int, error) { return p.sent.Write(b) }

const pol = "version: STSv1\r\nmode: enforce\r\nmx: mx.test\r\nmax_age: 86400\r\n"

func TestGet(t *testing.T) {
	big := strings.Repeat("x", 64*1024+1)
	for _, c := range []struct {
		name, resp string
		body       string
		code       int
	}{
		{"content-length", "HTTP/1.1 200 OK\r\nContent-Length: " + strconv.Itoa(len(pol)) + "\r\nContent-Type: text/plain\r\n\r\n" + pol, pol, 0},
		{"to EOF", "HTTP/1.0 200 OK\r\n\r\n" + pol, pol, 0},
		{"bare LF", "HTTP/1.1 200 OK\nContent-Length: 3\n\nabc", "abc", 0},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nversi\r\n" + strconv.FormatInt(int64(len(pol)-5), 16) + "\r\n" + pol[5:] + "\r\n0\r\nX-T: 1\r\n\r\n", pol, 0},
		{"404", "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", "", 100},
		{"redirect", "HTTP/1.1 301 Moved Permanently\r\nLocation: https://elsewhere.test/\r\n\r\n", "", 100},
		{"not HTTP", "SSH-2.0-OpenSSH\r\n", "", 100},
		{"too long by length", "HTTP/1.1 200 OK\r\nContent-Length: 65537\r\n\r\n", "", 100},
		{"too long to EOF", "HTTP/1.1 200 OK\r\n\r\n" + big, "", 100},
		{"too long chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10001\r\n" + big + "\r\n0\r\n\r\n", "", 100},
		{"64 KiB exactly", "HTTP/1.1 200 OK\r\n\r\n" + big[1:], big[1:], 0},
		{"other encoding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "", 100},
		{"two lengths", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", "", 100},
		{"cut header", "HTTP/1.1 200 OK\r\nContent-Le", "", 111},
		{"cut body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", "", 111},
		{"huge header", "HTTP/1.1 200 OK\r\n" + strings.Repeat("X-A: b\r\n", 3000) + "\r\n", "", 111},
		{"long line", "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("b", 9000) + "\r\n\r\n", "", 111},
	} {
		p := &peer{r: strings.NewReader(c.resp)}
		body, code, err := get(p, "mta-sts.example.test")
		if string(body) != c.body || code != c.code || (err == nil) != (c.code == 0) {
			t.Errorf("%s: got %d %q %v; want %d", c.name, code, trunc(string(body)), err, c.code)
		}
		want := "GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.example.test\r\n"
		if !strings.HasPrefix(p.sent.String(), want) || !strings.HasSuffix(p.sent.String(), "\r\nConnection: close\r\n\r\n") {
			t.Errorf("%s: sent %q", c.name, p.sent.String())
		}
	}
}
