//go:build linux

// Fakescache is a session cache for the tests that behaves in one of a
// few ways qmail-scache never should, or as a minimal one, at the
// socket of lib/scache (SOCK_SEQPACKET, the records of lib/scache).
//
// Usage:
//
//	fakescache MODE SOCKET LOG
//
// It listens at SOCKET (a stale one is removed), prints "ready" on
// stdout, and logs one line per record to LOG: "G <key>", "P <key>
// <proto> <count> <fds>" (count: the state's). Modes:
//
//	none  answers N to every G; closes what a P hands it
//	hold  keeps what a P hands it, and gives it out on a G for its key,
//	      the last put first, each once; no idle close, no expiry
//	hang  reads records and never answers
//	die   kills itself with SIGKILL when a G comes
//	dead  binds the socket and exits at once, leaving it behind: a
//	      cache that died (a connection is refused)
//
// It runs until its stdin reaches end of file or it is killed.
package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"syscall"

	"qmail-remote-go/lib/scache"
)

type held struct {
	state []scache.Field
	files []*os.File
}

var (
	mu    sync.Mutex
	table = map[string][]held{}
	logf  *os.File
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: fakescache none|hold|hang|die SOCKET LOG")
		os.Exit(100)
	}
	mode, path := os.Args[1], os.Args[2]
	var err error
	if logf, err = os.OpenFile(os.Args[3], os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err != nil {
		fatal(err)
	}
	os.Remove(path)
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		fatal(err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: path}); err != nil {
		fatal(err)
	}
	if mode == "dead" {
		return
	}
	if err := syscall.Listen(fd, 64); err != nil {
		fatal(err)
	}
	fmt.Println("ready")
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Remove(path)
		os.Exit(0)
	}()
	for {
		c, _, err := syscall.Accept4(fd, syscall.SOCK_CLOEXEC)
		if err != nil {
			continue
		}
		go serve(mode, c)
	}
}

func say(s string) {
	mu.Lock()
	logf.WriteString(s + "\n")
	mu.Unlock()
}

func serve(mode string, c int) {
	defer syscall.Close(c)
	for {
		r, files, err := scache.Recv(c)
		if err != nil {
			return
		}
		switch r.Kind {
		case scache.KindGet:
			say("G " + r.Get("key"))
			switch mode {
			case "hang":
				continue
			case "die":
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
			case "hold":
				if h, ok := take(r.Get("key")); ok {
					b, _ := scache.Record{Kind: scache.KindSession, Fields: h.state}.Marshal()
					scache.Send(c, b, h.files)
					for _, f := range h.files {
						f.Close()
					}
					continue
				}
			}
			if mode != "hang" {
				scache.Send(c, []byte{scache.KindNone, '\n'}, nil)
			}
		case scache.KindPut:
			p, err := scache.ParsePut(r)
			count := ""
			for _, f := range p.State {
				if f.Name == "count" {
					count = f.Value
				}
			}
			say("P " + p.Key + " " + p.Proto + " " + count + " " + strconv.Itoa(len(files)))
			if err != nil || mode != "hold" || len(files) == 0 {
				for _, f := range files {
					f.Close()
				}
				continue
			}
			mu.Lock()
			table[p.Key] = append(table[p.Key], held{p.State, files})
			mu.Unlock()
		}
	}
}

func take(key string) (held, bool) {
	mu.Lock()
	defer mu.Unlock()
	hs := table[key]
	if len(hs) == 0 {
		return held{}, false
	}
	h := hs[len(hs)-1]
	table[key] = hs[:len(hs)-1]
	return h, true
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "fakescache: fatal:", err)
	os.Exit(111)
}
