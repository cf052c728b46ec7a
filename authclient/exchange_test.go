package main

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
	"testing/iotest"
)

// A transcript test, as Go's net/smtp does: the server's bytes, and the
// exact client bytes, fd 1 bytes and exit code expected.
type transcript struct {
	name   string
	mech   string
	user   string // "user" unless set
	pass   string // "secret" unless set
	server string
	client string
	out    string
	exit   int
}

const (
	ip     = "192.0.2.1"
	conn   = "Connected to " + ip + " but "
	died   = "Z" + conn + "connection died. (#4.4.2)\n\x00"
	okUser = "AUTH=user\n"
	// base64 of "user", "secret", NUL user NUL secret
	bUser  = "dXNlcg=="
	bPass  = "c2VjcmV0"
	bPlain = "AHVzZXIAc2VjcmV0"
	// RFC 2195's challenge
	cramCh = "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"
	cramR  = "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"
	// RFC 7677's exchange, base64
	scFirst = "biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8="
	scSF    = "cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY="
	scFinal = "Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhGSWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empmTUhnc3FtbWl6N0FuZFZRPQ=="
	scSFin  = "dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQ=="
	scAuth  = "AUTH SCRAM-SHA-256 " + scFirst + "\r\n"
)

func z(suffix, reply string) string {
	s := "Z" + conn + suffix + ".\n"
	if reply != "" {
		s += "Remote host said: " + reply + "\n"
	}
	return s + "\x00"
}

func (tt transcript) run(t *testing.T, slow bool) {
	t.Helper()
	if tt.user == "" {
		tt.user = "user"
	}
	if tt.pass == "" {
		tt.pass = "secret"
	}
	var sent bytes.Buffer
	var r = bufio.NewReader(strings.NewReader(tt.server))
	if slow {
		r = bufio.NewReaderSize(iotest.OneByteReader(strings.NewReader(tt.server)), 16)
	}
	c := &client{r: r, w: bufio.NewWriter(&sent), ip: ip, nonce: func() string { return rfcNonce }}
	out, exit := outcome(c.auth(tt.mech, tt.user, tt.pass), tt.user)
	if sent.String() != tt.client {
		t.Errorf("%s: client sent\n%q\nwant\n%q", tt.name, sent.String(), tt.client)
	}
	if string(out) != tt.out || exit != tt.exit {
		t.Errorf("%s: fd 1 %q, exit %d\nwant %q, exit %d", tt.name, out, exit, tt.out, tt.exit)
	}
}

