package scache

import (
	"bytes"
	"testing"
)

// FuzzRecord: whatever a client sends, ParseRecord and ParsePut never
// panic; a record that parses marshals back to the same bytes (so the
// cache hands out a put's state exactly as it came), and a put that
// parses has a key, a known proto and a state that parses.
func FuzzRecord(f *testing.F) {
	for _, s := range []string{
		"G\nkey ab12\n", "N\n", "S\nborn 1\ncount 2\next PIPELINING\ntls SSL_PROTOCOL=TLSv1.3\n",
		"P\nkey k\nproto smtp\nexpires 99\nborn 1\ncount 1\next SIZE 1000\n", "P\nkey k\nproto qmtp\n",
		"G\nkey\n", "\n\n", "G\nk v\x00\n", "P\nkey k\nproto smtp\nexpires -1\nborn 1\ncount -1\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRecord(b)
		if err != nil {
			return
		}
		back, err := r.Marshal()
		if err != nil || !bytes.Equal(back, b) {
			t.Fatalf("%q parsed to %+v, marshals to %q, %v", b, r, back, err)
		}
		p, err := ParsePut(r)
		if err != nil {
			return
		}
		if p.Key == "" || p.Proto != ProtoSMTP && p.Proto != ProtoQMTP || r.Kind != KindPut {
			t.Fatalf("%q: a put %+v", b, p)
		}
		if _, err := stateOf(p.State); err != nil {
			t.Fatalf("%q: the put's state %v", b, err)
		}
		if _, err := (Record{Kind: KindSession, Fields: p.State}).Marshal(); err != nil {
			t.Fatalf("%q: the state cannot go out again: %v", b, err)
		}
	})
}
