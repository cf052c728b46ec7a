package main

import (
	"bufio"
	"bytes"
	"strings"
	"testing"

	"qmail-remote-go/lib/netstring"
	"qmail-remote-go/lib/report"
)

// FuzzSession: whatever the server sends, the session exits 0 with a
// report stream that qmail-remote's report.Parse accepts, whose
// recipient reports are one line each; a K comes only when the server's
// bytes are exactly one K response per recipient; and the package on the
// wire always ends in the recipient list (the message is never cut).
func FuzzSession(f *testing.F) {
	for _, tt := range transcripts {
		f.Add(tt.server, tt.msg, uint8(len(tt.rcpts)))
	}
	f.Add("3:Kok,3:Kok,", "x", uint8(2))
	f.Fuzz(func(t *testing.T, server, msg string, n uint8) {
		nrcpt := 1 + int(n%3)
		rcpts := []string{"b@y", "c@y", "d@y"}[:nrcpt]
		var client, out bytes.Buffer
		s := &session{r: bufio.NewReader(strings.NewReader(server)), w: bufio.NewWriter(&client),
			msg: strings.NewReader(msg), size: int64(len(msg)), out: &out, ip: "192.0.2.1"}
		if exit, diag := s.run("a@x", rcpts); exit != 0 || diag != "" {
			t.Fatalf("exit %d %q", exit, diag)
		}
		reps, err := report.Parse(out.Bytes(), nrcpt)
		if err != nil {
			t.Fatalf("reports %q: %v", out.String(), err)
		}
		for _, r := range reps[:len(reps)-1] {
			if !strings.HasPrefix(r.Text, "qmtp: ") || strings.Count(r.Text, "\n") != 1 || !strings.HasSuffix(r.Text, "\n") {
				t.Fatalf("recipient report %q", r.Text)
			}
		}
		if reps[len(reps)-1].Letter == 'K' {
			// The server's bytes, read independently, must be exactly one
			// K response per recipient, each shown cleaned in its report.
			br := bufio.NewReader(strings.NewReader(server))
			for i := range nrcpt {
				data, err := netstring.Read(br, maxReply)
				if err != nil || len(data) == 0 || data[0] != 'K' || reps[i].Text != "qmtp: "+clean(data[1:])+"\n" {
					t.Fatalf("K from %q: response %d %q %v, report %q", server, i+1, data, err, reps[i].Text)
				}
			}
			if br.Buffered() > 0 {
				t.Fatalf("K from %q with bytes left over", server)
			}
		}
		if !strings.HasSuffix(client.String(), ",,") {
			t.Fatalf("package %q", client.String())
		}
	})
}

// clean is SPEC 6's text rule, written plainly: CR dropped, other bytes
// outside 32..126 shown as '?', the first 5000 kept.
func clean(b []byte) string {
	s := report.Printable(strings.ReplaceAll(string(b), "\r", ""))
	return s[:min(len(s), maxText)]
}
