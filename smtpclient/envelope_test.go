package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	ehloPipe  = "250-mx.example.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n"
	ehloChunk = "250-mx.example.test\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 8BITMIME\r\n"
	// ehloChunkOnly: nothing asks for the message's size or its 8-bit bytes
	ehloChunkOnly = "250-mx.example.test\r\n250-PIPELINING\r\n250 CHUNKING\r\n"
)

// talk runs one session on the server's bytes and returns what the
// client sent, its reports and its exit code.
func talk(server, msg string, rcpts []string) (client, out string, exit int) {
	var c, o bytes.Buffer
	s := &session{r: bufio.NewReaderSize(strings.NewReader(server), 16), w: bufio.NewWriter(&c),
		msg: strings.NewReader(msg), out: &o, ip: "192.0.2.1", helo: "helo.test"}
	exit, _ = s.run("a@x.test", rcpts)
	return c.String(), o.String(), exit
}

// SPEC D12: every reply combination of SPEC 1.8 from MAIL on, for one
// to three recipients (and one with a line break), gives the same
// reports byte for byte in lock step, with PIPELINING and with CHUNKING;
// and the pipelined client sends exactly the batch, then the body, a
// lone dot (a 354 that lock step would not have asked for) or nothing,
// and QUIT exactly when lock step does.
func TestPipeliningSameReports(t *testing.T) {
	mails := []string{"250 ok", "451 later", "553 no", "354 odd", "199 odd"}
	rcptCodes := []string{"250 ok", "450 grey", "452 full", "550 no", "354 odd"}
	datas := []string{"354 go", "250 odd", "451 grey", "452 full", "554 no", "199 odd"}
	finals := []string{"250 queued", "452 full", "554 spam", "354 odd"}
	lists := [][]string{{"b@y.test"}, {"b@y.test", "c@y.test"}, {"b@y.test", "c@y.test", "d@y.test"}, {"x@y\r\nDATA", "b@y.test", "c@y.test"}}
	runs := 0
	for _, rcpts := range lists {
		sent := rcpts
		if strings.Contains(rcpts[0], "\n") {
			sent = rcpts[1:]
		}
		for _, rr := range combos(rcptCodes, len(sent)) {
			for _, mail := range mails {
				for _, data := range datas {
					for _, final := range finals {
						compare(t, mail, rr, data, final, rcpts, sent)
						runs++
					}
				}
			}
		}
	}
	t.Logf("%d combinations", runs)
}

func compare(t *testing.T, mail string, rr []string, data, final string, rcpts, sent []string) {
	t.Helper()
	replies := mail + "\r\n" + strings.Join(rr, "\r\n") + "\r\n"
	env := "MAIL FROM:<a@x.test>\r\n"
	for _, r := range sent {
		env += "RCPT TO:<" + r + ">\r\n"
	}
	lockClient, lockOut, lockExit := talk(hi+ehloOK+replies+data+"\r\n"+final+"\r\n", message, rcpts)
	pipeClient, pipeOut, pipeExit := talk(hi+ehloPipe+replies+data+"\r\n"+final+"\r\n", message, rcpts)
	name := fmt.Sprintf("MAIL %q RCPT %q DATA %q final %q rcpts %q", mail, rr, data, final, rcpts)
	if pipeOut != lockOut || pipeExit != lockExit {
		t.Fatalf("%s: pipelining reports\n%q\nlock step\n%q", name, pipeOut, lockOut)
	}
	quit := strings.HasSuffix(lockClient, "QUIT\r\n")
	want := "EHLO helo.test\r\n" + env + "DATA\r\n"
	switch {
	case strings.Contains(lockClient, "DATA\r\n"+wire):
		want += wire
	case strings.HasPrefix(data, "354"):
		want += ".\r\n" // RFC 2920 3.1
	}
	if quit {
		want += "QUIT\r\n"
	}
	if pipeClient != want {
		t.Fatalf("%s: pipelining sent\n%q\nwant\n%q", name, pipeClient, want)
	}
	// CHUNKING: the reply to BDAT LAST stands where lock step has DATA
	// 354 and the reply to the dot.
	lockClient, lockOut, lockExit = talk(hi+ehloOK+replies+"354 go\r\n"+final+"\r\n", message, rcpts)
	bdatClient, bdatOut, bdatExit := talk(hi+ehloChunk+replies+final+"\r\n", message, rcpts)
	if bdatOut != lockOut || bdatExit != lockExit {
		t.Fatalf("%s: chunking reports\n%q\nlock step\n%q", name, bdatOut, lockOut)
	}
	want = "EHLO helo.test\r\n" + env + "BDAT 18 LAST\r\nSubject: x\r\n\r\nhi\r\n"
	if strings.HasSuffix(lockClient, "QUIT\r\n") {
		want += "QUIT\r\n"
	}
	if bdatClient != want {
		t.Fatalf("%s: chunking sent\n%q\nwant\n%q", name, bdatClient, want)
	}
}

