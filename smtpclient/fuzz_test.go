package main

import (
	"bufio"
	"bytes"
	"strings"
	"testing"

	"qmail-remote-go/lib/report"
	"qmail-remote-go/lib/smtp"
)

// FuzzExtensions: the EHLO capability parser never panics, keeps at
// most one keyword per line after the first, keys in upper case without
// space or '=', and never more bytes than it was given.
func FuzzExtensions(f *testing.F) {
	for _, s := range []string{"250-mx.test\n250-PIPELINING\n250-AUTH=LOGIN PLAIN\n250-auth cram-md5\n250 SIZE 1000\n", "250 x\n", "", "\n\n", "250-\n250 =\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		ext := extensions(text)
		lines := strings.Count(strings.TrimSuffix(string(text), "\n"), "\n")
		if len(ext) > lines {
			t.Fatalf("%d keywords from %d lines", len(ext), lines)
		}
		size := 0
		for k, v := range ext {
			if k == "" || k != smtp.UpperASCII(k) || strings.ContainsAny(k, "abcdefghijklmnopqrstuvwxyz") || strings.ContainsAny(k, " =\n") || strings.ContainsRune(v, '\n') {
				t.Fatalf("keyword %q %q from %q", k, v, text)
			}
			size += len(k) + len(v)
		}
		if size > len(text) {
			t.Fatalf("%d bytes of keywords from %d", size, len(text))
		}
	})
}

// FuzzSessionReports: whatever the server sends, a session that exits 0
// prints a report stream that qmail-remote's report.Parse accepts, and a
// K comes only with the text of a 2xx reply (to the final dot or to BDAT
// LAST, the only places a K is made), after the client sent the final
// dot or BDAT LAST. A session that lets qmail-remote try the next
// address (exit 100 or 111) prints nothing or a single Z, its reason.
func FuzzSessionReports(f *testing.F) {
	for _, tt := range append(transcripts, pipeTranscripts...) {
		f.Add(tt.server, tt.msg, uint8(2))
	}
	f.Add(hi+ehloChunk+"250 ok\r\n250 ok\r\n250 ok\r\n", "a\n", uint8(0))
	f.Add("220 x\r\n250 x\r\n250 x\r\n250 x\r\n354 x\r\n250 ok\r\n", "a\n", uint8(1))
	f.Add("220 x\r\n250 x\r\n250 x\r\n250 x\r\n354 x\r\n350 ok\r\n", "a\n", uint8(1))
	f.Fuzz(func(t *testing.T, server, msg string, n uint8) {
		nrcpt := 1 + int(n%3)
		rcpts := []string{"b@y", "c@y", "d@y"}[:nrcpt]
		var client, out bytes.Buffer
		s := &session{r: bufio.NewReader(strings.NewReader(server)), w: bufio.NewWriter(&client),
			msg: strings.NewReader(msg), out: &out, ip: "192.0.2.1", helo: "h"}
		exit, _ := s.run("a@x", rcpts)
		switch exit {
		case 0:
		case 100, 111:
			if !nextAddress(out.String()) {
				t.Fatalf("exit %d with reports %q", exit, out.String())
			}
			return
		default:
			t.Fatalf("exit %d", exit)
		}
		reps, err := report.Parse(out.Bytes(), nrcpt)
		if err != nil {
			t.Fatalf("reports %q: %v", out.String(), err)
		}
		last := reps[len(reps)-1]
		if last.Letter == 'K' {
			if !strings.HasPrefix(last.Text, "192.0.2.1 accepted message.\nRemote host said: 2") ||
				!strings.Contains(client.String(), "\r\n.\r\n") && !strings.Contains(client.String(), " LAST\r\n") {
				t.Fatalf("K %q after %q", last.Text, client.String())
			}
		}
	})
}

// Keywords are folded as ASCII: "\u017ftarttls" is not STARTTLS, and a
// keyword that is not UTF-8 keeps its bytes.
func TestExtensionsASCIIFold(t *testing.T) {
	ext := extensions([]byte("250-mx.test\n250-\u017ftarttls\n250-pipelining\n250 0000\xb9\n"))
	if _, ok := ext["STARTTLS"]; ok {
		t.Error("\\u017ftarttls taken as STARTTLS")
	}
	if _, ok := ext["PIPELINING"]; !ok {
		t.Error("pipelining not folded")
	}
	if _, ok := ext["0000\xb9"]; !ok {
		t.Errorf("8-bit keyword changed: %q", ext)
	}
}

// FuzzPipeliningSameReports: whatever the server answers from MAIL on
// (cut, malformed, any code), the reports are the same with PIPELINING
// as in lock step (SPEC D12).
func FuzzPipeliningSameReports(f *testing.F) {
	f.Add("250 ok\r\n250 ok\r\n550 no\r\n354 go\r\n250 ok\r\n", "a\n", uint8(1))
	f.Add("553 no\r\n503 x\r\n", "", uint8(0))
	f.Add("250 ok\r\n450 x\r\n354 go\r\n", "b", uint8(0))
	f.Fuzz(func(t *testing.T, replies, msg string, n uint8) {
		rcpts := []string{"b@y", "c@y\n", "d@y"}[:1+int(n%3)]
		_, lockOut, lockExit := talk(hi+ehloOK+replies, msg, rcpts)
		_, pipeOut, pipeExit := talk(hi+ehloPipe+replies, msg, rcpts)
		if lockOut != pipeOut || lockExit != pipeExit {
			t.Fatalf("pipelining %q %d, lock step %q %d", pipeOut, pipeExit, lockOut, lockExit)
		}
	})
}

// nextAddress tells whether o is what a session that lets qmail-remote
// try the next address may print: nothing, or one Z report (qmail-remote
// takes nothing else from it, qmail-remote/try.go).
func nextAddress(o string) bool {
	if o == "" {
		return true
	}
	reps, err := report.Parse([]byte(o), 0)
	return err == nil && reps[0].Letter == 'Z'
}
