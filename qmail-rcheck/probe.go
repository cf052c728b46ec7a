package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"time"

	"qmail-remote-go/lib/handoff"
	"qmail-remote-go/lib/plan"
	"qmail-remote-go/lib/route"
)

// chainFD is where smtpclient -p (and tlswrap) find TLS_CHAINFD; 10
// is the transcript's (TRACEFD) in a delivery.
const chainFD = 11

// probeAll probes each candidate in turn: 0 when one of them took the
// session as far as a delivery would go before MAIL, else 111.
func (r *rcheck) probeAll(cands []plan.Candidate) int {
	if r.p.Route.Proto == route.QMTP {
		r.say("probe: QMTP routes are not probed (QMTP has no EHLO)")
		return 0
	}
	code := 111
	for _, c := range cands {
		if r.probeOne(c) {
			code = 0
		}
	}
	return code
}

// probeOne connects to c as qmail-remote does and runs smtpclient -p
// (under tlswrap -i for SMTPS) on the connection.
func (r *rcheck) probeOne(c plan.Candidate) bool {
	p := r.p
	remote := netip.AddrPortFrom(c.Addr, uint16(p.Route.Port))
	r.say("probe %s (%s):", remote, c.Name)
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(p.Cfg.TimeoutConnect)*time.Second)
	conn, err := plan.Dial(ctx, plan.Local(p.Src.Bind, c.Addr), remote)
	cancel()
	if err != nil {
		r.say("  connect: %s", plan.OneLine(err.Error()))
		return false
	}
	defer conn.Close()
	local := conn.LocalAddr().(*net.TCPAddr).AddrPort()
	r.say("  connected from %s", local)
	out, chain, code, err := r.speak(conn.(*net.TCPConn), c, local)
	if err != nil {
		r.say("  unable to run smtpclient: %s", plan.OneLine(err.Error()))
		return false
	}
	ready := false
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		r.say("  %s", plan.OneLine(line))
		ready = ready || strings.HasPrefix(line, "ready: ")
	}
	if code == handoff.ExitClearRetry && p.ClearRetry(c) {
		r.say("  a delivery would connect again and go on in clear text (SPEC D8)")
	}
	r.certs(chain)
	return ready
}

// speak runs the speaker as qmail-remote would, in probe mode, and
// returns what it printed, the chain tlswrap wrote and its exit code.
func (r *rcheck) speak(conn *net.TCPConn, c plan.Candidate, local netip.AddrPort) (out, chain []byte, code int, err error) {
	p := r.p
	sock, err := conn.File()
	if err != nil {
		return nil, nil, 0, err
	}
	defer sock.Close()
	sp, err := p.Speak(c, local, false)
	if err != nil {
		return nil, nil, 0, err
	}
	defer sp.Close()
	chainR, chainW, err := os.Pipe()
	if err != nil {
		return nil, nil, 0, err
	}
	defer chainR.Close()
	name, args := p.Argv(c, r.bin, []string{"-p"}, false)
	limit := time.Duration(8*p.Cfg.TimeoutRemote+10) * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.bin+"/"+name, args...)
	// The probe never authenticates: no credentials go down.
	cmd.Env = append(withoutAuth(sp.Env), fmt.Sprintf("TLS_CHAINFD=%d", chainFD))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &limited{&stdout, 64 * 1024}, &limited{&stderr, 4096}
	// fds 3, 4, 5 closed; 6 and 7 the socket; 8 closed; handoff.KeyPassFD
	// (9); 10 closed; chainFD (11).
	cmd.ExtraFiles = []*os.File{nil, nil, nil, sock, sock, nil, sp.KeyPass, nil, chainW}
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(chainR, 64*1024))
		got <- b
	}()
	err = cmd.Start()
	chainW.Close()
	if err != nil {
		return nil, nil, 0, err
	}
	cmd.Wait()
	if stderr.Len() > 0 {
		stdout.WriteString(name + " said: " + firstLine(stderr.String()) + "\n")
	}
	// A tlswrap still running holds the chain's pipe a little longer.
	chainR.SetReadDeadline(time.Now().Add(3 * time.Second))
	return stdout.Bytes(), <-got, cmd.ProcessState.ExitCode(), nil
}

// withoutAuth is env less AUTHFD and AUTHCLEAR.
func withoutAuth(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "AUTH") {
			out = append(out, kv)
		}
	}
	return out
}

// certs prints the chain as the server sent it, and the line that
// pins its first certificate in control/tlsdestinations.
func (r *rcheck) certs(chain []byte) {
	for i := 0; ; i++ {
		var b *pem.Block
		if b, chain = pem.Decode(chain); b == nil {
			return
		}
		cert, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			r.say("  certificate %d: unreadable: %s", i, plan.OneLine(err.Error()))
			continue
		}
		sum := sha256.Sum256(b.Bytes)
		r.say("  certificate %d: subject %s", i, plan.OneLine(cert.Subject.String()))
		var names []string
		names = append(names, cert.DNSNames...)
		for _, ip := range cert.IPAddresses {
			names = append(names, ip.String())
		}
		if len(names) > 0 {
			r.say("    names %s", plan.OneLine(strings.Join(names, " ")))
		}
		r.say("    issuer %s", plan.OneLine(cert.Issuer.String()))
		r.say("    valid %s to %s", cert.NotBefore.UTC().Format(time.RFC3339), cert.NotAfter.UTC().Format(time.RFC3339))
		r.say("    SHA-256 %s", colons(sum[:]))
		if i == 0 {
			r.say("  pin: %%%s:=%s", r.p.Route.Host, colons(sum[:]))
		}
	}
}

// colons is b in upper-case hex, bytes separated by colons, as
// openssl x509 -fingerprint prints it and a '%' rule takes it.
func colons(b []byte) string {
	h := make([]string, len(b))
	for i, c := range b {
		h[i] = fmt.Sprintf("%02X", c)
	}
	return strings.Join(h, ":")
}
