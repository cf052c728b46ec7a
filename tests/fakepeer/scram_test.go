package main

import (
	"bufio"
	"encoding/base64"
	"io"
	"net"
	"strings"
	"testing"
)

// pipeEnd is one end of net.Pipe as a peer.
type pipeEnd struct{ net.Conn }

func (p pipeEnd) CloseWrite() error { return p.Conn.Close() }

// rfc7677 plays the client of RFC 7677's example against the scram
// command (salt and nonce fixed to the example's) and returns what the
// server sent, one reply a line, with the server-final-message decoded.
func rfc7677(t *testing.T, line string, proof string) []string {
	t.Helper()
	salt, _ := base64.StdEncoding.DecodeString("W22ZaJ0SNY7soEsUEjb6gQ==")
	scramSalt = func() []byte { return salt }
	scramNonce = func() string { return "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0" }
	c, err := parse(line)
	if err != nil {
		t.Fatal(err)
	}
	server, client := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- serve(pipeEnd{server}, []command{c}, io.Discard) }()
	in := bufio.NewReader(client)
	var got []string
	reply := func() string {
		l, err := in.ReadString('\n')
		if err != nil {
			return ""
		}
		l = strings.TrimSuffix(l, "\r\n")
		if b, ok := strings.CutPrefix(l, "334 "); ok {
			if d, err := base64.StdEncoding.DecodeString(b); err == nil && strings.HasPrefix(string(d), "v=") {
				l = "334 " + string(d)
			}
		}
		got = append(got, l)
		return l
	}
	send := func(s string) { client.Write([]byte(s + "\r\n")) }
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	send("AUTH SCRAM-SHA-256 " + b64("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"))
	first := reply()
	want := "334 " + b64("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
	if first != want {
		t.Fatalf("server-first-message %q, want %q", first, want)
	}
	send(b64("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=" + proof))
	if strings.HasPrefix(reply(), "334 ") {
		send("")
		reply()
	}
	client.Close()
	<-done
	return got
}

const rfcProof = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="

func TestScramRFC7677(t *testing.T) {
	got := strings.Join(rfc7677(t, "scram user pencil", rfcProof), "\n")
	if !strings.HasSuffix(got, "\n334 v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=\n235 2.7.0 Authentication successful") {
		t.Errorf("got %q", got)
	}
}

func TestScramWrongPassword(t *testing.T) {
	got := rfc7677(t, "scram user pencil2", rfcProof)
	if len(got) != 2 || !strings.HasPrefix(got[1], "535 ") {
		t.Errorf("got %q", got)
	}
}

func TestScramWrongUser(t *testing.T) {
	got := rfc7677(t, "scram other pencil", rfcProof)
	if len(got) != 2 || !strings.HasPrefix(got[1], "535 ") {
		t.Errorf("got %q", got)
	}
}

func TestScramBadSig(t *testing.T) {
	got := rfc7677(t, "scram user pencil badsig", rfcProof)
	if len(got) != 3 || !strings.HasPrefix(got[1], "334 v=") || got[1] == "334 v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=" {
		t.Errorf("got %q", got)
	}
}
