package main

import (
	"fmt"
	"io"
	"strconv"

	"qmail-remote-go/lib/smtp"
)

// A plan is how the envelope and the message go, from the EHLO keywords
// and one reading of the message.
type plan struct {
	params     string // MAIL FROM parameters, each after a space (SPEC D11)
	pipelining bool   // RFC 2920: MAIL, RCPTs and DATA in one write (D12)
	chunking   bool   // RFC 3030: BDAT instead of DATA (chunking.go)
}

// prepare reads the message once when a keyword needs to know it (SIZE,
// 8BITMIME, CHUNKING), then rewinds it. A message on a descriptor that
// cannot seek goes as s/qmail sends it: no parameters, DATA.
func (s *session) prepare() (plan, *ending) {
	_, pipelining := s.ext["PIPELINING"]
	_, chunking := s.ext["CHUNKING"]
	limit, size := s.ext["SIZE"]
	_, eightBit := s.ext["8BITMIME"]
	p := plan{pipelining: pipelining}
	if !size && !eightBit && !(pipelining && chunking) {
		return p, nil
	}
	var info smtp.Info
	var ok bool
	var err error
	if size || eightBit {
		info, ok, err = scan(s.msg)
	} else {
		info.Partial, ok, err = partial(s.msg)
	}
	if err != nil {
		return p, &ending{letter: 'Z', text: "Unable to read message. (#4.3.0)\n", quit: true}
	}
	if !ok {
		return p, nil
	}
	if size {
		// RFC 1870 4: a maximum of 0 (or none) means no fixed limit.
		if max, err := strconv.ParseInt(limit, 10, 64); err == nil && max > 0 && info.Size > max {
			return p, &ending{letter: 'D', quit: true,
				text: fmt.Sprintf("Sorry, the message is %d bytes but %s accepts at most %d. (#5.3.4)\n", info.Size, s.ip, max)}
		}
		p.params += " SIZE=" + strconv.FormatInt(info.Size, 10) // RFC 1870 6
	}
	if eightBit && info.EightBit {
		p.params += " BODY=8BITMIME" // RFC 6152 2
	}
	// A partial final line goes by DATA, which finds it before the dot:
	// a chunk, once sent, cannot be taken back.
	p.chunking = pipelining && chunking && !info.Partial
	return p, nil
}

// scan measures the message and rewinds it; ok is false when it cannot
// seek (a pipe: qmail-remote spools those to a file first, SPEC D18).
func scan(msg io.Reader) (info smtp.Info, ok bool, err error) {
	sk, isSeeker := msg.(io.Seeker)
	if !isSeeker {
		return info, false, nil
	}
	start, err := sk.Seek(0, io.SeekCurrent)
	if err != nil {
		return info, false, nil
	}
	if info, err = smtp.Scan(msg); err != nil {
		return info, false, err
	}
	_, err = sk.Seek(start, io.SeekStart)
	return info, err == nil, err
}

// partial tells whether the message ends in a partial line from its
// last byte alone, which is all CHUNKING needs to know when no SIZE or
// 8BITMIME asks for a whole reading: that reading cost a sixth of the
// CPU of a 100 MB delivery over STARTTLS (make bench). ok is false as
// for scan.
func partial(msg io.Reader) (part, ok bool, err error) {
	sk, isSeeker := msg.(io.Seeker)
	ra, isReaderAt := msg.(io.ReaderAt)
	if !isSeeker || !isReaderAt {
		return false, false, nil
	}
	start, err := sk.Seek(0, io.SeekCurrent)
	if err != nil {
		return false, false, nil
	}
	end, err := sk.Seek(0, io.SeekEnd)
	if _, serr := sk.Seek(start, io.SeekStart); err == nil {
		err = serr
	}
	if err != nil || end <= start {
		return false, err == nil, err
	}
	var last [1]byte
	if _, err := ra.ReadAt(last[:], end-1); err != nil {
		return false, false, err
	}
	return last[0] != '\n' && last[0] != '\r', true, nil
}

