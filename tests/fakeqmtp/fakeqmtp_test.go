package main

import (
	"bufio"
	"io"
	"net"
	"os"
	"strings"
	"testing"
)

func TestReadPackage(t *testing.T) {
	for in, want := range map[string]string{
		"16:\nSubject: x\n\nhi\n,17:alice@example.org,19:15:bob@example.com,,": "message 15 dbea7407ed095ad13f26d7772e27828827d5cd8dc6fa1f92c17f5a89d7c5cd65\nsender alice@example.org\nrecipient bob@example.com\n",
		"1:\n,0:,10:3:a b,1:\\,,": "message 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nsender \nrecipient a\\x20b\nrecipient \\x5c\n",
		"1:\r,0:,3:0:,,":          "error",
		"0:,0:,3:0:,,":            "error",
		"1:\n,0:,0:,":             "error",
		"1:\n,0:,3:1:,,":          "error",
		"5:\nab":                  "error",
	} {
		env, err := readPackage(bufio.NewReader(strings.NewReader(in)))
		got := string(env)
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("readPackage(%q) = %q, %v; want %q", in, env, err, want)
		}
	}
}

func TestParse(t *testing.T) {
	for l, ok := range map[string]bool{
		"package": true, "package x": false, "reply Kok": true, "raw 3:K\\x41\\0,": true, "raw \\q": false,
		"readn 100": true, "readn -1": false, "truncate 10 /tmp/x": true, "truncate 10": false,
		"sleep 5": true, "close": true, "hang": true, "send x": false,
	} {
		if _, err := parse(l); (err == nil) != ok {
			t.Errorf("parse(%q): %v", l, err)
		}
	}
}

// TestListen: -l mode prints its port, reads a package over TCP, answers
// from the script and exits 0 after N connections.
func TestListen(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	defer func() { os.Stdout = stdout }()
	script := []command{{op: "package"}, {op: "reply", text: []byte("Kok")}}
	code := make(chan int)
	go func() { code <- listen("127.0.0.1:0", 1, script, outputs{io.Discard, io.Discard}) }()
	port, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", "127.0.0.1:"+strings.TrimSpace(port))
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "2:\nx,0:,5:2:@y,,")
	c.(*net.TCPConn).CloseWrite()
	got, _ := io.ReadAll(c)
	c.Close()
	if string(got) != "3:Kok," || <-code != 0 {
		t.Errorf("got %q", got)
	}
}
