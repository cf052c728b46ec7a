//go:build linux

// Scachetool plays both ends of qmail-scache's sessions for
// tests/scache.sh: an SMTP-like peer that numbers its connections and
// logs how each ended, and the clients that put sessions made to it into
// the cache and get them out again, with real descriptors.
//
// Usage:
//
//	scachetool peer LOG
//	scachetool put [-2] [-n N] [-expires S] [-proto P] KEY PORT
//	scachetool get [-back] [-hold] KEY
//	scachetool raw [-c PORT] [-exit] RECORD
//
// peer listens on 127.0.0.1:0, prints the port alone on the first line
// of stdout, and serves every connection at once: it greets with
// "220 N" (N counts connections from 1), answers "NOOP" with "250 N",
// and appends "N QUIT" to LOG when the client sends QUIT (then answers
// 221 and closes), "N EOF" when the client closes without it. A line
// "drop N" on its stdin makes it send "421 N" on connection N and
// half-close it, as a server that drops an idle client does; end of file
// on stdin ends it.
//
// put connects to the peer at 127.0.0.1:PORT N times (1), reads each
// greeting, prints each connection's number on a line, and hands each to
// the cache at $QMAILHOME/queue/lock/scache/socket (lib/scache.Put) under
// KEY with the state born now, count 1, to expire S seconds from now
// (300; 0 or less: already expired). It returns when the cache has
// stored them (a get on the same connection, answered after the puts).
// With -2 a session is the pipes to a relay of its own (scachetool
// relay, in a session of its own, as tlswrap is detached), which copies
// between them and the connection until its input reaches end of file,
// as tlswrap -q does.
//
// get asks the cache for a session under KEY and prints "none", or the
// connection's number (from the peer's answer to NOOP on the descriptors
// the cache handed over) and the state's count; then it closes the
// session, or with -back hands it back on the same connection with the
// count plus one, as smtpclient does on the SESSIONFD qmail-remote got
// its session on. With -hold it keeps its connection to the cache open
// until its stdin reaches end of file, as qmail-remote does for the
// whole of its delivery. An error prints "error: " and the reason, exit 111.
//
// raw connects to the cache's socket without checking who listens, sends
// RECORD (\n stands for a newline) in one message, with the descriptor
// of a connection to the peer at PORT when -c is given, and prints what
// came back within 2 seconds: "reply " and the record's kind, "eof", or
// "timeout". With -exit it exits at once after sending.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"qmail-remote-go/lib/scache"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "peer":
		peer(args)
	case "put":
		put(args)
	case "get":
		get(args)
	case "raw":
		raw(args)
	case "relay":
		relay()
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: scachetool peer LOG | put [-2] [-n N] [-expires S] [-proto P] KEY PORT | get [-back] [-hold] KEY | raw [-c PORT] [-exit] RECORD")
	os.Exit(100)
}

func fatal(a ...any) {
	fmt.Println("error: " + fmt.Sprint(a...))
	os.Exit(111)
}

// peer is the numbered SMTP-like server.
func peer(args []string) {
	if len(args) != 1 {
		usage()
	}
	logf, err := os.OpenFile(args[0], os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fatal(err)
	}
	fmt.Println(l.Addr().(*net.TCPAddr).Port)
	var mu sync.Mutex
	conns := map[int]*net.TCPConn{}
	logLine := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		logf.WriteString(s + "\n")
	}
	go func() {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			var n int
			if _, err := fmt.Sscanf(sc.Text(), "drop %d", &n); err != nil {
				continue
			}
			mu.Lock()
			c := conns[n]
			mu.Unlock()
			if c != nil {
				fmt.Fprintf(c, "421 %d closing\r\n", n)
				c.CloseWrite()
			}
		}
		os.Exit(0)
	}()
	for n := 1; ; n++ {
		c, err := l.Accept()
		if err != nil {
			fatal(err)
		}
		mu.Lock()
		conns[n] = c.(*net.TCPConn)
		mu.Unlock()
		go func(n int, c net.Conn) {
			defer c.Close()
			fmt.Fprintf(c, "220 %d\r\n", n)
			r := bufio.NewReader(c)
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					logLine(fmt.Sprintf("%d EOF", n))
					return
				}
				switch strings.TrimRight(line, "\r\n") {
				case "NOOP":
					fmt.Fprintf(c, "250 %d\r\n", n)
				case "QUIT":
					logLine(fmt.Sprintf("%d QUIT", n))
					fmt.Fprintf(c, "221 %d\r\n", n)
					return
				default:
					fmt.Fprintf(c, "500 %d\r\n", n)
				}
			}
		}(n, c)
	}
}

// dialPeer connects to the peer and returns the connection's socket as
// a file, and its number from the greeting.
func dialPeer(port string) (*os.File, int) {
	c, err := net.Dial("tcp", "127.0.0.1:"+port)
	if err != nil {
		fatal(err)
	}
	line, err := bufio.NewReader(c).ReadString('\n') // the peer sends nothing more unasked
	var n int
	if _, err2 := fmt.Sscanf(line, "220 %d", &n); err != nil || err2 != nil {
		fatal("greeting ", strconv.Quote(line), err)
	}
	f, err := c.(*net.TCPConn).File()
	if err != nil {
		fatal(err)
	}
	c.Close()
	return f, n
}

