package main

import (
	"crypto/x509"
	"encoding/pem"
	"os"
)

// maxChain bounds what goes to TLS_CHAINFD: below a pipe's 64 KiB
// buffer, so the write never waits for the reader.
const maxChain = 60000

// writeChain writes the certificates the server sent, in the order it
// sent them, as PEM to TLS_CHAINFD, and closes it: qmail-rcheck's probe
// shows them, the checks passed or not. Certificates past maxChain are
// left out. Nothing is written without TLS_CHAINFD, and a write that
// fails changes nothing about the session.
func (s *settings) writeChain(certs []*x509.Certificate) {
	if s.chainFD < 0 {
		return
	}
	f := os.NewFile(uintptr(s.chainFD), "TLS_CHAINFD")
	s.chainFD = -1
	defer f.Close()
	var out []byte
	for _, c := range certs {
		b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
		if len(out)+len(b) > maxChain {
			break
		}
		out = append(out, b...)
	}
	f.Write(out)
}
