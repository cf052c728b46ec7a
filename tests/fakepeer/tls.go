package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// serverConfig parses "CERT KEY [SUITE...]" of a tls or tls12 line.
// tls12 caps the version at TLS 1.2 and may name the TLS 1.2 suites (Go
// names, e.g. TLS_RSA_WITH_AES_128_CBC_SHA).
func serverConfig(op, arg string) (*tls.Config, error) {
	f := strings.Fields(arg)
	if len(f) < 2 || (op == "tls" && len(f) > 2) {
		return nil, fmt.Errorf("usage: %s CERT KEY", op)
	}
	cert, err := tls.LoadX509KeyPair(f[0], f[1])
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if op == "tls12" {
		cfg.MaxVersion = tls.VersionTLS12
	}
	for _, name := range f[2:] {
		id, ok := suiteID(name)
		if !ok {
			return nil, fmt.Errorf("unknown cipher suite %q", name)
		}
		cfg.CipherSuites = append(cfg.CipherSuites, id)
	}
	return cfg, nil
}

func suiteID(name string) (uint16, bool) {
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		if s.Name == name {
			return s.ID, true
		}
	}
	return 0, false
}

func loadPool(name string) (*x509.CertPool, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("%s: no certificate", name)
	}
	return pool, nil
}

// startTLS runs the server handshake on the connection; from then on
// the script's reads and writes go over TLS and the log gets the clear
// text the client sends.
func (cn *conn) startTLS(c command) error {
	cfg := c.tls.Clone()
	if cn.clientCAs != nil {
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
		cfg.ClientCAs = cn.clientCAs
	}
	// Bytes the client sent early are in cn.in already: the handshake
	// reads them first.
	t := tls.Server(&rawConn{cn.p, cn.in}, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	if err := t.HandshakeContext(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "%s: script line %d: TLS handshake failed: %v\n", prog, c.line, err)
		return errClosed
	}
	if st := t.ConnectionState(); cn.clientCert != "" && len(st.PeerCertificates) > 0 {
		subject := st.PeerCertificates[0].Subject.String() + "\n"
		if err := os.WriteFile(cn.clientCert, []byte(subject), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "%s: script line %d: unable to write clientcert: %v\n", prog, c.line, err)
		}
	}
	cn.p = &tlsPeer{t, cn.p}
	cn.in = bufio.NewReader(io.TeeReader(cn.p, cn.log))
	return nil
}

// rawConn is the plain connection under TLS, as a net.Conn: reads come
// through the script's reader (no byte lost), bypassing nothing else.
type rawConn struct {
	p  peer
	in *bufio.Reader
}

func (r *rawConn) Read(b []byte) (int, error) {
	if r.in.Buffered() > 0 {
		return r.in.Read(b)
	}
	return r.p.Read(b) // not through the log: it gets clear text
}
func (r *rawConn) Write(b []byte) (int, error)        { return r.p.Write(b) }
func (r *rawConn) Close() error                       { return r.p.Close() }
func (r *rawConn) LocalAddr() net.Addr                { return addr{} }
func (r *rawConn) RemoteAddr() net.Addr               { return addr{} }
func (r *rawConn) SetReadDeadline(t time.Time) error  { return r.p.SetReadDeadline(t) }
func (r *rawConn) SetWriteDeadline(t time.Time) error { return r.p.SetWriteDeadline(t) }
func (r *rawConn) SetDeadline(t time.Time) error {
	r.p.SetReadDeadline(t)
	return r.p.SetWriteDeadline(t)
}

type addr struct{}

func (addr) Network() string { return "fakepeer" }
func (addr) String() string  { return "fakepeer" }

// tlsPeer is the peer after a tls command. CloseWrite sends close_notify,
// then half-closes the plain connection.
type tlsPeer struct {
	*tls.Conn
	raw peer
}

func (t *tlsPeer) CloseWrite() error {
	t.Conn.CloseWrite()
	return t.raw.CloseWrite()
}
