package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"qmail-remote-go/lib/addr"
	"qmail-remote-go/lib/netstring"
	"qmail-remote-go/lib/report"
	"qmail-remote-go/lib/smtp"
	"qmail-remote-go/lib/trace"
)

const (
	// maxReply bounds the length a reply netstring may announce. SC2.7
	// allows 200000000 (SPEC 6); a reply is a line for a person, so we
	// take SMTP's bound of one reply instead.
	maxReply = smtp.MaxReply
	// maxText is the capture limit of SPEC 5.1 and D26, as SMTP's.
	maxText = smtp.MaxText
)

// A session is one QMTP package and its responses (qmtp.txt 4 and 5).
// It touches no descriptor itself, so the tests drive it with strings.
type session struct {
	r    *bufio.Reader // from the peer
	w    *bufio.Writer // to the peer
	msg  io.Reader     // the message, LF line ends
	size int64         // its length in bytes: the netstring announces it first
	out  io.Writer     // reports
	ip   string        // printed in the reports

	outErr error    // the first failure to write a report
	trace  *trace.T // the transcript (TRACEFD); nil when off
}

// An ending is the message report.
type ending struct {
	letter byte
	text   string
}

// run holds the whole exchange and returns the exit code and a
// diagnostic line for fd 2 ("" for none).
func (s *session) run(sender string, rcpts []string) (int, string) {
	e := s.deliver(sender, rcpts)
	s.report(e.letter, e.text)
	if s.outErr != nil {
		return 111, "unable to write reports: " + s.outErr.Error()
	}
	return 0, ""
}

func (s *session) deliver(sender string, rcpts []string) ending {
	if e := s.request(sender, rcpts); e != nil {
		return *e
	}
	return s.responses(len(rcpts))
}

// request sends the package in one buffered flow (qmtp.txt 4): the
// message netstring, whose first byte "\n" says the lines end in LF and
// whose other bytes are the message unchanged (SPEC 6, D25: no line end
// conversion, no dot-stuffing); the sender netstring; a netstring of the
// recipient netstrings. Addresses are mangled as for SMTP (SPEC 6).
func (s *session) request(sender string, rcpts []string) *ending {
	s.w.Write(append(netstring.AppendHeader(nil, s.size+1), '\n'))
	// The message streams through the writer's buffer: memory stays flat
	// whatever its size.
	m := &msgReader{r: s.msg}
	n, err := io.Copy(s.w, io.LimitReader(m, s.size))
	switch {
	case m.err != nil || (err == nil && n < s.size):
		// SPEC 1.4, A20: the file is shorter than fstat said, or
		// unreadable. No ',' goes out, so the peer drops the package
		// (qmtp.txt 2).
		return &ending{'Z', "Unable to read message. (#4.3.0)\n"}
	case err != nil:
		d := s.dropped()
		return &d
	}
	s.w.WriteByte(',')
	from := netstring.Append(nil, []byte(addr.Mangle(sender)))
	s.w.Write(from)
	var list []byte
	var ends []int // where each recipient's netstring ends, for the transcript
	for _, r := range rcpts {
		list = netstring.Append(list, []byte(addr.Mangle(r)))
		if s.trace != nil {
			ends = append(ends, len(list))
		}
	}
	s.w.Write(netstring.Append(nil, list))
	s.traceRequest(from, list, ends)
	if s.w.Flush() != nil {
		d := s.dropped()
		return &d
	}
	return nil
}

// traceRequest puts the package in the transcript as it went out, the
// message described, not shown: the message's netstring with its
// length, the sender's netstring, then the recipients' netstring: its
// length, each recipient's netstring on a line of its own, its comma.
func (s *session) traceRequest(from, list []byte, ends []int) {
	if s.trace == nil {
		return
	}
	s.trace.Sent(strconv.FormatInt(s.size+1, 10) + ":<LF and the message, " + strconv.FormatInt(s.size, 10) + " bytes, not shown>,")
	s.trace.Sent(string(from))
	s.trace.Sent(strconv.Itoa(len(list)) + ":<the recipients' netstrings, " + strconv.Itoa(len(ends)) + ">")
	start := 0
	for _, end := range ends {
		s.trace.Sent(string(list[start:end]))
		start = end
	}
	s.trace.Sent(",")
}

// msgReader remembers a read error of the message, to tell it from a
// write error on the peer.
type msgReader struct {
	r   io.Reader
	err error
}

