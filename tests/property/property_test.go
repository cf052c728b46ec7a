// Package property runs random SMTP reply scripts through the real
// qmail-remote (and the smtpclient it runs) against an in-process server
// on 127.0.0.1, and checks every report stream byte for byte against an
// independent model of SPEC 1.7.3, 1.8, D12 and D24: above all, no K
// unless the server answered 2xx to the final dot (or to BDAT LAST).
// The server offers no extension, PIPELINING (RFC 2920), or PIPELINING
// and CHUNKING (RFC 3030), at random.
//
// PROPERTY_RUNS sets the number of scripts (default 2000, about fifteen
// seconds); PROPERTY_SEED replays a run (its seed is printed on failure).
package property

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"qmail-remote-go/lib/report"
)

// How the server answers one step.
const (
	normal    = iota
	hangup    // close without answering
	malformed // a reply whose code is not three digits
	partial   // half a reply, then close
)

type reply struct {
	kind  int
	code  int
	lines []string // texts after the code; the wire adds "-" or " "
}

func (r reply) wire() []byte {
	switch r.kind {
	case malformed:
		return []byte("2x0 what\r\n")
	case partial:
		return []byte(strconv.Itoa(r.code)[:2])
	}
	var b []byte
	for i, l := range r.lines {
		sep := "-"
		if i == len(r.lines)-1 {
			sep = " "
		}
		b = fmt.Appendf(b, "%03d%s%s\r\n", r.code, sep, l)
	}
	return b
}

// said is the model's "Remote host said: " part: every line, CR
// removed, NUL made '?', each ending in LF (SPEC 5.1; texts stay far
// below the 5000-byte cap).
func (r reply) said() string {
	s := string(r.wire())
	s = strings.ReplaceAll(s, "\r", "")
	s = strings.ReplaceAll(s, "\x00", "?")
	return "Remote host said: " + s
}

// What the server offers in its reply to EHLO.
const (
	lockStep   = iota // nothing
	pipelining        // PIPELINING and SIZE
	chunking          // PIPELINING, CHUNKING and SIZE
)

// A script is the server's answer to every step of one session.
type script struct {
	offer                      int
	greeting, ehlo, helo, mail reply
	rcpts                      []reply
	data, final                reply // final: to the dot, or to BDAT LAST
}

// ehloWire is the reply to EHLO with the keywords of the offer.
func (s script) ehloWire() []byte {
	r := s.ehlo
	if r.kind == normal && r.code == 250 && s.offer != lockStep {
		r.lines = append([]string{r.lines[0]}, "PIPELINING", "SIZE 0")
		if s.offer == chunking {
			r.lines = append(r.lines, "CHUNKING")
		}
	}
	return r.wire()
}

var codes = []int{220, 250, 251, 252, 354, 334, 199, 101, 300, 421, 450, 451, 452, 400, 499, 500, 550, 553, 554, 599, 600, 999, 0}

func randReply(r *rand.Rand, good int) reply {
	// Mostly the answer that lets the session go on, so that many
	// sessions reach the final dot.
	switch r.IntN(50) {
	case 0:
		return reply{kind: hangup}
	case 1:
		return reply{kind: malformed}
	case 2:
		return reply{kind: partial, code: good}
	}
	code := good
	if r.IntN(6) == 0 {
		code = codes[r.IntN(len(codes))]
		if r.IntN(4) == 0 {
			code = r.IntN(1000)
		}
	}
	rep := reply{code: code}
	const alphabet = "abc XYZ 019.-\x00\xe9\xff\r\t"
	for range 1 + r.IntN(3) {
		var l []byte
		for range r.IntN(12) {
			l = append(l, alphabet[r.IntN(len(alphabet))])
		}
		rep.lines = append(rep.lines, string(l))
	}
	return rep
}

func randScript(r *rand.Rand) script {
	s := script{
		offer:    r.IntN(3),
		greeting: randReply(r, 220),
		ehlo:     randReply(r, 250),
		helo:     randReply(r, 250),
		mail:     randReply(r, 250),
		data:     randReply(r, 354),
		final:    randReply(r, 250),
	}
	for range 1 + r.IntN(3) {
		s.rcpts = append(s.rcpts, randReply(r, 250))
	}
	return s
}

