package script

import (
	"io"
	"os"
	"time"
)

// A Peer is the connection to the client: a TCP connection or two pipes.
type Peer interface {
	io.ReadWriter
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
	CloseWrite() error
	Close() error
}

// A PipePeer is the peer's side of the two pipes of a client run as a
// child: it reads R and writes W.
type PipePeer struct{ R, W *os.File }

func (p *PipePeer) Read(b []byte) (int, error)         { return p.R.Read(b) }
func (p *PipePeer) Write(b []byte) (int, error)        { return p.W.Write(b) }
func (p *PipePeer) SetReadDeadline(t time.Time) error  { return p.R.SetReadDeadline(t) }
func (p *PipePeer) SetWriteDeadline(t time.Time) error { return p.W.SetWriteDeadline(t) }
func (p *PipePeer) CloseWrite() error                  { return p.W.Close() }
func (p *PipePeer) Close() error                       { p.W.Close(); return p.R.Close() }

// Drain half-closes p and reads what the client still sends from in
// (which logs it), until the client closes or bound passes.
func Drain(p Peer, in io.Reader, bound time.Duration) {
	p.CloseWrite()
	p.SetReadDeadline(time.Now().Add(bound))
	io.Copy(io.Discard, in)
}
