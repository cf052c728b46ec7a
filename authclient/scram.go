package main

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"

	"qmail-remote-go/lib/report"
	"qmail-remote-go/lib/smtp"
)

// maxIter bounds the iteration count a server may ask for: each one is
// an HMAC-SHA-256 on our CPU (the maximum costs about 0.2 s).
const maxIter = 1 << 20

// minIter is RFC 7677 4's floor: a server that asks for fewer (i=1, say)
// makes the proof cheap to attack offline for anyone who sees the
// exchange, or who plays the server to get one.
const minIter = 4096

// The texts of a server-first-message or server-final-message we refuse.
var (
	errFirst     = errors.New("the SCRAM-SHA-256 server-first-message is malformed")
	errNonce     = errors.New("the SCRAM-SHA-256 server nonce does not start with the client nonce")
	errNonceSame = errors.New("the SCRAM-SHA-256 server nonce adds nothing to the client nonce")
	errIter      = errors.New("the server asks for more than " + strconv.Itoa(maxIter) + " SCRAM-SHA-256 iterations")
	errIterLow   = errors.New("the server asks for fewer than " + strconv.Itoa(minIter) + " SCRAM-SHA-256 iterations (RFC 7677)")
	errExtension = errors.New("the server requires a SCRAM-SHA-256 extension I do not know")
	errFinal     = errors.New("the SCRAM-SHA-256 server-final-message is malformed")
	errSignature = errors.New("the server's SCRAM-SHA-256 signature is wrong; it does not know the password")
)

// scram: RFC 5802 5 with SHA-256 (RFC 7677), over SMTP as RFC 4954 4
// says: the server-final-message comes in a 334 (SMTP has no "additional
// data with success"), answered by an empty line, then 235. A 235 before
// the server's signature checked out is a failure.
func (c *client) scram(user, pass string) *failure {
	const label = "AUTH SCRAM-SHA-256"
	nonce := c.nonce()
	bare := scramClientFirstBare(user, nonce)
	ir := b64("n,," + bare)
	var rep smtp.Reply
	var f *failure
	// RFC 4954 4: an initial response only while the AUTH line stays
	// within RFC 5321's 512 octets; else it answers the empty challenge.
	if line := "AUTH SCRAM-SHA-256 " + ir; len(line)+2 <= 512 {
		rep, f = c.challenge(line, label, "scram")
	} else if _, f = c.challenge("AUTH SCRAM-SHA-256", label, "scram"); f == nil {
		rep, f = c.challenge(ir, label, "scram")
	}
	if f != nil {
		return f
	}
	sf, f := c.decode(rep, label)
	if f != nil {
		return f
	}
	s, err := parseServerFirst(string(sf), nonce)
	if err != nil {
		return c.quit('Z', " but "+err.Error())
	}
	final, serverSig, err := scramClientFinal(bare, s, pass)
	if err != nil {
		return &failure{'Z', "Unable to compute the SCRAM-SHA-256 proof: " + report.Printable(err.Error()) + ". (#4.3.0)\n"}
	}
	if rep, f = c.cmd(b64(final)); f != nil {
		return f
	}
	switch rep.Code {
	case 235:
		return c.quit('Z', " but the server accepted SCRAM-SHA-256 without proving that it knows the password")
	case 334:
	default:
		return c.refused(rep.Code, "scram", "scram")
	}
	sfin, f := c.decode(rep, "scram")
	if f != nil {
		return f
	}
	if err := verifyServerFinal(string(sfin), serverSig); err != nil {
		return c.quit('Z', " but "+err.Error()) // and nothing more is sent
	}
	return c.final("", "scram", "scram")
}

// scramClientFirstBare: RFC 5802 7, the client-first-message-bare
// "n=saslname,r=nonce", where saslname escapes "=" and "," (RFC 5802
// 5.1); the client-first-message puts the gs2-header "n,," (no channel
// binding, no authzid) before it. No SASLprep: the name and password go
// as the bytes we were given.
func scramClientFirstBare(user, nonce string) string {
	name := strings.NewReplacer("=", "=3D", ",", "=2C").Replace(user)
	return "n=" + name + ",r=" + nonce
}

// serverFirst is a parsed server-first-message.
type serverFirst struct {
	raw   string // as received: part of the AuthMessage
	nonce string // client nonce + server nonce
	salt  []byte
	iter  int
}

