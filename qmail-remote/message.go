package main

import (
	"errors"
	"io"
	"os"
	"strings"
)

// message is the message on fd 0, rewound before every attempt so that
// each one sends the same bytes (SPEC D18).
type message struct {
	f     *os.File
	start int64 // offset of the first byte
	size  int64
}

// openMessage returns fd 0 itself when it can seek, else an unlinked
// temporary copy of it.
func openMessage(f *os.File) (message, *final) {
	if start, err := f.Seek(0, io.SeekCurrent); err == nil {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			return message{f, start, st.Size() - start}, nil
		}
	}
	return spool(f)
}

func spool(in *os.File) (message, *final) {
	tmp, err := os.CreateTemp("", "qmail-remote.")
	if err != nil {
		return message{}, spoolFailed(err)
	}
	os.Remove(tmp.Name()) // unlinked: nothing is left behind whatever happens
	buf := make([]byte, 64*1024)
	var size int64
	for {
		n, rerr := in.Read(buf)
		if n > 0 {
			if _, err := tmp.Write(buf[:n]); err != nil {
				tmp.Close()
				return message{}, spoolFailed(err)
			}
			size += int64(n)
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			tmp.Close()
			return message{}, unreadableMessage()
		}
	}
	return message{tmp, 0, size}, nil
}

// rewind puts the message back at its first byte.
func (m message) rewind() error {
	_, err := m.f.Seek(m.start, io.SeekStart)
	return err
}

// maxHeaderScan bounds how much of the message tlsRequiredNo reads.
const maxHeaderScan = 64 * 1024

// tlsRequiredNo tells whether the message's header holds the field
// "TLS-Required: No" (RFC 8689 5, SPEC D32): its sender asks that DANE
// and MTA-STS not stop its delivery. Only the header is read, at most
// maxHeaderScan bytes of it; names and the value ignore ASCII case, and
// a folded value is unfolded. Every attempt rewinds the message anyway.
func (m message) tlsRequiredNo() bool {
	buf := make([]byte, min(m.size, maxHeaderScan))
	n, _ := m.f.ReadAt(buf, m.start)
	head := string(buf[:n])
	if i := strings.Index(head, "\n\n"); i >= 0 {
		head = head[:i+1]
	} else if i := strings.Index(head, "\r\n\r\n"); i >= 0 {
		head = head[:i+2]
	}
	lines := strings.Split(head, "\n")
	for i, l := range lines {
		name, value, ok := strings.Cut(l, ":")
		if !ok || !strings.EqualFold(strings.TrimRight(name, " \t"), "TLS-Required") {
			continue
		}
		for _, more := range lines[i+1:] { // RFC 5322 2.2.3: folding
			if more == "" || (more[0] != ' ' && more[0] != '\t') {
				break
			}
			value += " " + more
		}
		if strings.EqualFold(strings.Trim(value, " \t\r"), "no") {
			return true
		}
	}
	return false
}
