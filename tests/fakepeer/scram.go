package main

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
)

// scramIter is the iteration count the scram command asks for (RFC
// 7677's minimum).
const scramIter = 4096

// The server's salt and nonce part: random; fixed by the tests (RFC
// 7677's example).
var (
	scramSalt = func() []byte {
		b := make([]byte, 16)
		rand.Read(b)
		return b
	}
	scramNonce = rand.Text
)

// parseScram reads "USER PASS [badsig]" of a scram line.
func parseScram(arg string) (user, pass string, badSig bool, err error) {
	f := strings.Fields(arg)
	if len(f) == 3 && f[2] == "badsig" {
		badSig = true
		f = f[:2]
	}
	if len(f) != 2 {
		return "", "", false, fmt.Errorf("usage: scram USER PASS [badsig]")
	}
	return f[0], f[1], badSig, nil
}

// scram plays the server side of a whole SCRAM-SHA-256 exchange (RFC
// 5802, RFC 7677) from the client's AUTH line to the 235: a real server,
// with a fresh nonce and salt, that checks the client's proof against
// its own password. A wrong proof or user name gets 535 (and the script
// goes on); with badsig the server-final-message carries a signature
// that is not the one due. A client that breaks the protocol ends the
// connection as a failed expect does.
func (cn *conn) scram(c command) error {
	fail := func(format string, a ...any) error {
		fmt.Fprintf(os.Stderr, "%s: script line %d: scram: %s\n", prog, c.line, fmt.Sprintf(format, a...))
		return errMismatch
	}
	l, err := readTrimmed(cn.in)
	if err != nil {
		return fail("no AUTH line: %v", err)
	}
	var first string
	switch {
	case l == "AUTH SCRAM-SHA-256":
		// RFC 4954 4: the initial response answers an empty challenge.
		if err := write(cn.p, []byte("334 \r\n")); err != nil {
			return err
		}
		if first, err = readTrimmed(cn.in); err != nil {
			return fail("no client-first-message: %v", err)
		}
	case strings.HasPrefix(l, "AUTH SCRAM-SHA-256 "):
		first = strings.TrimPrefix(l, "AUTH SCRAM-SHA-256 ")
	default:
		return fail("expected AUTH SCRAM-SHA-256, got %q", l)
	}
	cf, err := base64.StdEncoding.DecodeString(first)
	if err != nil {
		return fail("client-first-message is not base64: %q", first)
	}
	bare, ok := strings.CutPrefix(string(cf), "n,,")
	if !ok {
		return fail("client-first-message without the gs2 header n,,: %q", cf)
	}
	name, rest, ok1 := strings.Cut(bare, ",")
	cnonce, ok2 := strings.CutPrefix(rest, "r=")
	name, ok3 := strings.CutPrefix(name, "n=")
	if !ok1 || !ok2 || !ok3 || cnonce == "" || strings.Contains(cnonce, ",") {
		return fail("malformed client-first-message: %q", cf)
	}
	name = strings.NewReplacer("=2C", ",", "=3D", "=").Replace(name)

	salt := scramSalt()
	snonce := cnonce + scramNonce()
	serverFirst := fmt.Sprintf("r=%s,s=%s,i=%d", snonce, base64.StdEncoding.EncodeToString(salt), scramIter)
	if err := write(cn.p, []byte("334 "+base64.StdEncoding.EncodeToString([]byte(serverFirst))+"\r\n")); err != nil {
		return err
	}

	l, err = readTrimmed(cn.in)
	if err != nil {
		return fail("no client-final-message: %v", err)
	}
	fin, err := base64.StdEncoding.DecodeString(l)
	if err != nil {
		return fail("client-final-message is not base64: %q", l)
	}
	noProof, proof64, ok := strings.Cut(string(fin), ",p=")
	if !ok || noProof != "c=biws,r="+snonce {
		return fail("malformed client-final-message: %q", fin)
	}
	proof, err := base64.StdEncoding.DecodeString(proof64)
	if err != nil || len(proof) != sha256.Size {
		return fail("malformed proof: %q", proof64)
	}

	salted, err := pbkdf2.Key(sha256.New, c.pass, salt, scramIter, sha256.Size)
	if err != nil {
		return fail("pbkdf2: %v", err)
	}
	authMsg := []byte(bare + "," + serverFirst + "," + noProof)
	clientKey := mac(salted, []byte("Client Key"))
	storedKey := sha256.Sum256(clientKey)
	clientSig := mac(storedKey[:], authMsg)
	want := make([]byte, sha256.Size)
	subtle.XORBytes(want, clientKey, clientSig)
	if name != c.user || !hmac.Equal(proof, want) {
		return write(cn.p, []byte("535 5.7.8 Error: authentication failed\r\n"))
	}
	sig := mac(mac(salted, []byte("Server Key")), authMsg)
	if c.badSig {
		sig[0] ^= 0xff
	}
	final := "v=" + base64.StdEncoding.EncodeToString(sig)
	if err := write(cn.p, []byte("334 "+base64.StdEncoding.EncodeToString([]byte(final))+"\r\n")); err != nil {
		return err
	}
	// RFC 4954 4: the client answers the server-final-message with an
	// empty line (a client that saw a wrong signature sends nothing).
	if l, err = readTrimmed(cn.in); err != nil {
		return errClosed
	}
	if l != "" {
		return fail("expected an empty line after the server-final-message, got %q", l)
	}
	return write(cn.p, []byte("235 2.7.0 Authentication successful\r\n"))
}

func mac(key, data []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(data)
	return h.Sum(nil)
}

// readTrimmed reads one line without its CRLF or LF.
func readTrimmed(in *bufio.Reader) (string, error) {
	l, err := readLine(in)
	if err != nil {
		return "", err
	}
	return string(bytes.TrimSuffix(bytes.TrimSuffix(l, []byte("\n")), []byte("\r"))), nil
}
