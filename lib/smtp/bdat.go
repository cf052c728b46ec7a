package smtp

import (
	"bytes"
	"encoding/binary"
	"io"
)

// An Info is what one reading of the message tells before it is sent.
type Info struct {
	// Size counts the message as BDAT sends it and as RFC 1870 6
	// defines it for SIZE: line ends made CR LF as WriteBody makes them
	// (SPEC D25), no dot-stuffing, no terminator.
	Size     int64
	EightBit bool // a byte of 0x80 or more (RFC 6152: BODY=8BITMIME)
	Partial  bool // the message does not end in a line end (SPEC 5.8)
}

// Scan reads msg to its end and measures it. A failure to read is a
// *ReadError.
func Scan(msg io.Reader) (Info, error) {
	var info Info
	buf := make([]byte, BlockSize)
	var prev byte // the last byte of the previous block
	empty := true
	for {
		n, err := msg.Read(buf)
		if n > 0 {
			// SPEC D25: an LF or a CR alone gains a byte, a CR LF does not.
			b := buf[:n]
			grow := bytes.Count(b, []byte("\n"))
			if prev == '\r' && b[0] == '\n' {
				grow -= 2 // the CR counted as alone in the last block, and this LF
			}
			if cr := bytes.Count(b, []byte("\r")); cr > 0 { // rare: queue files have LF alone
				grow += cr - 2*bytes.Count(b, []byte("\r\n"))
			}
			info.Size += int64(n + grow)
			info.EightBit = info.EightBit || eightBit(b)
			prev, empty = b[n-1], false
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return info, &ReadError{err}
		}
	}
	info.Partial = !empty && prev != '\n' && prev != '\r'
	return info, nil
}

// eightBit tells whether b holds a byte >= 0x80, eight bytes at a time.
func eightBit(b []byte) bool {
	for ; len(b) >= 8; b = b[8:] {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return true
		}
	}
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// A Chunker cuts a message into BDAT chunks (RFC 3030): the bytes of
// WriteBody's conversion (SPEC D25) without dot-stuffing and without a
// terminator. It reads the message as it goes, so it holds one chunk and
// two blocks in memory, never the whole message.
type Chunker struct {
	r       io.Reader
	c       converter
	buf     []byte // one block read from r
	out     []byte // converted bytes; out[:taken] went out with the last chunk
	taken   int
	eof     bool
	release func() // gives out's memory back (chunkBuffer); nil: the GC does
}

// NewChunker returns a Chunker reading msg.
func NewChunker(msg io.Reader) *Chunker {
	return &Chunker{r: msg, c: converter{bol: true, plain: true}}
}

// Next returns the next chunk: max bytes when at least one more byte
// follows, else the rest of the message (possibly empty) and last. The
// chunk stays valid until the next call. A message that does not end in
// a line end gives ErrPartialLine instead of its last chunk, so a caller
// that never sent LAST has not sent the message; a failure to read
// gives a *ReadError.
func (k *Chunker) Next(max int) (chunk []byte, last bool, err error) {
	if need := max + 2*BlockSize + 1; cap(k.out) < need {
		// Room for a chunk and one converted block: no growing later.
		buf, release := chunkBuffer(need)
		k.out = append(buf, k.out[k.taken:]...)
		k.Close() // the buffer before, now copied
		k.release = release
	} else {
		k.out = append(k.out[:0], k.out[k.taken:]...)
	}
	k.taken = 0
	for len(k.out) <= max && !k.eof {
		if k.buf == nil {
			k.buf = make([]byte, BlockSize)
		}
		n, rerr := k.r.Read(k.buf)
		if n > 0 {
			k.out = k.c.convert(k.out, k.buf[:n])
		}
		if rerr == io.EOF {
			k.eof = true
		} else if rerr != nil {
			return nil, false, &ReadError{rerr}
		}
	}
	if len(k.out) > max {
		k.taken = max
		return k.out[:max], false, nil
	}
	if !k.c.bol {
		return nil, false, ErrPartialLine
	}
	k.taken = len(k.out)
	return k.out, true, nil
}

// Close gives the chunk buffer's memory back: no chunk it returned may
// be used after it. A Chunker not closed holds it until the process
// ends (smtpclient's one Chunker does no harm that way).
func (k *Chunker) Close() {
	if k.release != nil {
		k.release()
		k.release = nil
	}
}
