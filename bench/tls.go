//go:build linux

package main

// TLS for the bench's own servers: a throwaway certificate made at start
// (crypto/x509, never written to disk), the STARTTLS side of the SMTP
// sink (sink.go), a TLS discard server, and the raw TLS copy client that
// sets the ceiling for a message over TLS. The bench links crypto/tls;
// it is not a stage of the pipeline.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"sync"
	"time"
)

var sinkTLS = sync.OnceValue(func() *tls.Config {
	// ECDSA P-256, as most servers offer now; self-signed: qmail-remote's
	// default (no tlsdestinations) is opportunistic TLS that checks nothing.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "bench.sink"},
		DNSNames:     []string{"bench.sink"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.ParseIP(addrServer)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
})

// serveTLSDiscard is serveDiscard behind a TLS handshake.
func serveTLSDiscard(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			tc := tls.Server(c, sinkTLS())
			buf := make([]byte, 256<<10)
			for {
				if _, err := tc.Read(buf); err != nil {
					break
				}
			}
			tc.Close()
		}()
	}
}

// rawTLSCopy is the ceiling over TLS: rawCopy's 64 KiB loop into a TLS
// client connection (Go's defaults, as tlswrap's: TLS 1.3 here), done
// when the server has read it all and closed.
func rawTLSCopy(addr, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	raw, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return err
	}
	defer raw.Close()
	c := tls.Client(raw, &tls.Config{InsecureSkipVerify: true})
	buf := make([]byte, 64<<10)
	if _, err := io.CopyBuffer(struct{ io.Writer }{c}, struct{ io.Reader }{f}, buf); err != nil {
		return err
	}
	if err := c.CloseWrite(); err != nil { // close_notify, then half-close
		return err
	}
	raw.(*net.TCPConn).CloseWrite()
	// read through the session tickets to the server's close_notify
	for {
		if _, err := c.Read(buf); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// memoryTLS: the peak of one small STARTTLS delivery, every process of
// the pipeline (tlswrap -d included).
func (b *bench) memoryTLS() {
	what := "peak memory of one small STARTTLS delivery, IP literal route"
	home := b.home("mem-tls", literal(b.goTLS))
	if kb, parts, err := b.measure(home, "tls.test", b.small); err != nil {
		add(what, "failed", err.Error())
	} else {
		add(what, fmt.Sprintf("%.1f MiB", mb(kb)), "sum of VmHWM: "+parts+" MiB")
	}
}

// largeTLS: the big message with STARTTLS (BDAT chunks, as the sink
// offers CHUNKING) against a raw TLS copy of the same bytes into the
// bench's TLS discard server.
func (b *bench) largeTLS() {
	size := float64(b.bigBytes) / 1e6
	what := fmt.Sprintf("one %.0f MB message", size)
	rate := func(d time.Duration) float64 { return size / d.Seconds() }
	home := b.home("big-tls", literal(b.goTLS))
	self, _ := os.Executable()
	rep, err := b.lastReport(home, "big.test", b.big)
	if err != nil {
		add(what+", pipeline with STARTTLS to the bench's SMTP sink", "failed", err.Error())
		return
	}
	r, err := versus(
		func() error { return exec.Command(self, "-rawtlscopy", b.goTLSDisc, b.big).Run() },
		func() error { return b.deliver(home, "big.test", b.big) })
	if err != nil {
		add(what+", pipeline with STARTTLS to the bench's SMTP sink", "failed", err.Error())
		return
	}
	add(what+", raw TLS copy to a TLS discard server (ceiling)", fmt.Sprintf("%.0f MB/s", rate(r.ceil)),
		fmt.Sprintf("peak %.1f MiB; rawcopy's 64 KiB loop into crypto/tls; best of %d", mb(rawCopyPeak("-rawtlscopy", b.goTLSDisc, b.big)), *bigRuns))
	kb, parts, err := b.measure(home, "big.test", b.big)
	if err != nil {
		parts = err.Error()
	}
	add(what+", pipeline with STARTTLS to the bench's SMTP sink", fmt.Sprintf("%.0f MB/s", rate(r.pipe)),
		fmt.Sprintf("%s; peak %.1f MiB (%s MiB); %.0f ms CPU; best of %d; BDAT chunks; %s",
			r.ratios("TLS ceiling"), mb(kb), parts, ms(r.pipeCPU), *bigRuns, tlsLine(rep)))
}

// rttTLS: round trips of a STARTTLS delivery in lock step and with
// PIPELINING and CHUNKING, and the rate over the link of the latter.
func (b *bench) rttTLS() {
	home := b.home("rtt-tls", linkRoute)
	b.linkRows("STARTTLS, lock step", smtpPeer("STARTTLS"), home, 0, "", "", 0)
	b.linkRows("STARTTLS with PIPELINING and CHUNKING", smtpPeer("PIPELINING,CHUNKING,STARTTLS"), home, *rttMany,
		"qmail-remote, smtpclient, tlswrap -d", "", 0)
}
