//go:build linux

package main

// A slow link between two network namespaces that the bench makes and
// removes itself. This machine's kernel has no sch_netem (tc ... netem
// fails), so the delay is made in user space: each namespace gets a TUN
// device, and this process moves every IP packet from one device to the
// other after holding it for the one-way delay. Every packet is delayed,
// the TCP handshake included, in order, with no loss and no rate limit:
// what netem's "delay 25ms" on both ends would do.

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// The link's addresses live only inside the bench's own namespaces
// (198.18.0.0/15 is the benchmarking range, RFC 2544).
const (
	nsClient   = "qrbench-client"
	nsServer   = "qrbench-server"
	addrClient = "198.18.0.1"
	addrServer = "198.18.0.2"
)

type link struct {
	files []*os.File
	delay time.Duration
}

// tun opens a TUN device (IP packets, no extra header) named name.
func tun(name string) (*os.File, error) {
	fd, err := syscall.Open("/dev/net/tun", syscall.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	var req struct {
		name  [16]byte
		flags uint16
		_     [22]byte
	}
	copy(req.name[:], name)
	const iffTun, iffNoPI, tunSetIff = 0x0001, 0x1000, 0x400454ca
	req.flags = iffTun | iffNoPI
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), tunSetIff, uintptr(unsafe.Pointer(&req))); e != 0 {
		syscall.Close(fd)
		return nil, fmt.Errorf("TUNSETIFF %s: %v", name, e)
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), name), nil
}

func ip(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// removeNamespaces deletes the bench's namespaces (and with them the
// devices in them), whether or not they exist.
func removeNamespaces() {
	exec.Command("ip", "netns", "del", nsClient).Run()
	exec.Command("ip", "netns", "del", nsServer).Run()
}

// newLink makes both namespaces with a TUN device each, addressed
// 198.18.0.1 (client) and 198.18.0.2 (server), and starts moving packets
// between them after delay each way.
func newLink(delay time.Duration) (*link, error) {
	removeNamespaces()
	l := &link{delay: delay}
	fail := func(err error) (*link, error) { l.close(); return nil, err }
	for _, ns := range []string{nsClient, nsServer} {
		if err := ip("netns", "add", ns); err != nil {
			return fail(err)
		}
		if err := ip("-n", ns, "link", "set", "lo", "up"); err != nil {
			return fail(err)
		}
	}
	ends := []struct{ dev, ns, addr string }{
		{"qrbench0", nsClient, addrClient},
		{"qrbench1", nsServer, addrServer},
	}
	for _, e := range ends {
		f, err := tun(e.dev)
		if err != nil {
			return fail(err)
		}
		l.files = append(l.files, f)
		for _, args := range [][]string{
			{"link", "set", e.dev, "netns", e.ns},
			{"-n", e.ns, "addr", "add", e.addr + "/30", "dev", e.dev},
			{"-n", e.ns, "link", "set", e.dev, "up"},
		} {
			if err := ip(args...); err != nil {
				return fail(err)
			}
		}
	}
	go l.pump(l.files[0], l.files[1])
	go l.pump(l.files[1], l.files[0])
	return l, nil
}

// pump reads packets from src and writes each to dst delay after it
// was read, in order.
func (l *link) pump(src, dst *os.File) {
	type packet struct {
		at time.Time
		b  []byte
	}
	q := make(chan packet, 65536)
	go func() {
		for p := range q {
			if d := time.Until(p.at); d > 0 {
				time.Sleep(d)
			}
			dst.Write(p.b)
		}
	}()
	buf := make([]byte, 65536)
	for {
		n, err := src.Read(buf)
		if err != nil {
			close(q)
			return
		}
		q <- packet{time.Now().Add(l.delay), append([]byte(nil), buf[:n]...)}
	}
}

func (l *link) close() {
	for _, f := range l.files {
		f.Close()
	}
	removeNamespaces()
}