// parseServerFirst: RFC 5802 7, server-first-message =
// [reserved-mext ","] nonce "," salt "," iteration-count ["," extensions].
func parseServerFirst(msg, cnonce string) (serverFirst, error) {
	s := serverFirst{raw: msg}
	if strings.HasPrefix(msg, "m=") {
		return s, errExtension // RFC 5802 5.1: m is reserved; the client MUST fail
	}
	attrs := strings.SplitN(msg, ",", 4)
	if len(attrs) < 3 {
		return s, errFirst
	}
	r, ok1 := strings.CutPrefix(attrs[0], "r=")
	salt, ok2 := strings.CutPrefix(attrs[1], "s=")
	iter, ok3 := strings.CutPrefix(attrs[2], "i=")
	if !ok1 || !ok2 || !ok3 || !printable(r) {
		return s, errFirst
	}
	if !strings.HasPrefix(r, cnonce) {
		return s, errNonce // RFC 5802 5.1 r: it starts with what the client sent
	}
	if len(r) == len(cnonce) {
		// RFC 5802 5.1: the server appends its own nonce. Without one
		// the exchange is whatever the client chose: a replay.
		return s, errNonceSame
	}
	s.nonce = r
	var err error
	// printable first: the decoder would skip CR and LF.
	if !printable(salt) {
		return s, errFirst
	}
	if s.salt, err = base64.StdEncoding.Strict().DecodeString(salt); err != nil || len(s.salt) == 0 {
		return s, errFirst
	}
	// posit-number = %x31-39 *DIGIT
	if iter == "" || iter[0] == '0' || strings.Trim(iter, "0123456789") != "" {
		return s, errFirst
	}
	if len(iter) > 7 {
		return s, errIter
	}
	if s.iter, _ = strconv.Atoi(iter); s.iter > maxIter {
		return s, errIter
	}
	if s.iter < minIter {
		return s, errIterLow
	}
	return s, nil
}

// printable: RFC 5802 7, printable = %x21-2B / %x2D-7E (no comma).
func printable(s string) bool {
	for _, c := range []byte(s) {
		if c < 0x21 || c > 0x7e || c == ',' {
			return false
		}
	}
	return s != ""
}

// scramClientFinal computes RFC 5802 3's proofs and returns the
// client-final-message and the ServerSignature to expect:
//
//	SaltedPassword  := Hi(password, salt, i)   (PBKDF2, RFC 5802 2.2)
//	ClientKey       := HMAC(SaltedPassword, "Client Key")
//	StoredKey       := H(ClientKey)
//	AuthMessage     := client-first-message-bare "," server-first-message ","
//	                   client-final-message-without-proof
//	ClientProof     := ClientKey XOR HMAC(StoredKey, AuthMessage)
//	ServerSignature := HMAC(HMAC(SaltedPassword, "Server Key"), AuthMessage)
func scramClientFinal(firstBare string, s serverFirst, pass string) (final string, serverSig []byte, err error) {
	salted, err := pbkdf2.Key(sha256.New, pass, s.salt, s.iter, sha256.Size)
	if err != nil {
		return "", nil, err
	}
	// c=biws: base64 of the gs2-header "n,," (RFC 5802 7, channel-binding).
	withoutProof := "c=biws,r=" + s.nonce
	authMsg := firstBare + "," + s.raw + "," + withoutProof
	clientKey := mac(salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	proof := mac(storedKey[:], authMsg)
	for i := range proof {
		proof[i] ^= clientKey[i]
	}
	serverSig = mac(mac(salted, "Server Key"), authMsg)
	return withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof), serverSig, nil
}

func mac(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// verifyServerFinal: RFC 5802 7, server-final-message = (server-error /
// verifier) ["," extensions]; the verifier must be our ServerSignature.
func verifyServerFinal(msg string, want []byte) error {
	attr, _, _ := strings.Cut(msg, ",")
	if e, ok := strings.CutPrefix(attr, "e="); ok {
		return errors.New("authentication was rejected (scram: " + report.Printable(e[:min(len(e), 64)]) + ")")
	}
	v, ok := strings.CutPrefix(attr, "v=")
	if !ok {
		return errFinal
	}
	if !printable(v) {
		return errFinal
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(v)
	if err != nil {
		return errFinal
	}
	if !hmac.Equal(sig, want) {
		return errSignature
	}
	return nil
}
