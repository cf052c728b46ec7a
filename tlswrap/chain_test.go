package main

import (
	"crypto/x509"
	"encoding/pem"
	"io"
	"os"
	"syscall"
	"testing"
)

// TestWriteChain: the certificates as sent, PEM, at most maxChain
// bytes, and the descriptor closed (the reader sees EOF); without
// TLS_CHAINFD nothing happens.
func TestWriteChain(t *testing.T) {
	(&settings{chainFD: -1}).writeChain(nil)
	der := make([]byte, 20000)
	for i := range der {
		der[i] = byte(i)
	}
	certs := []*x509.Certificate{{Raw: der[:100]}, {Raw: der}, {Raw: der}, {Raw: der}}
	var p [2]int                               // raw: writeChain closes the write end itself
	if err := syscall.Pipe(p[:]); err != nil { // Pipe2 is not on macOS; the test starts nothing
		t.Fatal(err)
	}
	r := os.NewFile(uintptr(p[0]), "chain")
	defer r.Close()
	s := &settings{chainFD: p[1]}
	s.writeChain(certs)
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > maxChain || s.chainFD != -1 {
		t.Fatalf("%d bytes, chainFD %d", len(b), s.chainFD)
	}
	var n int
	for rest := b; ; n++ {
		var blk *pem.Block
		if blk, rest = pem.Decode(rest); blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" || string(blk.Bytes) != string(certs[n].Raw) {
			t.Fatalf("certificate %d differs", n)
		}
	}
	if n != 3 { // 100 bytes, then two of 20000 (27 KB of PEM each); the fourth would pass 60000
		t.Errorf("%d certificates written, want 3", n)
	}
}
