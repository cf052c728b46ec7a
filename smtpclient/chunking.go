package main

import (
	"fmt"
	"sync/atomic"

	"qmail-remote-go/lib/smtp"
)

const (
	// oneWrite: a message whose BDAT form (SPEC D25 line ends, no
	// dot-stuffing) is at most this long goes as one BDAT LAST in the
	// envelope's write, so MAIL, the RCPTs and the message cost one round
	// trip. It is also the first chunk of a larger message.
	oneWrite = 64 << 10
	// chunkSize is the size of every further chunk of a larger message.
	chunkSize = 1 << 20
)

// chunks sends a large message once the envelope holds: first, then the
// rest of k, chunk after chunk from a goroutine, while it reads each
// chunk's reply (RFC 3030 4.2, pipelined). A reply other than 2xx to a
// chunk before LAST stops the transfer: no more chunks, and the replies
// of those already sent are read before QUIT. The reply to LAST is the
// verdict, as the reply to the final dot.
func (s *session) chunks(k *smtp.Chunker, first []byte) ending {
	sent := make(chan bool, 4) // one per chunk written: true for LAST
	done := make(chan struct{})
	var stop atomic.Bool
	var werr error   // why the writer ended before LAST
	var lastOut bool // LAST is written
	go func() {
		defer close(done)
		defer close(sent)
		chunk, last := first, false
		for {
			word := ""
			if last {
				word = " LAST"
			}
			s.trace.Sent(fmt.Sprintf("BDAT %d%s", len(chunk), word))
			fmt.Fprintf(s.w, "BDAT %d%s\r\n", len(chunk), word)
			s.w.Write(chunk)
			if werr = s.w.Flush(); werr != nil {
				return
			}
			lastOut = last
			sent <- last
			if last || stop.Load() {
				return
			}
			if chunk, last, werr = k.Next(chunkSize); werr != nil {
				return
			}
		}
	}()
	// finish stops the writer, reads the replies still due (when read),
	// and waits for it.
	finish := func(read bool) {
		stop.Store(true)
		for range sent {
			if read {
				_, err := s.readReply()
				read = err == nil
			}
		}
		<-done
	}
	for last := range sent {
		rep, err := s.readReply()
		if err != nil {
			finish(false)
			s.committed = lastOut
			return *s.dropped()
		}
		s.text = rep.Text
		if last {
			<-done
			return s.verdict(rep)
		}
		if class(rep.Code) != 2 {
			letter := byte('Z')
			if class(rep.Code) == 5 {
				letter = 'D'
			}
			e := s.quit(letter, "", " failed on BDAT command")
			finish(true)
			return *e
		}
	}
	<-done
	// A partial line here: the message changed since prepare.
	if e := unsendable(werr, true); e != nil {
		return *e
	}
	return *s.dropped()
}
