package main

import (
	"net"
	"sync"
)

// A batcher sits between crypto/tls and the network. crypto/tls writes
// each record (16 KiB at most) with a write of its own; while the relay
// hands it a large block (batch), the records are gathered and go out in
// one write, which halves tlswrap's system time on a large message. At
// any other time (the handshake, close_notify, an answer the read side
// sends) every write goes straight through. The lock keeps the records
// in their order on the wire.
type batcher struct {
	net.Conn
	mu  sync.Mutex
	on  bool
	buf []byte
}

func (b *batcher) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.on {
		b.buf = append(b.buf, p...)
		return len(p), nil
	}
	return b.Conn.Write(p)
}

// batchCap holds the records of one relay block, with room for their
// headers, tags and padding (an eighth more: records are smaller in the
// first 128 KiB, crypto/tls's dynamic record sizing). Made once: grown
// by append from nothing, the buffer was allocated five times over, and
// every new page is a page fault.
const batchCap = relayBuf + relayBuf/8

// batch runs f with the writes gathered, then sends them in one write.
func (b *batcher) batch(f func() error) error {
	b.mu.Lock()
	b.on = true
	b.mu.Unlock()
	err := f()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.on = false
	if len(b.buf) > 0 {
		_, werr := b.Conn.Write(b.buf)
		b.buf = b.buf[:0]
		if err == nil {
			err = werr
		}
	}
	return err
}

// CloseWrite half-closes the connection under it, when it can.
func (b *batcher) CloseWrite() error {
	if cw, ok := b.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
