package main

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"

	"qmail-remote-go/lib/tlsreport"
)

// A session is a TLS connection after a good handshake: raw is the
// connection under it, entries the reply block.
type session struct {
	conn    *tls.Conn
	raw     *batcher
	entries []string
}

// connect takes fds 6/7 and runs the handshake on them.
func connect(s *settings) (*session, *failure) {
	raw, err := network()
	if err != nil {
		return nil, fail(tlsreport.Handshake, "use network fds", err)
	}
	b := &batcher{Conn: raw, buf: make([]byte, 0, batchCap)}
	c, entries, f := handshake(s, b)
	if f != nil {
		raw.Close()
		return nil, f
	}
	return &session{c, b, entries}, nil
}

// handshake loads the settings' files and runs the client handshake on
// raw within TIMEOUTREMOTE (UCSPI-TLS 4). It returns the reply block's
// entries (tlswrap.8) or the failure.
func handshake(s *settings, raw net.Conn) (*tls.Conn, []string, *failure) {
	cfg, chk, f := s.config()
	if f != nil {
		return nil, nil, f
	}
	c := tls.Client(raw, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	if err := c.HandshakeContext(ctx); err != nil {
		if errors.As(err, &f) {
			return nil, nil, f
		}
		if ctx.Err() != nil {
			err = fmt.Errorf("timed out after %v", s.timeout)
		}
		return nil, nil, fail(tlsreport.Handshake, "complete TLS handshake", err)
	}
	entries := s.block(c.ConnectionState(), chk.phrase)
	if chk.audit != "" {
		entries = append(entries, "TLSWRAP_AUDIT="+chk.audit)
	}
	return c, entries, nil
}

// block is the reply block of a good handshake, well under 4096 bytes
// (UCSPI-TLS 3): names mod_ssl's, as s6 sends them, and TLSWRAP_VERIFY
// for the D20 line.
func (s *settings) block(st tls.ConnectionState, phrase string) []string {
	leaf := st.PeerCertificates[0]  // the checker refused none
	sni := "SSL_TLS_SNI_SERVERNAME" // unset: no SNI sent
	if s.serverName != "" {
		sni += "=" + printable(s.serverName, 255)
	}
	return []string{
		"SSL_PROTOCOL=" + protocol(st.Version),
		"SSL_CIPHER=" + tls.CipherSuiteName(st.CipherSuite),
		sni,
		fmt.Sprintf("SSL_PEER_CERT_HASH=SHA256:%x", sha256.Sum256(leaf.Raw)),
		"SSL_PEER_CERT_SUBJECT=" + printable(leaf.Subject.String(), 1024),
		"TLSWRAP_VERIFY=" + phrase,
	}
}

// protocol spells a version as mod_ssl does: TLSv1.3.
func protocol(v uint16) string {
	return strings.Replace(tls.VersionName(v), "TLS 1", "TLSv1", 1)
}
