package main

import (
	"encoding/base64"
	"strings"
	"testing"
)

// RFC 2195 2: the example exchange.
func TestCRAMVector(t *testing.T) {
	got := b64(cramResponse("tim", "tanstaaftanstaaf", []byte("<1896.697170952@postoffice.reston.mci.net>")))
	if want := "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"; got != want {
		t.Errorf("CRAM-MD5 response %q, want %q", got, want)
	}
}

// RFC 4616 4: the first example (no authorization identity).
func TestPLAINVector(t *testing.T) {
	if got, want := b64("\x00tim\x00tanstaaftanstaaf"), "AHRpbQB0YW5zdGFhZnRhbnN0YWFm"; got != want {
		t.Errorf("PLAIN message %q, want %q", got, want)
	}
}

// RFC 7677 3: the SCRAM-SHA-256 example, user "user", password "pencil".
const (
	rfcNonce = "rOprNGfwEbeRWgbNEkqO"
	rfcFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
	rfcSF    = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
	rfcFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
	rfcSFin  = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
)

func TestSCRAMVector(t *testing.T) {
	bare := scramClientFirstBare("user", rfcNonce)
	if first := "n,," + bare; first != rfcFirst {
		t.Fatalf("client-first %q, want %q", first, rfcFirst)
	}
	s, err := parseServerFirst(rfcSF, rfcNonce)
	if err != nil || s.iter != 4096 || s.nonce != rfcNonce+"%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0" {
		t.Fatalf("server-first: %+v, %v", s, err)
	}
	final, sig, err := scramClientFinal(bare, s, "pencil")
	if err != nil || final != rfcFinal {
		t.Fatalf("client-final %q, %v\nwant %q", final, err, rfcFinal)
	}
	if err := verifyServerFinal(rfcSFin, sig); err != nil {
		t.Errorf("server-final: %v", err)
	}
	if err := verifyServerFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G5=", sig); err == nil {
		t.Errorf("a wrong signature verified")
	}
}

func TestSaslname(t *testing.T) {
	if got, want := scramClientFirstBare("a=b,c", "N"), "n=a=3Db=2Cc,r=N"; got != want {
		t.Errorf("client-first-message-bare %q, want %q", got, want)
	}
	if got, want := scramClientFirstBare("a,r=x", "N0nce"), "n=a=2Cr=3Dx,r=N0nce"; got != want {
		t.Errorf("client-first-message-bare %q, want %q", got, want)
	}
}

func TestParseServerFirst(t *testing.T) {
	salt := "s=W22ZaJ0SNY7soEsUEjb6gQ=="
	for _, tt := range []struct {
		msg  string
		want error
	}{
		{"r=Nx," + salt + ",i=4096", nil},
		{"r=Nx," + salt + ",i=1048576,ext=whatever", nil},
		{"r=N," + salt + ",i=4096", errNonceSame},   // no server nonce (RFC 5802 5.1)
		{"r=Nx," + salt + ",i=1", errIterLow},       // RFC 7677 4: at least 4096
		{"r=Nx," + salt + ",i=4095", errIterLow},    //
		{"r=NxN," + salt + ",i=4096", nil},          // the client nonce may recur
		{"r=x" + "N," + salt + ",i=4096", errNonce}, // in it, but not first
		{"m=x,r=Nx," + salt + ",i=4096", errExtension},
		{"r=Mx," + salt + ",i=4096", errNonce},
		{"r=x" + salt + ",i=4096", errFirst},
		{"r=Nx,i=4096," + salt, errFirst},
		{"r=Nx," + salt, errFirst},
		{"r=Nx,s=,i=4096", errFirst},
		{"r=Nx,s=not base64,i=4096", errFirst},
		{"r=Nx,s=W22ZaJ0SNY7soEsUEjb6gQ=,i=4096", errFirst},
		{"r=Nx,s=W22Z\naJ0SNY7soEsUEjb6gQ==,i=4096", errFirst},
		{"r=N\x7f," + salt + ",i=4096", errFirst},
		{"r=," + salt + ",i=4096", errFirst},
		{"r=Nx," + salt + ",i=0", errFirst},
		{"r=Nx," + salt + ",i=04096", errFirst},
		{"r=Nx," + salt + ",i=-1", errFirst},
		{"r=Nx," + salt + ",i=", errFirst},
		{"r=Nx," + salt + ",i=4096x", errFirst},
		{"r=Nx," + salt + ",i=1048577", errIter},
		{"r=Nx," + salt + ",i=99999999999999999999", errIter},
		{"", errFirst},
	} {
		if _, err := parseServerFirst(tt.msg, "N"); err != tt.want {
			t.Errorf("%q: %v, want %v", tt.msg, err, tt.want)
		}
	}
}