// combos returns every sequence of n elements of set.
func combos(set []string, n int) [][]string {
	if n == 0 {
		return [][]string{nil}
	}
	var all [][]string
	for _, rest := range combos(set, n-1) {
		for _, s := range set {
			all = append(all, append(append([]string(nil), rest...), s))
		}
	}
	return all
}

// A connection that ends anywhere gives the same reports with and
// without PIPELINING: no duplicate is possible before the dot.
func TestPipeliningSameReportsCut(t *testing.T) {
	for _, rr := range combos([]string{"250 ok", "550 no", "451 grey"}, 2) {
		for _, mail := range []string{"250 ok", "553 no"} {
			for _, data := range []string{"354 go", "554 no"} {
				replies := mail + "\r\n" + strings.Join(rr, "\r\n") + "\r\n" + data + "\r\n250 queued\r\n"
				for cut := 0; cut <= len(replies); cut++ {
					rcpts := []string{"b@y.test", "c@y.test"}
					_, lockOut, _ := talk(hi+ehloOK+replies[:cut], message, rcpts)
					_, pipeOut, _ := talk(hi+ehloPipe+replies[:cut], message, rcpts)
					if lockOut != pipeOut {
						t.Fatalf("%q cut at %d: pipelining\n%q\nlock step\n%q", replies, cut, pipeOut, lockOut)
					}
				}
			}
		}
	}
}

