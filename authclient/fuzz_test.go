package main

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
	"testing"

	"qmail-remote-go/lib/report"
)

// FuzzParseServerFirst: whatever the server-first-message, the parser
// does not panic, and what it accepts has our nonce first, a salt, and
// an iteration count from minIter to maxIter that is written in msg as
// given, and a server nonce of its own after ours.
func FuzzParseServerFirst(f *testing.F) {
	for _, s := range []string{rfcSF, "m=x," + rfcSF, "r=N,s=QQ==,i=1", "r=N,s=QQ==,i=1048577", "r=,s=,i=", ",,,", ""} {
		f.Add(s, "N")
		f.Add(s, rfcNonce)
	}
	f.Fuzz(func(t *testing.T, msg, nonce string) {
		s, err := parseServerFirst(msg, nonce)
		if err != nil {
			return
		}
		if !strings.HasPrefix(s.nonce, nonce) || len(s.nonce) <= len(nonce) || !printable(s.nonce) || len(s.salt) == 0 || s.iter < minIter || s.iter > maxIter || s.raw != msg {
			t.Fatalf("%q -> %+v", msg, s)
		}
		if !strings.HasPrefix(msg, "r="+s.nonce+",s=") || !strings.Contains(msg, ",i="+strconv.Itoa(s.iter)) {
			t.Fatalf("%q -> %+v", msg, s)
		}
	})
}

// FuzzDecodeChallenge: any reply capture decodes or is refused without
// a panic, and a decoded challenge is never longer than its text.
func FuzzDecodeChallenge(f *testing.F) {
	for _, s := range []string{"334 " + cramCh + "\n", "334 \n", "334\n", "334-x\n334 y\n", "334 YW?j\n", "3\n", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		b, ok := decodeChallenge(text)
		if ok && len(b) > len(text) {
			t.Fatalf("%q -> %d bytes", text, len(b))
		}
	})
}

// FuzzExchange: whatever the server sends, every mechanism ends with
// either "AUTH=user\n" and exit 0, after a 235 and nothing buffered, or
// one Z (exit 111) or D (exit 100) report that report.Parse accepts;
// it never sends more than its fixed number of lines, and no line but
// base64 or its own AUTH command.
func FuzzExchange(f *testing.F) {
	for _, tt := range transcripts {
		f.Add(tt.mech, tt.server)
	}
	f.Fuzz(func(t *testing.T, mech, server string) {
		if choose([]string{mech}) == "" {
			return
		}
		mech = choose([]string{mech})
		var sent bytes.Buffer
		c := &client{r: bufio.NewReader(strings.NewReader(server)), w: bufio.NewWriter(&sent), ip: ip, nonce: func() string { return rfcNonce }}
		out, exit := outcome(c.auth(mech, "user", "pencil"), "user")
		switch exit {
		case 0:
			if string(out) != okUser || !strings.Contains(server, "235") {
				t.Fatalf("exit 0 with %q from %q", out, server)
			}
		case 100, 111:
			reps, err := report.Parse(out, 0)
			if err != nil || (exit == 100) != (reps[0].Letter == 'D') || reps[0].Letter == 'K' {
				t.Fatalf("exit %d with %q: %v", exit, out, err)
			}
		default:
			t.Fatalf("exit %d", exit)
		}
		lines := strings.Split(strings.TrimSuffix(sent.String(), "\r\n"), "\r\n")
		if len(lines) > 4 || !strings.HasPrefix(lines[0], "AUTH "+mech) {
			t.Fatalf("sent %q", sent.String())
		}
		for _, l := range lines[1:] {
			if strings.Trim(l, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != "" {
				t.Fatalf("sent %q", sent.String())
			}
		}
	})
}