func TestVerifyServerFinal(t *testing.T) {
	sig, _ := base64.StdEncoding.DecodeString("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
	for msg, want := range map[string]string{
		rfcSFin:                             "",
		rfcSFin + ",x=ext":                  "",
		"e=invalid-proof":                   "authentication was rejected (scram: invalid-proof)",
		"e=\x01" + strings.Repeat("x", 100): "authentication was rejected (scram: ?" + strings.Repeat("x", 63) + ")",
		"v=":                                errFinal.Error(),
		"v=!!!!":                            errFinal.Error(),
		"x=1," + rfcSFin:                    errFinal.Error(),
		"":                                  errFinal.Error(),
		"v=AAAA":                            errSignature.Error(),
	} {
		err := verifyServerFinal(msg, sig)
		if got := errText(err); got != want {
			t.Errorf("%q: %q, want %q", msg, got, want)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestDecodeChallenge(t *testing.T) {
	for text, want := range map[string]string{
		"334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\n": "<1896.697170952@postoffice.reston.mci.net>",
		"334 YWJj  \n":         "abc",
		"334 \n":               "",
		"334\n":                "",
		"334 YWJj\n334 YWJj\n": "!",
		"334-YWJj\n":           "!",
		"334xYWJj\n":           "!",
		"334 YW Jj\n":          "!",
		"334 YWJ\n":            "!",
		"334 YW?j\n":           "!",
		"334 " + strings.Repeat("A", 4996) + "\n": "!",
	} {
		b, ok := decodeChallenge([]byte(text))
		got := string(b)
		if !ok {
			got = "!"
		}
		if got != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
}

func TestXtext(t *testing.T) {
	// RFC 3461 4: "+", "=", and bytes outside 33..126 as +XX.
	for in, want := range map[string]string{
		"user":           "user",
		"e=mc2":          "e+3Dmc2",
		"a+b":            "a+2Bb",
		"a b\tc":         "a+20b+09c",
		"j\xc3\xbcrgen":  "j+C3+BCrgen",
		"\x7f!~":         "+7F!~",
		"x@y.test<>()\\": "x@y.test<>()\\",
	} {
		if got := xtext(in); got != want {
			t.Errorf("xtext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestChoose(t *testing.T) {
	for in, want := range map[string]string{
		"PLAIN LOGIN":                      "LOGIN",
		"plain login cram-md5":             "CRAM-MD5",
		"PLAIN Scram-Sha-256 CRAM-MD5":     "SCRAM-SHA-256",
		"PLAIN":                            "PLAIN",
		"XOAUTH2 SCRAM-SHA-1 GSSAPI":       "",
		"":                                 "",
		"\u017fcram-sha-256 plai\u212a":    "",
		"SCRAM-SHA-256-PLUS DIGEST-MD5 -h": "",
	} {
		if got := choose(strings.Fields(in)); got != want {
			t.Errorf("choose(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseCred(t *testing.T) {
	for _, tt := range []struct{ in, user, pass, problem string }{
		{"user\x00pass\x00", "user", "pass", ""},
		{"us er\x00p|a:s;s word\x00", "us er", "p|a:s;s word", ""},
		{"user\x00pass", "", "", "the AUTH credentials are not in the form user NUL password NUL"},
		{"user", "", "", "the AUTH credentials are not in the form user NUL password NUL"},
		{"", "", "", "the AUTH credentials are not in the form user NUL password NUL"},
		{"user\x00pa\x00ss\x00", "", "", "the AUTH username or password holds a NUL"},
		{"\x00pass\x00", "", "", "the AUTH username is empty"},
		{"user\x00\x00", "", "", "the AUTH password is empty"},
		{"us\rer\x00pass\x00", "", "", "the AUTH username holds a line break"},
		{"user\x00pa\nss\x00", "", "", "the AUTH password holds a line break"},
		{"u\x00" + strings.Repeat("p", 4093) + "\x00", "u", strings.Repeat("p", 4093), ""},
		{"u\x00" + strings.Repeat("p", 4094) + "\x00", "", "", "the AUTH credentials are longer than 4096 bytes"},
	} {
		u, p, problem := parseCred([]byte(tt.in))
		if u != tt.user || p != tt.pass || problem != tt.problem {
			t.Errorf("%q: %q %q %q, want %q %q %q", tt.in, u, p, problem, tt.user, tt.pass, tt.problem)
		}
	}
}

func TestOutcome(t *testing.T) {
	for _, tt := range []struct {
		f    *failure
		out  string
		exit int
	}{
		{nil, "AUTH=e+3Dmc2\n", 0},
		{&failure{'Z', "x\n"}, "Zx\n\x00", 111},
		{&failure{'D', "y\x00\n"}, "Dy?\n\x00", 100},
	} {
		b, exit := outcome(tt.f, "e=mc2")
		if string(b) != tt.out || exit != tt.exit {
			t.Errorf("%+v: %q %d, want %q %d", tt.f, b, exit, tt.out, tt.exit)
		}
	}
}