// model returns what qmail-remote must print for s, written from SPEC
// 1.7.3, 1.8, D1, D12, D21 and D24 alone. PIPELINING changes nothing in
// the reports. With CHUNKING the message goes with the envelope as BDAT
// LAST, whose reply stands for DATA's and the dot's, and from then on a
// lost connection may have left the message delivered.
func model(s script) string {
	const ip = "127.0.0.1"
	died := "ZConnected to " + ip + " but connection died. (#4.4.2)\n\x00"
	dupe := "ZConnected to " + ip + " but connection died. Possible duplicate! (#4.4.2)\n\x00"
	class := func(code int) int { return code / 100 }
	var out strings.Builder
	end := func(letter byte, text string) string { return out.String() + string(letter) + text + "\x00" }

	g := s.greeting
	switch {
	case g.kind != normal:
		return died
	case g.code == 220:
	case g.code == 421 || g.code == 450:
		return end('Z', "Connected to "+ip+" but greylisted.\n"+g.said())
	case class(g.code) == 4 || class(g.code) == 5:
		// SPEC D33: one more line, "Remote host said: " and the whole
		// reply, as qmail-1.03 gave it.
		return end('Z', "Sorry, I wasn't able to establish an SMTP connection. (#4.4.1)\n"+g.said())
	default:
		return end('Z', "Connected to "+ip+" but greeting failed.\n"+g.said())
	}
	if s.ehlo.kind != normal {
		return died
	}
	bdat := s.offer == chunking && s.ehlo.code == 250
	if bdat {
		died = dupe
	}
	if s.ehlo.code != 250 {
		h := s.helo
		switch {
		case h.kind != normal:
			return died
		case h.code == 250:
		case class(h.code) == 5:
			return end('D', "Connected to "+ip+" but my name was rejected.\n"+h.said())
		default:
			return end('Z', "Connected to "+ip+" but my name was rejected.\n"+h.said())
		}
	}
	switch m := s.mail; {
	case m.kind != normal:
		return died
	case class(m.code) == 2:
	case class(m.code) == 5:
		return end('D', "Connected to "+ip+" but sender was rejected.\n"+m.said())
	case class(m.code) == 4:
		return end('Z', "Connected to "+ip+" but sender was greylisted.\n"+m.said())
	default:
		return end('Z', "Connected to "+ip+" but sender was rejected.\n"+m.said())
	}
	accepted := 0
	for _, rc := range s.rcpts {
		switch {
		case rc.kind != normal:
			return out.String() + died
		case class(rc.code) == 2:
			out.WriteString("r\x00")
			accepted++
		case class(rc.code) == 5:
			out.WriteString("h" + ip + " does not like recipient.\n" + rc.said() + "\x00")
		case rc.code == 421 || rc.code == 450:
			out.WriteString("s" + ip + " probably greylisting.\n" + rc.said() + "\x00")
		default:
			out.WriteString("s" + ip + " does not like recipient.\n" + rc.said() + "\x00")
		}
	}
	if accepted == 0 {
		return end('D', "Giving up on "+ip+".\n")
	}
	switch d := s.data; {
	case bdat: // no DATA: BDAT LAST went with the envelope
	case d.kind != normal:
		return out.String() + died
	case d.code == 354:
	case class(d.code) == 5:
		return end('D', ip+" failed on DATA command.\n"+d.said())
	case d.code == 451:
		return end('Z', ip+" message was greylisted.\n"+d.said())
	default:
		return end('Z', ip+" failed on DATA command.\n"+d.said())
	}
	switch f := s.final; {
	case f.kind != normal:
		return end('Z', "Connected to "+ip+" but connection died. Possible duplicate! (#4.4.2)\n")
	case class(f.code) == 2:
		return end('K', ip+" accepted message.\n"+f.said())
	case class(f.code) == 5:
		return end('D', ip+" failed after I sent the message.\n"+f.said())
	default:
		return end('Z', ip+" failed after I sent the message.\n"+f.said())
	}
}

// serve plays s on c: it answers each command the client sends by its
// verb, so a client that skips or repeats a step is caught by the model.
func serve(c net.Conn, s script) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(60 * time.Second))
	in := bufio.NewReader(c)
	send := func(r reply) bool {
		c.Write(r.wire())
		return r.kind == normal
	}
	if !send(s.greeting) {
		return
	}
	rcpt := 0
	for {
		line, err := in.ReadString('\n')
		if err != nil {
			return
		}
		verb, _, _ := strings.Cut(strings.TrimSuffix(line, "\r\n"), " ")
		var r reply
		switch verb {
		case "EHLO":
			c.Write(s.ehloWire())
			if s.ehlo.kind != normal {
				return
			}
			continue
		case "HELO":
			r = s.helo
		case "MAIL":
			r = s.mail
		case "RCPT":
			if rcpt >= len(s.rcpts) {
				return
			}
			r = s.rcpts[rcpt]
			rcpt++
		case "DATA":
			r = s.data
			if r.kind == normal && r.code == 354 {
				c.Write(r.wire())
				for {
					l, err := in.ReadString('\n')
					if err != nil {
						return
					}
					if l == ".\r\n" {
						break
					}
				}
				r = s.final
			}
		case "BDAT": // the whole message in one chunk, LAST
			f := strings.Fields(line)
			n, err := strconv.Atoi(f[1])
			if err != nil || len(f) != 3 || f[2] != "LAST" {
				return
			}
			if _, err := io.CopyN(io.Discard, in, int64(n)); err != nil {
				return
			}
			r = s.final
		default: // QUIT or anything else
			io.Copy(io.Discard, in)
			return
		}
		if !send(r) {
			return
		}
	}
}