// pipelined sends MAIL, every RCPT and DATA in one write (RFC 2920; with
// CHUNKING and a small message, BDAT LAST and the message instead of
// DATA), reads the replies in order, and maps each one exactly as lock
// step does. Replies that lock step would never have asked for (RCPTs
// after a refused MAIL, DATA after no recipient) are read and dropped
// before anything else is written (RFC 2920 3.1).
func (s *session) pipelined(mail string, rcpts []string, p plan) ending {
	var k *smtp.Chunker
	var first []byte // the message converted for BDAT: all of it, or its first chunk
	whole := false
	if p.chunking {
		k = smtp.NewChunker(s.msg)
		defer k.Close() // every writer of its chunks has ended by then
		var err error
		// Next fails with ErrPartialLine (the message changed since
		// prepare) or a *ReadError, both unsendable.
		if first, whole, err = k.Next(oneWrite); err != nil {
			return *unsendable(err, true)
		}
	}
	refused := make([]string, len(rcpts)) // why a recipient is not sent, or ""
	var going []string                    // their RCPT lines
	for i, r := range rcpts {
		if refused[i] = s.refusal(r); refused[i] == "" {
			going = append(going, s.rcptLine(r))
		}
	}
	batch, n, ends := envelope(mail, going, p.chunking, first, whole)
	if s.cache.from != nil {
		// A session from the cache: RSET first, in the same write, and
		// its reply proves the session alive (reuse.go, proof).
		batch = append([]byte("RSET\r\n"), batch...)
		s.trace.Sent("RSET")
	}
	if s.trace != nil {
		s.traceBatch(mail, going, p.chunking, len(first), ends)
	}
	w := s.send(batch, whole && n > 0)
	if s.cache.from != nil {
		if e := s.proof(w); e != nil {
			return *e
		}
	}

	rep, e := s.pipeReply(w)
	if e != nil {
		return *e
	}
	if e := s.afterMail(rep); e != nil {
		return s.abandon(w, n+ends, p.chunking, false, *e)
	}
	accepted := 0
	for _, why := range refused {
		if why != "" {
			s.report('h', why)
			continue
		}
		if rep, e = s.pipeReply(w); e != nil {
			return *e
		}
		if s.afterRcpt(rep) {
			accepted++
		}
	}
	switch {
	case accepted == 0:
		return s.abandon(w, ends, p.chunking, false, *s.gaveUp())
	case s.outErr != nil:
		// Never send a message nobody will hear about (lock step stops
		// before DATA; a small BDAT has gone already).
		return s.abandon(w, ends, p.chunking, true, ending{quit: true})
	case ends == 0:
		if w.wait() != nil {
			return *s.dropped()
		}
		return s.chunks(k, first)
	}
	if rep, e = s.pipeReply(w); e != nil {
		return *e
	}
	if p.chunking {
		w.wait() // the server answered LAST: it has it all
		return s.verdict(rep)
	}
	if e := s.afterData(rep); e != nil {
		w.wait()
		return *e
	}
	if w.wait() != nil {
		return *s.dropped()
	}
	return s.body()
}

// traceBatch puts the lines of the batch in the transcript, the
// message of a BDAT LAST as a note.
func (s *session) traceBatch(mail string, rcpts []string, chunking bool, size, ends int) {
	s.traceSent(mail)
	for _, r := range rcpts {
		s.trace.Sent(r)
	}
	switch {
	case ends == 0:
	case !chunking:
		s.trace.Sent("DATA")
	default:
		s.trace.Sent(fmt.Sprintf("BDAT %d LAST", size))
		s.trace.Note("the message (not shown)")
	}
}

// envelope is the batch: MAIL, the RCPT lines rcpts (of the recipients
// that refusal let through), and when any RCPT goes (ends is 1) DATA, or BDAT
// LAST with the whole message; a large message goes in chunks once the
// envelope holds.
func envelope(mail string, rcpts []string, chunking bool, first []byte, whole bool) (batch []byte, n, ends int) {
	batch = []byte(mail + "\r\n")
	for _, r := range rcpts {
		batch = append(batch, r+"\r\n"...)
	}
	n = len(rcpts)
	switch {
	case n == 0:
	case !chunking:
		batch = append(batch, "DATA\r\n"...)
		ends = 1
	case whole:
		batch = fmt.Appendf(batch, "BDAT %d LAST\r\n", len(first))
		batch = append(batch, first...)
		ends = 1
	}
	return batch, n, ends
}

// A batch is written by a goroutine of its own while the replies are
// read: a long batch (10,000 RCPTs) never waits for the peer to take
// replies that nobody reads (RFC 2920 3.1: the deadlock).
type batch struct {
	done chan struct{}
	err  error
	last bool // the batch holds BDAT LAST: once written, a lost connection may be a duplicate
}

func (s *session) send(b []byte, last bool) *batch {
	w := &batch{done: make(chan struct{}), last: last}
	go func() {
		defer close(w.done)
		if _, w.err = s.w.Write(b); w.err == nil {
			w.err = s.w.Flush()
		}
	}()
	return w
}

// wait returns once the whole batch is written (or failed); nothing else
// is written before.
func (w *batch) wait() error {
	<-w.done
	return w.err
}

// pipeReply reads a reply that lock step would read too. On failure it
// waits for the writer, and says "Possible duplicate!" when the batch
// held the whole message.
func (s *session) pipeReply(w *batch) (smtp.Reply, *ending) {
	rep, err := s.readReply()
	if err != nil {
		if w.wait() == nil && w.last {
			s.committed = true
		}
		return rep, s.dropped()
	}
	s.text = rep.Text
	return rep, nil
}

// abandon reads the k replies still due once the outcome e is known, and
// closes a DATA that a 354 opened although lock step would not have sent
// DATA (RFC 2920 3.1): a lone dot, so that QUIT is not message data. But
// when recipients were accepted that dot would deliver an empty message:
// then neither dot nor QUIT, the closed connection drops the transaction.
func (s *session) abandon(w *batch, k int, chunking, accepted bool, e ending) ending {
	var rep smtp.Reply
	var err error
	for i := 0; i < k && err == nil; i++ {
		rep, err = s.readReply()
	}
	w.wait()
	if k > 0 && err == nil && !chunking && rep.Code == 354 {
		if accepted {
			e.quit = false
		} else {
			s.trace.Sent(".")
			s.w.WriteString(".\r\n") // flushed with QUIT
		}
	}
	return e
}
