package scache

import (
	"reflect"
	"strings"
	"testing"
)

func TestRecordRoundTrip(t *testing.T) {
	r := Record{Kind: KindPut, Fields: []Field{{"key", "ab12"}, {"ext", "SIZE 1000"}, {"ext", "PIPELINING"}, {"tls", "SSL_CIPHER=TLS_AES_128_GCM_SHA256"}}}
	b, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if want := "P\nkey ab12\next SIZE 1000\next PIPELINING\ntls SSL_CIPHER=TLS_AES_128_GCM_SHA256\n"; string(b) != want {
		t.Fatalf("marshal = %q, want %q", b, want)
	}
	got, err := ParseRecord(b)
	if err != nil || !reflect.DeepEqual(got, r) {
		t.Fatalf("parse = %+v, %v", got, err)
	}
}

func TestRecordRefuses(t *testing.T) {
	for _, f := range []Field{{"", "x"}, {"a b", "x"}, {"k", "two\nlines"}, {"k", "nul\x00"}, {"k\x7f", "x"}} {
		if _, err := (Record{Kind: KindGet, Fields: []Field{f}}).Marshal(); err == nil {
			t.Errorf("Marshal took field %q", f)
		}
	}
	if _, err := (Record{Kind: KindGet, Fields: []Field{{"k", strings.Repeat("x", MaxRecord)}}}).Marshal(); err == nil {
		t.Error("Marshal took a record over MaxRecord")
	}
	for _, b := range []string{"", "G", "Gkey x\n", "G\nkey x", "G\nkeyonly\n", "G\n key\n", "\n\n", "G\nk v\x00\n"} {
		if _, err := ParseRecord([]byte(b)); err == nil {
			t.Errorf("ParseRecord took %q", b)
		}
	}
	if r, err := ParseRecord([]byte("N\n")); err != nil || r.Kind != KindNone || len(r.Fields) != 0 {
		t.Errorf("ParseRecord(N) = %+v, %v", r, err)
	}
}

func TestState(t *testing.T) {
	st := State{Born: 1700000000, Count: 3,
		Ext: map[string]string{"PIPELINING": "", "SIZE": "10240000", "CHUNKING": ""},
		TLS: map[string]string{"SSL_PROTOCOL": "TLSv1.3", "TLSWRAP_VERIFY": "certificate verified for mx.test"}}
	text := st.Encode()
	want := "born 1700000000\ncount 3\next CHUNKING\next PIPELINING\next SIZE 10240000\n" +
		"tls SSL_PROTOCOL=TLSv1.3\ntls TLSWRAP_VERIFY=certificate verified for mx.test\n"
	if text != want {
		t.Fatalf("Encode = %q, want %q", text, want)
	}
	got, err := ParseState(text)
	if err != nil || !reflect.DeepEqual(got, st) {
		t.Fatalf("ParseState = %+v, %v", got, err)
	}
	for _, bad := range []string{"", "born 1\n", "count 1\n", "born x\ncount 1\n", "born 1\ncount -1\n", "born 1\ncount 1\next \n", "born 1\ncount 1\ntls novalue\n"} {
		if _, err := ParseState(bad); err == nil {
			t.Errorf("ParseState took %q", bad)
		}
	}
}

func TestStateAuth(t *testing.T) {
	st := State{Born: 7, Count: 2, Auth: true, Ext: map[string]string{"AUTH": "PLAIN"}, TLS: map[string]string{}}
	text := st.Encode()
	if want := "born 7\ncount 2\nauth yes\next AUTH PLAIN\n"; text != want {
		t.Fatalf("Encode = %q, want %q", text, want)
	}
	got, err := ParseState(text)
	if err != nil || !reflect.DeepEqual(got, st) {
		t.Fatalf("ParseState = %+v, %v", got, err)
	}
	// Absent is false, and Encode then writes no auth line at all.
	st.Auth = false
	if text := st.Encode(); strings.Contains(text, "auth") {
		t.Fatalf("Encode without Auth = %q", text)
	}
	if got, err := ParseState("born 1\ncount 1\n"); err != nil || got.Auth {
		t.Fatalf("ParseState without auth = %+v, %v", got, err)
	}
	for _, bad := range []string{"born 1\ncount 1\nauth no\n", "born 1\ncount 1\nauth \n", "born 1\ncount 1\nauth YES\n", "born 1\ncount 1\nauth user\n"} {
		if _, err := ParseState(bad); err == nil {
			t.Errorf("ParseState took %q", bad)
		}
	}
	// A put record carries it to the cache and back as it came.
	p, err := ParsePut(PutRecord("k", ProtoSMTP, 9, State{Born: 1, Count: 1, Auth: true}))
	if err != nil {
		t.Fatal(err)
	}
	if back, err := stateOf(p.State); err != nil || !back.Auth {
		t.Fatalf("state back = %+v, %v", back, err)
	}
}

func TestPut(t *testing.T) {
	st := State{Born: 5, Count: 1, Ext: map[string]string{"PIPELINING": ""}}
	p, err := ParsePut(PutRecord("k1", ProtoSMTP, 99, st))
	if err != nil || p.Key != "k1" || p.Proto != ProtoSMTP || p.Expires != 99 {
		t.Fatalf("ParsePut = %+v, %v", p, err)
	}
	back, err := stateOf(p.State)
	if err != nil || !reflect.DeepEqual(back, State{Born: 5, Count: 1, Ext: st.Ext, TLS: map[string]string{}}) {
		t.Fatalf("state back = %+v, %v", back, err)
	}
	for _, r := range []Record{
		{Kind: KindGet, Fields: PutRecord("k", ProtoSMTP, 1, st).Fields},
		PutRecord("", ProtoSMTP, 1, st),
		PutRecord("k", "lmtp", 1, st),
		{Kind: KindPut, Fields: []Field{{"key", "k"}, {"proto", "smtp"}, {"expires", "x"}}},
		{Kind: KindPut, Fields: []Field{{"key", "k"}, {"proto", "smtp"}, {"expires", "1"}}},
	} {
		if _, err := ParsePut(r); err == nil {
			t.Errorf("ParsePut took %+v", r)
		}
	}
}
