package main

// The bench's own QMTP sink (qmtp.txt): per message it reads the three
// netstrings (the message, discarded as it comes; the sender; the
// recipients' netstrings), answers one K netstring per recipient, and
// waits for the next message or the end of the connection.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

func serveQMTP(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go qmtpSession(c)
	}
}

func qmtpSession(c net.Conn) {
	defer c.Close()
	r := bufio.NewReaderSize(c, 256<<10)
	for {
		n, err := netHeader(r, 1<<40)
		if err != nil {
			return // io.EOF: the client is done
		}
		if _, err := io.CopyN(io.Discard, r, n); err != nil || netEnd(r) != nil {
			return
		}
		if _, err := netString(r, 1<<20); err != nil { // the sender
			return
		}
		list, err := netString(r, 1<<24)
		if err != nil {
			return
		}
		var reply []byte
		for len(list) > 0 { // one "<len>:<address>," per recipient
			colon := bytes.IndexByte(list, ':')
			m, err := strconv.Atoi(string(list[:max(colon, 0)]))
			if colon < 1 || err != nil || m < 0 || len(list) < colon+m+2 || list[colon+1+m] != ',' {
				return
			}
			list = list[colon+m+2:]
			reply = fmt.Appendf(reply, "%d:%s,", len(qmtpOK), qmtpOK)
		}
		if _, err := c.Write(reply); err != nil {
			return
		}
	}
}

const qmtpOK = "Kok: discarded"

var errNetstring = errors.New("malformed netstring")

// netHeader reads "<digits>:" and returns the length, at most max.
func netHeader(r *bufio.Reader, max int64) (int64, error) {
	s, err := r.ReadSlice(':')
	if err != nil {
		if err == io.EOF && len(s) == 0 {
			return 0, io.EOF
		}
		return 0, errNetstring
	}
	n, err := strconv.ParseInt(string(s[:len(s)-1]), 10, 64)
	if err != nil || n < 0 || n > max {
		return 0, errNetstring
	}
	return n, nil
}

func netEnd(r *bufio.Reader) error {
	if b, err := r.ReadByte(); err != nil || b != ',' {
		return errNetstring
	}
	return nil
}

// netString reads a whole netstring of at most max bytes.
func netString(r *bufio.Reader, max int64) ([]byte, error) {
	n, err := netHeader(r, max)
	if err != nil {
		return nil, err
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	return b, netEnd(r)
}

// memoryQMTP: the peak of one small QMTP delivery.
func (b *bench) memoryQMTP() {
	what := "peak memory of one small QMTP delivery, IP literal route"
	home := b.homeQMTP("mem-qmtp", b.goQMTP)
	if kb, parts, err := b.measure(home, "qmtp.test", b.small); err != nil {
		add(what, "failed", err.Error())
	} else {
		add(what, fmt.Sprintf("%.1f MiB", mb(kb)), "sum of VmHWM: "+parts+" MiB")
	}
}

// largeQMTP: the big message over QMTP against the raw copy into the
// TCP discard server, the same ceiling as SMTP's.
func (b *bench) largeQMTP() {
	size := float64(b.bigBytes) / 1e6
	what := fmt.Sprintf("one %.0f MB message, pipeline to the bench's QMTP sink", size)
	rate := func(d time.Duration) float64 { return size / d.Seconds() }
	home := b.homeQMTP("big-qmtp", b.goQMTP)
	self, _ := os.Executable()
	r, err := versus(
		func() error { return exec.Command(self, "-rawcopy", b.goDiscard, b.big).Run() },
		func() error { return b.deliver(home, "big.test", b.big) })
	if err != nil {
		add(what, "failed", err.Error())
		return
	}
	kb, parts, err := b.measure(home, "big.test", b.big)
	if err != nil {
		parts = err.Error()
	}
	add(what, fmt.Sprintf("%.0f MB/s", rate(r.pipe)),
		fmt.Sprintf("%s (%.0f MB/s in these turns); peak %.1f MiB (%s MiB); %.0f ms CPU; best of %d",
			r.ratios("TCP ceiling"), rate(r.ceil), mb(kb), parts, ms(r.pipeCPU), *bigRuns))
}

// rttQMTP: round trips of a QMTP delivery, and the rate over the link.
func (b *bench) rttQMTP() {
	home := b.homeQMTP("rtt-qmtp", b.goQMTP)
	os.WriteFile(filepath.Join(home, "control", "qmtproutes"), []byte(linkRoute+"\n"), 0o644)
	b.linkRows("QMTP", qmtpPeer(), home, *rttMany, "qmail-remote, qmtpclient")
}