func put(args []string) {
	fs := flag.NewFlagSet("put", flag.ExitOnError)
	two := fs.Bool("2", false, "through a relay's pipes")
	n := fs.Int("n", 1, "sessions")
	expires := fs.Int64("expires", 300, "seconds from now")
	proto := fs.String("proto", scache.ProtoSMTP, "protocol")
	fs.Parse(args)
	if fs.NArg() != 2 {
		usage()
	}
	c, err := scache.Dial(scache.Path())
	if err != nil {
		fatal(err)
	}
	now := time.Now().Unix()
	for range *n {
		sock, num := dialPeer(fs.Arg(1))
		files := []*os.File{sock}
		if *two {
			files = startRelay(sock)
		}
		st := scache.State{Born: now, Count: 1, Ext: map[string]string{"PIPELINING": ""}}
		if err := c.Put(fs.Arg(0), *proto, now+*expires, st, files...); err != nil {
			fatal(err)
		}
		for _, f := range files {
			f.Close()
		}
		fmt.Println(num)
	}
	// A put has no answer; a get on the same connection has, and the
	// cache acts on one connection's records in order: once it is
	// answered, the sessions are in the table.
	if _, err := c.Get("sync"); err != nil {
		fatal(err)
	}
}

// startRelay starts scachetool relay on sock, detached, and returns the
// read end of its output and the write end of its input.
func startRelay(sock *os.File) []*os.File {
	inR, inW, err := os.Pipe()
	if err != nil {
		fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		fatal(err)
	}
	cmd := exec.Command("/proc/self/exe", "relay")
	cmd.Stdin, cmd.Stdout, cmd.ExtraFiles = inR, outW, []*os.File{sock}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		fatal(err)
	}
	inR.Close()
	outW.Close()
	sock.Close()
	return []*os.File{outR, inW}
}

// relay copies stdin to the socket on fd 3 and the socket to stdout,
// and ends when stdin ends (closing the socket) or the socket ends
// (closing stdout).
func relay() {
	sock := os.NewFile(3, "socket")
	go func() {
		io.Copy(os.Stdout, sock)
		os.Stdout.Close()
	}()
	io.Copy(sock, os.Stdin)
	os.Exit(0)
}

func get(args []string) {
	fs := flag.NewFlagSet("get", flag.ExitOnError)
	back := fs.Bool("back", false, "hand it back")
	hold := fs.Bool("hold", false, "keep the connection till stdin ends")
	fs.Parse(args)
	if fs.NArg() != 1 {
		usage()
	}
	c, err := scache.Dial(scache.Path())
	if err != nil {
		fatal(err)
	}
	s, err := c.Get(fs.Arg(0))
	if err != nil {
		fatal(err)
	}
	if s == nil {
		fmt.Println("none")
		if *hold {
			io.Copy(io.Discard, os.Stdin)
		}
		return
	}
	if _, err := s.Write().Write([]byte("NOOP\r\n")); err != nil {
		fatal(err)
	}
	s.Read().SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(s.Read()).ReadString('\n')
	var n int
	if _, err2 := fmt.Sscanf(line, "250 %d", &n); err != nil || err2 != nil {
		fatal("NOOP: ", strconv.Quote(line), err)
	}
	fmt.Println(n, "count", s.State.Count)
	if *back {
		st := s.State
		st.Count++
		if err := c.Put(fs.Arg(0), scache.ProtoSMTP, time.Now().Unix()+300, st, s.Files...); err != nil {
			fatal(err)
		}
	}
	s.Close()
	if *hold {
		io.Copy(io.Discard, os.Stdin)
	}
}

func raw(args []string) {
	fs := flag.NewFlagSet("raw", flag.ExitOnError)
	port := fs.String("c", "", "a connection to the peer with it")
	exit := fs.Bool("exit", false, "exit after sending")
	fs.Parse(args)
	if fs.NArg() != 1 {
		usage()
	}
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		fatal(err)
	}
	if err := syscall.Connect(fd, &syscall.SockaddrUnix{Name: scache.Path()}); err != nil {
		fatal(err)
	}
	var files []*os.File
	if *port != "" {
		f, num := dialPeer(*port)
		files = append(files, f)
		fmt.Println(num)
	}
	err = scache.Send(fd, []byte(strings.ReplaceAll(fs.Arg(0), `\n`, "\n")), files)
	if err == syscall.EPIPE || err == syscall.ECONNRESET {
		fmt.Println("eof") // refused before the record went
		return
	}
	if err != nil {
		fatal(err)
	}
	for _, f := range files {
		f.Close()
	}
	if *exit {
		os.Exit(0)
	}
	tv := syscall.NsecToTimeval(int64(2 * time.Second))
	syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv)
	buf := make([]byte, scache.MaxRecord+1)
	oob := make([]byte, syscall.CmsgSpace(4*4))
	n, oobn, _, _, err := syscall.Recvmsg(fd, buf, oob, syscall.MSG_CMSG_CLOEXEC)
	got, _ := scache.ParseFDs(oob[:oobn])
	scache.CloseFDs(got)
	switch {
	case err == syscall.EAGAIN:
		fmt.Println("timeout")
	case n == 0 || err == syscall.ECONNRESET:
		fmt.Println("eof")
	case err != nil:
		fatal(err)
	default:
		fmt.Printf("reply %c\n", buf[0])
	}
}
