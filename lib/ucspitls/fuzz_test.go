package ucspitls

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParse: Parse never panics; a block made by Encode parses back
// complete, to the entries that had '=' (the last one of a name wins),
// and Read returns exactly that block; a failure block is never complete.
func FuzzParse(f *testing.F) {
	f.Add("SSL_PROTOCOL=TLSv1.3\x00SSL_TLS_SNI_SERVERNAME\x00A=b=c", []byte("A=1\x00\x00"))
	f.Add("", []byte(""))
	f.Add("\x00\x00", []byte("\x00"))
	f.Fuzz(func(t *testing.T, joined string, raw []byte) {
		Parse(raw)
		var entries []string
		want := map[string]string{}
		for _, e := range strings.Split(joined, "\x00") {
			e = strings.NewReplacer("\r", "?", "\n", "?").Replace(e)
			if e == "" {
				continue
			}
			entries = append(entries, e)
			if name, value, ok := strings.Cut(e, "="); ok {
				want[name] = value
			}
		}
		b := Encode(entries)
		env, complete := Parse(b)
		if !complete || len(env) != len(want) {
			t.Fatalf("%q: %q complete=%v, want %q", b, env, complete, want)
		}
		for k, v := range want {
			if env[k] != v {
				t.Fatalf("%q: %s=%q, want %q", b, k, env[k], v)
			}
		}
		got, err := Read(bytes.NewReader(append(b, "more"...)), len(b))
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("Read(%q) = %q, %v", b, got, err)
		}
		if _, complete := Parse(EncodeFailure(joined, joined, joined)); complete {
			t.Fatalf("failure block %q complete", EncodeFailure(joined, joined, joined))
		}
	})
}