func (m *msgReader) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	if err != nil && err != io.EOF {
		m.err = err
	}
	return n, err
}

// responses reads one response per recipient, in order (qmtp.txt 2),
// and prints each recipient's report as it comes. K only when every
// response was read and was K.
func (s *session) responses(n int) ending {
	allK := true
	for range n {
		letter, text, err := s.response()
		switch {
		case errors.Is(err, netstring.ErrMalformed):
			s.trace.Note("malformed response: " + err.Error())
			return s.improper()
		case err != nil:
			s.trace.Note("no response: " + err.Error())
			return s.dropped()
		}
		// SPEC 1.7.6: K -> r, Z -> s, D -> h, the text after "qmtp: ".
		s.report(map[byte]byte{'K': 'r', 'Z': 's', 'D': 'h'}[letter], "qmtp: "+text+"\n")
		allK = allK && letter == 'K'
	}
	// More responses than recipients: only bytes that came with the
	// last one are seen. Waiting for more, or for EOF, would wait for
	// the timeout: a QMTP server keeps the connection open for another
	// package (qmtp.txt 2).
	if s.r.Buffered() > 0 {
		s.trace.Note("more than " + strconv.Itoa(n) + " response(s): " + strconv.Itoa(s.r.Buffered()) + " bytes more")
		return s.improper()
	}
	if allK {
		return ending{'K', "All received okay by " + s.ip + "\n"}
	}
	return ending{'D', "Giving up on " + s.ip + "\n"}
}

// response reads one response netstring (qmtp.txt 5): its first byte is
// K, Z or D, the rest is text for a person, cleaned as SPEC 6 says.
func (s *session) response() (letter byte, text string, err error) {
	n, err := netstring.ReadHeader(s.r, maxReply)
	if err != nil {
		return 0, "", noEOF(err)
	}
	if n == 0 {
		return 0, "", errEmpty
	}
	if letter, err = s.r.ReadByte(); err != nil {
		return 0, "", noEOF(err)
	}
	if letter != 'K' && letter != 'Z' && letter != 'D' {
		return 0, "", errLetter
	}
	t, err := s.text(n - 1)
	if err != nil {
		return 0, "", err
	}
	if err := netstring.ReadEnd(s.r); err != nil {
		return 0, "", err
	}
	// As it came, but cleaned and cut as the report's text is.
	s.trace.Got([]byte(strconv.FormatInt(n, 10) + ":" + string(letter) + string(t) + ","))
	return letter, string(t), nil
}

var (
	errEmpty  = fmt.Errorf("%w: empty QMTP response", netstring.ErrMalformed)
	errLetter = fmt.Errorf("%w: QMTP response not K, Z or D", netstring.ErrMalformed)
)

// text reads n bytes of response text and keeps the first maxText of
// them with CR removed and every other byte outside 32..126 made '?'
// (SPEC 6): one line, no NUL, whatever the peer sent.
func (s *session) text(n int64) ([]byte, error) {
	var t []byte
	for n > 0 {
		b, err := s.r.Peek(int(min(n, int64(s.r.Size()))))
		for _, c := range b {
			switch {
			case len(t) >= maxText, c == '\r':
			case c < 32 || c > 126:
				t = append(t, '?')
			default:
				t = append(t, c)
			}
		}
		s.r.Discard(len(b))
		n -= int64(len(b))
		if err != nil {
			return nil, noEOF(err)
		}
	}
	return t, nil
}

// noEOF: inside the responses, EOF means the connection died early.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// improper is SPEC 1.7.6's report for a malformed response.
func (s *session) improper() ending {
	return ending{'Z', "recipient did not talk proper QMTP (#4.3.0)\n"}
}

// dropped is SPEC 1.6's dropped(), a dead connection or a timeout: for
// QMTP never with "Possible duplicate!" (SPEC 1.7.6).
func (s *session) dropped() ending {
	return ending{'Z', "Connected to " + s.ip + " but connection died. (#4.4.2)\n"}
}

func (s *session) report(letter byte, text string) {
	if s.trace != nil {
		s.trace.Note("report " + string(letter) + strings.ReplaceAll(strings.TrimSuffix(text, "\n"), "\n", " / "))
	}
	if s.outErr == nil {
		s.outErr = report.Write(s.out, letter, text)
	}
}
