package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"qmail-remote-go/lib/fdio"
	"qmail-remote-go/lib/handoff"
	"qmail-remote-go/lib/report"
	"qmail-remote-go/lib/tlsreport"
)

const (
	defaultDepth = 1                     // qmail's verifydepth (SPEC 4.9.2)
	maxPassword  = tlsreport.MaxPassword // as qmail-remote's (lib/tlspolicy)
)

// settings are the environment of the contract (tlswrap.8),
// the same in every mode.
type settings struct {
	serverName string   // TLS_SERVERNAME: SNI, "" for none
	verify     string   // TLS_VERIFY: none cert name wildcard pin dane
	names      []string // TLS_NAMES (else TLS_SERVERNAME)
	pin        string   // TLS_PIN
	tlsa       []tlsa   // TLS_TLSA, for dane
	depth      int      // TLS_DEPTH: most intermediates allowed
	ciphers    string   // TLS_CIPHERS ("" = Go's defaults)
	caFile     string   // CAFILE
	caDir      string   // CADIR
	certFile   string   // CERTFILE
	keyFile    string   // KEYFILE, else CERTFILE
	password   []byte   // read from KEYPASSFD
	passErr    error    // why it could not be read
	passFD     int      // KEYPASSFD, -1 for none
	chainFD    int      // TLS_CHAINFD, -1 for none (chain.go)
	host       string   // TLSHOST for the report texts
	timeout    time.Duration
}

// readSettings reads the environment and the password. Its errors are
// the caller's mistakes: exit 100.
func readSettings() (*settings, error) {
	s := &settings{verify: handoff.VerifyNone, depth: defaultDepth, passFD: -1, chainFD: -1}
	s.serverName = os.Getenv("TLS_SERVERNAME")
	if net.ParseIP(s.serverName) != nil {
		s.serverName = "" // RFC 6066 3: no IP literals in SNI
	}
	if v := os.Getenv("TLS_VERIFY"); v != "" {
		switch v {
		case handoff.VerifyNone, handoff.VerifyCert, handoff.VerifyName, handoff.VerifyWildcard, handoff.VerifyPin, handoff.VerifyDANE:
			s.verify = v
		default:
			return nil, fmt.Errorf("unknown TLS_VERIFY: %q", v)
		}
	}
	// Unset, TLS_NAMES is TLS_SERVERNAME (by hand, tlswrap.8); set and
	// empty, no name passes: qmail-remote found none it may accept,
	// and the SNI name may be one that unsigned DNS chose (SPEC D16).
	names, set := os.LookupEnv("TLS_NAMES")
	s.names = strings.Fields(names)
	if !set && s.serverName != "" {
		s.names = []string{s.serverName}
	}
	s.pin = os.Getenv("TLS_PIN")
	if s.verify == handoff.VerifyDANE {
		var err error
		if s.tlsa, err = parseTLSA(os.Getenv("TLS_TLSA")); err != nil {
			return nil, err
		}
	}
	if v, ok := os.LookupEnv("TLS_DEPTH"); ok {
		n, err := strconv.ParseUint(v, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("TLS_DEPTH is not a number: %q", v)
		}
		s.depth = int(n)
	}
	s.ciphers = os.Getenv("TLS_CIPHERS")
	s.caFile, s.caDir = os.Getenv("CAFILE"), os.Getenv("CADIR")
	s.certFile, s.keyFile = os.Getenv("CERTFILE"), os.Getenv("KEYFILE")
	if s.keyFile == "" {
		s.keyFile = s.certFile
	}
	s.host = firstOf(os.Getenv("TLSHOST"), os.Getenv("TLS_SERVERNAME"), os.Getenv("TCPREMOTEIP"), "unknown")
	var err error
	if s.timeout, err = fdio.TimeoutRemote(); err != nil {
		return nil, err
	}
	if v, ok := os.LookupEnv("TLS_CHAINFD"); ok {
		fd, err := strconv.ParseUint(v, 10, 16)
		if err != nil || fd < 3 {
			return nil, fmt.Errorf("TLS_CHAINFD is not a descriptor above 2: %q", v)
		}
		s.chainFD = int(fd)
		syscall.CloseOnExec(s.chainFD) // for tlswrap alone, never prog
	}
	if v, ok := os.LookupEnv("KEYPASSFD"); ok {
		fd, err := strconv.ParseUint(v, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("KEYPASSFD is not a descriptor: %q", v)
		}
		s.passFD = int(fd)
		s.password, s.passErr = readPassword(int(fd))
	}
	return s, nil
}

// readPassword reads fd to EOF and closes it, so that no child inherits
// it; one final LF is not part of the password.
func readPassword(fd int) ([]byte, error) {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, fmt.Errorf("KEYPASSFD %d: %w", fd, err)
	}
	f := os.NewFile(uintptr(fd), "keypass")
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPassword+1))
	if err != nil {
		return nil, fmt.Errorf("unable to read KEYPASSFD: %w", err)
	}
	if len(b) > maxPassword {
		return nil, fmt.Errorf("password on KEYPASSFD longer than %d bytes", maxPassword)
	}
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	return b, nil
}

func firstOf(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

func (s *settings) values() tlsreport.Values {
	return tlsreport.Values{Host: s.host, Pin: s.pin, CertFile: s.certFile, KeyFile: s.keyFile,
		CAFile: s.caFile, CADir: s.caDir, Ciphers: s.ciphers}
}

// A failure is an error with its kind of the contract; what says what
// tlswrap was unable to do, for the line on fd 2.
type failure struct {
	kind   string
	what   string
	err    error
	reason string // one line for the report after its text (SPEC D33), or ""
}

func (f *failure) Error() string { return "unable to " + f.what + ": " + f.err.Error() }

func fail(kind, what string, err error) *failure { return &failure{kind: kind, what: what, err: err} }

// because gives f the reason line of SPEC D33: for a certificate that
// failed, what was wrong with it.
func because(f *failure, reason string) *failure {
	f.reason = printable(reason, 400)
	return f
}

// text is the report text of f.
func (s *settings) text(f *failure) string { return tlsreport.Text(f.kind, s.values()) }

// childEnv is env without the settings of tlswrap (s6's -z; the list
// is handoff.Strip's) and without the names in drop.
func childEnv(env []string, drop ...string) []string {
	var out []string
	for _, e := range handoff.Strip(env, handoff.Wrapped) {
		if name, _, _ := strings.Cut(e, "="); !slices.Contains(drop, name) {
			out = append(out, e)
		}
	}
	return out
}

// printable keeps bytes 32..126 of s and at most n of them.
func printable(s string, n int) string {
	s = report.Printable(s)
	if len(s) > n {
		s = s[:n]
	}
	return s
}
