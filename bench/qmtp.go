//go:build linux

package main

// The bench's own QMTP sink (qmtp.txt): per message it reads the three
// netstrings (the message, discarded as it comes; the sender; the
// recipients' netstrings), answers one K netstring per recipient, and
// waits for the next message or the end of the connection.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"time"

	"qmail-remote-go/lib/netstring"
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
	buf := make([]byte, 256<<10) // the message is read into it (discard)
	for {
		n, err := netstring.ReadHeader(r, 1<<40)
		if err != nil {
			return // io.EOF: the client is done
		}
		if !discard(r, n, buf) || netstring.ReadEnd(r) != nil {
			return
		}
		if _, err := netstring.Read(r, 1<<20); err != nil { // the sender
			return
		}
		list, err := netstring.Read(r, 1<<24)
		if err != nil {
			return
		}
		var reply []byte
		lr := bufio.NewReader(bytes.NewReader(list))
		for { // one netstring per recipient
			if _, err := netstring.Read(lr, len(list)); err == io.EOF {
				break
			} else if err != nil {
				return
			}
			reply = netstring.Append(reply, []byte(qmtpOK))
		}
		if _, err := c.Write(reply); err != nil {
			return
		}
	}
}

const qmtpOK = "Kok: discarded"

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
	b.linkRows("QMTP", qmtpPeer(), b.homeQMTP("rtt-qmtp", linkServer), *rttMany, "qmail-remote, qmtpclient", "", 0)
}