// build compiles the three programs into a temp folder, so the test
// checks the source as it is, not a stale bin/.
func build(t *testing.T) string {
	dir := t.TempDir()
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	for _, p := range []string{"qmail-remote", "smtpclient", "mxlookup"} {
		cmd := exec.Command(goBin, "build", "-o", filepath.Join(dir, p), "./"+p)
		cmd.Dir = "../.."
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("building %s: %v\n%s", p, err, out)
		}
	}
	return dir
}

func TestNoKWithout2xxToTheDot(t *testing.T) {
	runs := 2000
	if v := os.Getenv("PROPERTY_RUNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("PROPERTY_RUNS=%q", v)
		}
		runs = n
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("PROPERTY_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("PROPERTY_SEED=%q", v)
		}
		seed = n
	}
	bin := build(t)
	msg := filepath.Join(t.TempDir(), "msg")
	if err := os.WriteFile(msg, []byte("Subject: x\n\n.hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	workers := 4
	var mu sync.Mutex
	failures, ks := 0, 0
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(w)))
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Error(err)
				return
			}
			defer ln.Close()
			home := t.TempDir()
			os.Mkdir(home+"/control", 0o755)
			files := map[string]string{"me": "me.test\n", "helohost": "helo.test\n", "timeoutremote": "20\n", "timeoutconnect": "10\n",
				"smtproutes": fmt.Sprintf(":[127.0.0.1]:%d\n", ln.Addr().(*net.TCPAddr).Port)}
			for name, data := range files {
				os.WriteFile(home+"/control/"+name, []byte(data), 0o644)
			}
			for i := w; i < runs; i += workers {
				s := randScript(r)
				rcpts := make([]string, len(s.rcpts))
				for j := range rcpts {
					rcpts[j] = fmt.Sprintf("r%d@y.test", j)
				}
				got, err := deliver(bin, home, msg, ln.(*net.TCPListener), s, rcpts)
				want := model(s)
				mu.Lock()
				if err == nil && strings.HasSuffix(got, "\x00") && got[strings.LastIndexByte(got[:len(got)-1], 0)+1] == 'K' {
					ks++
				}
				if err != nil || got != want || !okStream(got, len(rcpts), s) {
					failures++
					if failures <= 5 {
						t.Errorf("seed %d worker %d run %d: script %+v\n got %q (%v)\nwant %q", seed, w, i, s, got, err, want)
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	t.Logf("%d scripts, %d ended in K, %d failures, seed %d", runs, ks, failures, seed)
}

// okStream checks the properties directly, apart from the model: the
// stream parses as qmail-remote's own check would, and a K comes only
// after a 2xx to the final dot.
func okStream(out string, nrcpt int, s script) bool {
	reps, err := report.Parse([]byte(out), nrcpt)
	if err != nil {
		return false
	}
	if reps[len(reps)-1].Letter == 'K' {
		return s.final.kind == normal && s.final.code/100 == 2
	}
	return true
}

func deliver(bin, home, msg string, ln *net.TCPListener, s script, rcpts []string) (string, error) {
	f, err := os.Open(msg)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var out, errs bytes.Buffer
	cmd := exec.Command(filepath.Join(bin, "qmail-remote"), append([]string{"example.test", "a@x.test"}, rcpts...)...)
	cmd.Env = append(os.Environ(), "QMAILHOME="+home)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = f, &out, &errs
	if err := cmd.Start(); err != nil {
		return "", err
	}
	ln.SetDeadline(time.Now().Add(60 * time.Second))
	if c, err := ln.Accept(); err == nil {
		serve(c, s)
	}
	if err := cmd.Wait(); err != nil {
		return out.String(), err
	}
	if errs.Len() > 0 {
		return out.String(), fmt.Errorf("stderr %q", errs.String())
	}
	return out.String(), nil
}