var transcripts = []transcript{
	// PLAIN
	{"PLAIN ok", "PLAIN", "", "", "334 \r\n235 2.7.0 ok\r\n", "AUTH PLAIN\r\n" + bPlain + "\r\n", okUser, 0},
	{"PLAIN: AUTH refused", "PLAIN", "", "", "504 5.5.4 no\r\n", "AUTH PLAIN\r\n", z("authentication was rejected (AUTH PLAIN)", "504 5.5.4 no"), 111},
	{"PLAIN: 235 to AUTH PLAIN", "PLAIN", "", "", "235 welcome\r\n", "AUTH PLAIN\r\n", z("the server said 235 before authentication was complete (AUTH PLAIN)", "235 welcome"), 111},
	{"PLAIN: 535", "PLAIN", "", "", "334 \r\n535 5.7.8 bad\r\n", "AUTH PLAIN\r\n" + bPlain + "\r\n", z("authentication was rejected (plain)", "535 5.7.8 bad"), 111},
	{"PLAIN: 432", "PLAIN", "", "", "334 \r\n432 4.7.12 transition\r\n", "AUTH PLAIN\r\n" + bPlain + "\r\n", "D" + conn + "password expired.\nRemote host said: 432 4.7.12 transition\n\x00", 100},
	{"PLAIN: 534", "PLAIN", "", "", "334 \r\n534 5.7.9 weak\r\n", "AUTH PLAIN\r\n" + bPlain + "\r\n", z("authentication mechanism too weak (plain)", "534 5.7.9 weak"), 111},
	{"PLAIN: 454", "PLAIN", "", "", "334 \r\n454 4.7.0 later\r\n", "AUTH PLAIN\r\n" + bPlain + "\r\n", z("authentication failed temporarily (plain)", "454 4.7.0 later"), 111},
	{"PLAIN: 538", "PLAIN", "", "", "334 \r\n538 5.7.11 tls\r\n", "AUTH PLAIN\r\n" + bPlain + "\r\n", z("encryption is required for this mechanism (plain)", "538 5.7.11 tls"), 111},
	{"PLAIN: 538 to AUTH", "PLAIN", "", "", "538 5.7.11 tls\r\n", "AUTH PLAIN\r\n", z("encryption is required for this mechanism (plain)", "538 5.7.11 tls"), 111},
	{"PLAIN: 250 is no 235", "PLAIN", "", "", "334 \r\n250 fine\r\n", "AUTH PLAIN\r\n" + bPlain + "\r\n", z("authentication was rejected (plain)", "250 fine"), 111},
	{"PLAIN: 334 again", "PLAIN", "", "", "334 \r\n334 \r\n", "AUTH PLAIN\r\n" + bPlain + "\r\n", z("authentication went on past its last step (plain)", "334 "), 111},
	{"PLAIN: bytes after 235", "PLAIN", "", "", "334 \r\n235 ok\r\n250 surprise\r\n", "AUTH PLAIN\r\n" + bPlain + "\r\n", z("the server sent more than its 235 reply", "235 ok"), 111},
	{"PLAIN: multi-line 235", "PLAIN", "", "", "334 \r\n235-ok\r\n235 ok\r\n", "AUTH PLAIN\r\n" + bPlain + "\r\n", okUser, 0},
	{"PLAIN: dies", "PLAIN", "", "", "334 \r\n", "AUTH PLAIN\r\n" + bPlain + "\r\n", died, 111},
	{"PLAIN: malformed", "PLAIN", "", "", "33 \r\n", "AUTH PLAIN\r\n", died, 111},
	{"PLAIN: nothing", "PLAIN", "", "", "", "AUTH PLAIN\r\n", died, 111},
	// LOGIN
	{"LOGIN ok", "LOGIN", "", "", "334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 ok\r\n", "AUTH LOGIN\r\n" + bUser + "\r\n" + bPass + "\r\n", okUser, 0},
	{"LOGIN: prompts not read", "LOGIN", "", "", "334 ???\r\n334\r\n235 ok\r\n", "AUTH LOGIN\r\n" + bUser + "\r\n" + bPass + "\r\n", okUser, 0},
	{"LOGIN: AUTH refused", "LOGIN", "", "", "502 no\r\n", "AUTH LOGIN\r\n", z("authentication was rejected (AUTH LOGIN)", "502 no"), 111},
	{"LOGIN: 235 to AUTH LOGIN", "LOGIN", "", "", "235 ok\r\n", "AUTH LOGIN\r\n", z("the server said 235 before authentication was complete (AUTH LOGIN)", "235 ok"), 111},
	{"LOGIN: username refused", "LOGIN", "", "", "334 x\r\n535 no\r\n", "AUTH LOGIN\r\n" + bUser + "\r\n", z("authentication was rejected (username)", "535 no"), 111},
	{"LOGIN: 235 to the username", "LOGIN", "", "", "334 x\r\n235 ok\r\n", "AUTH LOGIN\r\n" + bUser + "\r\n", z("the server said 235 before authentication was complete (username)", "235 ok"), 111},
	{"LOGIN: 454 to the username", "LOGIN", "", "", "334 x\r\n454 later\r\n", "AUTH LOGIN\r\n" + bUser + "\r\n", z("authentication failed temporarily (login)", "454 later"), 111},
	{"LOGIN: password refused", "LOGIN", "", "", "334 x\r\n334 y\r\n535 no\r\n", "AUTH LOGIN\r\n" + bUser + "\r\n" + bPass + "\r\n", z("authentication was rejected (login)", "535 no"), 111},
	{"LOGIN: 534", "LOGIN", "", "", "334 x\r\n334 y\r\n534 weak\r\n", "AUTH LOGIN\r\n" + bUser + "\r\n" + bPass + "\r\n", z("authentication mechanism too weak (login)", "534 weak"), 111},
	{"LOGIN: 432", "LOGIN", "", "", "334 x\r\n334 y\r\n432 expired\r\n", "AUTH LOGIN\r\n" + bUser + "\r\n" + bPass + "\r\n", "D" + conn + "password expired.\nRemote host said: 432 expired\n\x00", 100},
	{"LOGIN: endless 334", "LOGIN", "", "", "334 x\r\n334 y\r\n334 z\r\n334 z\r\n", "AUTH LOGIN\r\n" + bUser + "\r\n" + bPass + "\r\n", z("authentication went on past its last step (login)", "334 z"), 111},
	// CRAM-MD5
	{"CRAM-MD5 ok (RFC 2195)", "CRAM-MD5", "tim", "tanstaaftanstaaf", "334 " + cramCh + "\r\n235 ok\r\n", "AUTH CRAM-MD5\r\n" + cramR + "\r\n", "AUTH=tim\n", 0},
	{"CRAM-MD5: AUTH refused", "CRAM-MD5", "", "", "504 no\r\n", "AUTH CRAM-MD5\r\n", z("authentication was rejected (AUTH CRAM-MD5)", "504 no"), 111},
	{"CRAM-MD5: 235 to AUTH", "CRAM-MD5", "", "", "235 ok\r\n", "AUTH CRAM-MD5\r\n", z("the server said 235 before authentication was complete (AUTH CRAM-MD5)", "235 ok"), 111},
	{"CRAM-MD5: not base64", "CRAM-MD5", "", "", "334 <1896@x>\r\n", "AUTH CRAM-MD5\r\n", z("unable to base64decode challenge", "334 <1896@x>"), 111},
	{"CRAM-MD5: empty challenge", "CRAM-MD5", "", "", "334 \r\n", "AUTH CRAM-MD5\r\n", z("the server sent an empty challenge (AUTH CRAM-MD5)", "334 "), 111},
	{"CRAM-MD5: 535", "CRAM-MD5", "tim", "tanstaaftanstaaf", "334 " + cramCh + "\r\n535 no\r\n", "AUTH CRAM-MD5\r\n" + cramR + "\r\n", z("authentication was rejected (username+digest)", "535 no"), 111},
	{"CRAM-MD5: 534", "CRAM-MD5", "tim", "tanstaaftanstaaf", "334 " + cramCh + "\r\n534 weak\r\n", "AUTH CRAM-MD5\r\n" + cramR + "\r\n", z("authentication mechanism too weak (cram)", "534 weak"), 111},
	// SCRAM-SHA-256
	{"SCRAM ok (RFC 7677)", "SCRAM-SHA-256", "", "pencil", "334 " + scSF + "\r\n334 " + scSFin + "\r\n235 ok\r\n", scAuth + scFinal + "\r\n\r\n", okUser, 0},
	{"SCRAM: AUTH refused", "SCRAM-SHA-256", "", "pencil", "504 no\r\n", scAuth, z("authentication was rejected (AUTH SCRAM-SHA-256)", "504 no"), 111},
	{"SCRAM: 235 to client-first", "SCRAM-SHA-256", "", "pencil", "235 ok\r\n", scAuth, z("the server said 235 before authentication was complete (AUTH SCRAM-SHA-256)", "235 ok"), 111},
	{"SCRAM: 235 to client-final", "SCRAM-SHA-256", "", "pencil", "334 " + scSF + "\r\n235 ok\r\n", scAuth + scFinal + "\r\n", z("the server accepted SCRAM-SHA-256 without proving that it knows the password", "235 ok"), 111},
	{"SCRAM: wrong password", "SCRAM-SHA-256", "", "pencil", "334 " + scSF + "\r\n535 5.7.8 no\r\n", scAuth + scFinal + "\r\n", z("authentication was rejected (scram)", "535 5.7.8 no"), 111},
	{"SCRAM: 534 to client-final", "SCRAM-SHA-256", "", "pencil", "334 " + scSF + "\r\n534 weak\r\n", scAuth + scFinal + "\r\n", z("authentication mechanism too weak (scram)", "534 weak"), 111},
	{"SCRAM: wrong signature, nothing more sent", "SCRAM-SHA-256", "", "pencil", "334 " + scSF + "\r\n334 " + b64("v=AAAA") + "\r\n235 ok\r\n", scAuth + scFinal + "\r\n", z("the server's SCRAM-SHA-256 signature is wrong; it does not know the password", "334 "+b64("v=AAAA")), 111},
	{"SCRAM: e=", "SCRAM-SHA-256", "", "pencil", "334 " + scSF + "\r\n334 " + b64("e=invalid-proof") + "\r\n", scAuth + scFinal + "\r\n", z("authentication was rejected (scram: invalid-proof)", "334 "+b64("e=invalid-proof")), 111},
	{"SCRAM: server-final malformed", "SCRAM-SHA-256", "", "pencil", "334 " + scSF + "\r\n334 " + b64("x=1") + "\r\n", scAuth + scFinal + "\r\n", z("the SCRAM-SHA-256 server-final-message is malformed", "334 "+b64("x=1")), 111},
	{"SCRAM: server-final not base64", "SCRAM-SHA-256", "", "pencil", "334 " + scSF + "\r\n334 v=abc\r\n", scAuth + scFinal + "\r\n", z("unable to base64decode challenge", "334 v=abc"), 111},
	{"SCRAM: server-final empty", "SCRAM-SHA-256", "", "pencil", "334 " + scSF + "\r\n334 \r\n", scAuth + scFinal + "\r\n", z("the server sent an empty challenge (scram)", "334 "), 111},
	{"SCRAM: final 535", "SCRAM-SHA-256", "", "pencil", "334 " + scSF + "\r\n334 " + scSFin + "\r\n535 no\r\n", scAuth + scFinal + "\r\n\r\n", z("authentication was rejected (scram)", "535 no"), 111},
	{"SCRAM: final 334", "SCRAM-SHA-256", "", "pencil", "334 " + scSF + "\r\n334 " + scSFin + "\r\n334 \r\n", scAuth + scFinal + "\r\n\r\n", z("authentication went on past its last step (scram)", "334 "), 111},
	{"SCRAM: server-first empty", "SCRAM-SHA-256", "", "pencil", "334 \r\n", scAuth, z("the server sent an empty challenge (AUTH SCRAM-SHA-256)", "334 "), 111},
	{"SCRAM: server-first not base64", "SCRAM-SHA-256", "", "pencil", "334 r=x\r\n", scAuth, z("unable to base64decode challenge", "334 r=x"), 111},
	{"SCRAM: nonce not ours", "SCRAM-SHA-256", "", "pencil", "334 " + b64("r=XOprNGfwEbeRWgbNEkqOabc,s=QUFBQQ==,i=4096") + "\r\n", scAuth, z(errNonce.Error(), "334 "+b64("r=XOprNGfwEbeRWgbNEkqOabc,s=QUFBQQ==,i=4096")), 111},
	{"SCRAM: too few iterations (RFC 7677 4)", "SCRAM-SHA-256", "", "pencil", "334 " + b64("r="+rfcNonce+"abc,s=QUFBQQ==,i=4095") + "\r\n", scAuth, z(errIterLow.Error(), "334 "+b64("r="+rfcNonce+"abc,s=QUFBQQ==,i=4095")), 111},
	{"SCRAM: the server nonce adds nothing", "SCRAM-SHA-256", "", "pencil", "334 " + b64("r="+rfcNonce+",s=QUFBQQ==,i=4096") + "\r\n", scAuth, z(errNonceSame.Error(), "334 "+b64("r="+rfcNonce+",s=QUFBQQ==,i=4096")), 111},
	{"SCRAM: too many iterations", "SCRAM-SHA-256", "", "pencil", "334 " + b64("r="+rfcNonce+"abc,s=QUFBQQ==,i=1048577") + "\r\n", scAuth, z(errIter.Error(), "334 "+b64("r="+rfcNonce+"abc,s=QUFBQQ==,i=1048577")), 111},
	{"SCRAM: m= extension", "SCRAM-SHA-256", "", "pencil", "334 " + b64("m=x,r="+rfcNonce+"abc,s=QUFBQQ==,i=4096") + "\r\n", scAuth, z(errExtension.Error(), "334 "+b64("m=x,r="+rfcNonce+"abc,s=QUFBQQ==,i=4096")), 111},
	{"SCRAM: server-first malformed", "SCRAM-SHA-256", "", "pencil", "334 " + b64("r="+rfcNonce+"abc,i=4096") + "\r\n", scAuth, z(errFirst.Error(), "334 "+b64("r="+rfcNonce+"abc,i=4096")), 111},
	{"SCRAM: dies after client-final", "SCRAM-SHA-256", "", "pencil", "334 " + scSF + "\r\n", scAuth + scFinal + "\r\n", died, 111},
	{"SCRAM: dies after the signature", "SCRAM-SHA-256", "", "pencil", "334 " + scSF + "\r\n334 " + scSFin + "\r\n", scAuth + scFinal + "\r\n\r\n", died, 111},
}

