// Smtpsink is an SMTP server for the session cache's tests: it takes
// any number of connections at once and any number of transactions on
// each, and says what each connection saw, so that a test can count
// connections and prove that no session ever served two deliveries at
// once.
//
// Usage:
//
//	smtpsink ADDR LOG
//
// It listens on ADDR (127.0.0.1:0 picks a free port), prints the port
// alone on the first line of stdout, and serves until its stdin reaches
// end of file. Each connection gets a number, from 1; LOG gets one line
// per event: "N open IP" (the client's address), "N ehlo NAME", "N auth
// USER" (AUTH PLAIN), "N mail" (and " AUTH=..." when MAIL has that
// parameter), "N rset", "N data" (a message taken),
// "N quit", "N eof", and "N VIOLATION why" when a connection sees MAIL
// while a transaction is open on it (a second delivery on a session
// before the first one's end). It offers 8BITMIME and AUTH PLAIN, no
// PIPELINING and no STARTTLS, and accepts every command.
package main

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
)

var (
	mu  sync.Mutex
	log *os.File
	n   int
)

func say(id int, s string) {
	mu.Lock()
	defer mu.Unlock()
	fmt.Fprintf(log, "%d %s\n", id, s)
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: smtpsink ADDR LOG")
		os.Exit(100)
	}
	var err error
	if log, err = os.OpenFile(os.Args[2], os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err != nil {
		fatal(err)
	}
	l, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		fatal(err)
	}
	fmt.Println(l.Addr().(*net.TCPAddr).Port)
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	for {
		c, err := l.Accept()
		if err != nil {
			continue
		}
		mu.Lock()
		n++
		id := n
		mu.Unlock()
		go serve(id, c)
	}
}

func serve(id int, c net.Conn) {
	defer c.Close()
	host, _, _ := net.SplitHostPort(c.RemoteAddr().String())
	say(id, "open "+host)
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	reply := func(s string) { w.WriteString(s + "\r\n"); w.Flush() }
	reply("220 sink.test ESMTP")
	inTx := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			say(id, "eof")
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			say(id, "ehlo "+arg)
			reply("250-sink.test\r\n250-8BITMIME\r\n250 AUTH PLAIN")
		case "HELO":
			say(id, "helo "+arg)
			reply("250 sink.test")
		case "AUTH":
			user := "?"
			f := strings.Fields(arg)
			if len(f) == 1 { // no initial response: ask for it
				reply("334 ")
				l, err := r.ReadString('\n')
				if err != nil {
					say(id, "eof")
					return
				}
				f = append(f, strings.TrimRight(l, "\r\n"))
			}
			if len(f) == 2 {
				if b, err := base64.StdEncoding.DecodeString(f[1]); err == nil {
					if p := strings.Split(string(b), "\x00"); len(p) == 3 {
						user = p[1]
					}
				}
			}
			say(id, "auth "+user)
			reply("235 ok")
		case "MAIL":
			if inTx {
				say(id, "VIOLATION a second MAIL before the end of the transaction")
			}
			inTx = true
			// MAIL's AUTH= parameter (RFC 4954 5), when it has one.
			auth := ""
			for _, f := range strings.Fields(arg) {
				if strings.HasPrefix(strings.ToUpper(f), "AUTH=") {
					auth = " " + f
				}
			}
			say(id, "mail"+auth)
			reply("250 ok")
		case "RCPT":
			reply("250 ok")
		case "DATA":
			reply("354 go")
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					say(id, "eof")
					return
				}
				if l == ".\r\n" || l == ".\n" {
					break
				}
			}
			inTx = false
			say(id, "data")
			reply(fmt.Sprintf("250 ok %d", id))
		case "RSET":
			inTx = false
			say(id, "rset")
			reply("250 reset")
		case "NOOP":
			reply("250 ok")
		case "QUIT":
			say(id, "quit")
			reply("221 bye")
			return
		default:
			reply("502 unknown")
		}
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "smtpsink: fatal:", err)
	os.Exit(111)
}