var pipeTranscripts = []transcript{
	{name: "D12: MAIL, RCPT and DATA in one write", server: hi + ehloPipe + "250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n", msg: message,
		client: cData + wire + "QUIT\r\n",
		out:    "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
	{name: "MAIL refused: the 503s are read before QUIT", server: hi + ehloPipe + "553 no\r\n503 no MAIL\r\n503 no MAIL\r\n", msg: message,
		rcpts: []string{"b@y.test", "c@y.test"}, sender: "a@x.test",
		client: cRcpt + "RCPT TO:<c@y.test>\r\nDATA\r\nQUIT\r\n",
		out:    "DConnected to 192.0.2.1 but sender was rejected.\nRemote host said: 553 no\n\x00"},
	{name: "RFC 2920 3.1: no recipient, DATA 354 anyway: a lone dot before QUIT", server: hi + ehloPipe + "250 ok\r\n550 no\r\n354 go\r\n", msg: message,
		client: cData + ".\r\nQUIT\r\n",
		out:    "h192.0.2.1 does not like recipient.\nRemote host said: 550 no\n\x00DGiving up on 192.0.2.1.\n\x00"},
	{name: "recipient with a line break: its h at its place, no RCPT", server: hi + ehloPipe + "250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n", msg: message,
		sender: "a@x.test", rcpts: []string{"x@y\r\nDATA", "b@y.test"},
		client: cData + wire + "QUIT\r\n",
		out: "hSorry, the recipient address contains a line break. (#5.1.3)\n\x00r\x00" +
			"K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
	{name: "only recipient with a line break: MAIL alone", server: hi + ehloPipe + "250 ok\r\n",
		sender: "a@x.test", rcpts: []string{"x@y\n"},
		client: c3 + "QUIT\r\n",
		out:    "hSorry, the recipient address contains a line break. (#5.1.3)\n\x00DGiving up on 192.0.2.1.\n\x00"},
	{name: "recipient whose domain would end the path: its h at its place, no RCPT", server: hi + ehloPipe + "250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n", msg: message,
		sender: "a@x.test", rcpts: []string{"x@[192.0.2.9]> NOTIFY=NEVER", "b@y.test"},
		client: cData + wire + "QUIT\r\n",
		out: "hSorry, the domain of the recipient address is not a domain name or address literal (RFC 5321 4.1.2). (#5.1.3)\n\x00r\x00" +
			"K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
	{name: "closed before the DATA reply", server: hi + ehloPipe + "250 ok\r\n250 ok\r\n",
		client: cData, out: "r\x00" + died},
	{name: "B15 partial final line: D, no dot, no QUIT", server: hi + ehloPipe + "250 ok\r\n250 ok\r\n354 go\r\n", msg: "abc",
		client: cData, out: "r\x00DSMTP cannot transfer messages with partial final lines. (#5.6.2)\n\x00"},
	{name: "ENHANCEDSTATUSCODES: the codes stay in the texts as received",
		server: hi + "250-mx.example.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n250 2.1.0 ok\r\n550 5.1.1 no such user\r\n451 4.7.1 try later\r\n354 go\r\n250 2.0.0 queued as 42\r\n",
		msg:    message, sender: "a@x.test", rcpts: []string{"b@y.test", "c@y.test"},
		client: cRcpt + "RCPT TO:<c@y.test>\r\nDATA\r\n.\r\nQUIT\r\n",
		out: "h192.0.2.1 does not like recipient.\nRemote host said: 550 5.1.1 no such user\n\x00" +
			"s192.0.2.1 does not like recipient.\nRemote host said: 451 4.7.1 try later\n\x00" +
			"DGiving up on 192.0.2.1.\n\x00"},
	{name: "ENHANCEDSTATUSCODES in a K", server: hi + "250-mx\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n250 2.1.0 ok\r\n250 2.1.5 ok\r\n354 go\r\n250 2.0.0 Ok: queued as 42\r\n", msg: message,
		client: cData + wire + "QUIT\r\n",
		out:    "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 2.0.0 Ok: queued as 42\n\x00"},
}

func TestPipelining(t *testing.T) {
	for _, tt := range pipeTranscripts {
		tt.run(t, nil)
	}
}

// pipePeer serves SMTP on two os.Pipes (64 KiB buffers) the way a real
// server does: it reads a line and writes its reply at once, with a
// blocking write. A client that wrote a long batch without reading
// would stall it: both sides would wait on full pipes. With readAllFirst
// it holds the replies to MAIL and RCPT until it reads DATA. bdat gives
// the reply to the i-th BDAT (from 0; nil: 250). wait closes the
// client's end and returns the verbs the server read (BDAT LAST as
// "LAST"), each followed by a space.
func pipePeer(t *testing.T, ext string, readAllFirst bool, bdat func(i int) string) (s *session, out *bytes.Buffer, wait func() string) {
	return pipePeerRec(t, ext, readAllFirst, bdat, nil)
}

// pipePeerRec is pipePeer with the client's reads and writes recorded.
func pipePeerRec(t *testing.T, ext string, readAllFirst bool, bdat func(i int) string, rec *recorder) (s *session, out *bytes.Buffer, wait func() string) {
	t.Helper()
	toServer, fromClient, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	toClient, fromServer, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 1)
	go func() {
		defer fromServer.Close()
		in := bufio.NewReader(toServer)
		var pending []string
		var got strings.Builder
		defer func() { done <- got.String() }()
		say := func(s string) bool { _, err := io.WriteString(fromServer, s); return err == nil }
		if !say("220 mx\r\n") {
			return
		}
		nbdat := 0
		for {
			line, err := in.ReadString('\n')
			if err != nil {
				return
			}
			f := strings.Fields(line)
			verb := ""
			if len(f) > 0 {
				verb = f[0]
			}
			var rep string
			switch verb {
			case "EHLO":
				rep = "250-mx\r\n" + ext + "250 8BITMIME\r\n"
			case "MAIL":
				rep = "250 2.1.0 sender ok\r\n"
			case "RCPT":
				rep = "250 2.1.5 recipient ok, and a long text so that the replies fill a pipe quickly\r\n"
			case "DATA":
				pending = append(pending, "354 go\r\n")
				for _, p := range pending {
					say(p)
				}
				pending = nil
				for l, err := in.ReadString('\n'); err == nil && l != ".\r\n"; l, err = in.ReadString('\n') {
				}
				rep = "250 queued\r\n"
			case "BDAT":
				n, _ := strconv.Atoi(f[1])
				io.CopyN(io.Discard, in, int64(n))
				if len(f) > 2 {
					verb = "LAST"
				}
				rep = "250 ok\r\n"
				if bdat != nil {
					rep = bdat(nbdat)
				}
				nbdat++
			case "QUIT":
				rep = "221 bye\r\n"
			}
			got.WriteString(verb + " ")
			if readAllFirst && (verb == "MAIL" || verb == "RCPT") {
				pending = append(pending, rep)
				continue
			}
			say(rep)
		}
	}()
	var o bytes.Buffer
	var r io.Reader = toClient
	var w io.Writer = fromClient
	if rec != nil {
		rec.r, rec.w = toClient, fromClient
		r, w = rec, rec
	}
	s = &session{r: bufio.NewReaderSize(r, bufSize), w: bufio.NewWriterSize(w, bufSize),
		msg: strings.NewReader(message), out: &o, ip: "192.0.2.1", helo: "helo.test"}
	return s, &o, func() string {
		fromClient.Close()
		select {
		case got := <-done:
			return got
		case <-time.After(20 * time.Second):
			t.Fatal("the server never saw the end")
			return ""
		}
	}
}

// RFC 2920 3.1: 10,000 recipients in one batch; the server answers each
// RCPT as it reads it (its replies fill the pipe back long before the
// batch is written), or reads the whole batch before answering.
func TestPipelining10000(t *testing.T) {
	for _, readAllFirst := range []bool{false, true} {
		s, out, wait := pipePeer(t, "250-PIPELINING\r\n", readAllFirst, nil)
		rcpts := make([]string, 10000)
		for i := range rcpts {
			rcpts[i] = "r" + strconv.Itoa(i) + "@y.test"
		}
		res := make(chan int, 1)
		go func() { exit, _ := s.run("a@x.test", rcpts); res <- exit }()
		select {
		case exit := <-res:
			if exit != 0 {
				t.Fatalf("exit %d", exit)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("deadlock: no end after 20 s")
		}
		got := wait()
		if want := "EHLO MAIL " + strings.Repeat("RCPT ", 10000) + "DATA QUIT "; got != want {
			t.Errorf("server saw %.80q... (%d bytes), want %d bytes", got, len(got), len(want))
		}
		if o := out.String(); o != strings.Repeat("r\x00", 10000)+"K192.0.2.1 accepted message.\nRemote host said: 250 queued\n\x00" {
			t.Errorf("reports %.80q... (%d bytes)", o, len(o))
		}
	}
}