func TestTranscripts(t *testing.T) {
	for _, tt := range transcripts {
		tt.run(t, false)
		if tt.name != "PLAIN: bytes after 235" { // one byte a read: nothing buffered
			tt.run(t, true)
		}
	}
}

// A long user name makes the AUTH line with the initial response longer
// than 512 bytes: it then answers the empty challenge (RFC 4954 4).
func TestSCRAMLongName(t *testing.T) {
	user := strings.Repeat("u", 400)
	first := b64("n,,n=" + user + ",r=" + rfcNonce)
	sf := "r=" + rfcNonce + "x,s=QUFBQQ==,i=4096"
	tt := transcript{"long name", "SCRAM-SHA-256", user, "p", "334 \r\n334 " + b64(sf) + "\r\n535 no\r\n", "", z("authentication was rejected (scram)", "535 no"), 111}
	final, _, _ := scramClientFinal("n="+user+",r="+rfcNonce, serverFirst{raw: sf, nonce: rfcNonce + "x", salt: []byte("AAAA"), iter: 4096}, "p")
	tt.client = "AUTH SCRAM-SHA-256\r\n" + first + "\r\n" + b64(final) + "\r\n"
	tt.run(t, false)
	// RFC 4954 4: 19 + 488 + 2 bytes still go in one line: user names up
	// to 338 bytes (with the 20-byte nonce) get an initial response.
	for n, want := range map[int]string{338: "AUTH SCRAM-SHA-256 ", 339: "AUTH SCRAM-SHA-256\r\n"} {
		var sent bytes.Buffer
		c := &client{r: bufio.NewReader(strings.NewReader("")), w: bufio.NewWriter(&sent), ip: ip, nonce: func() string { return rfcNonce }}
		c.auth("SCRAM-SHA-256", strings.Repeat("u", n), "p")
		line, _, _ := strings.Cut(sent.String(), "\n")
		if !strings.HasPrefix(sent.String(), want) || len(line)+1 > 512 {
			t.Errorf("user of %d bytes: sent %q", n, line)
		}
	}
}

// A write error is a dead connection, as a read error is.
func TestWriteError(t *testing.T) {
	c := &client{r: bufio.NewReader(strings.NewReader("334 \r\n")), w: bufio.NewWriter(failWriter{}), ip: ip}
	if out, exit := outcome(c.auth("PLAIN", "u", "p"), "u"); string(out) != died || exit != 111 {
		t.Errorf("%q %d", out, exit)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, bytes.ErrTooLarge }
