package main

import "testing"

func TestParse(t *testing.T) {
	good := map[string]command{
		"send 250 ok":           {op: "send", text: []byte("250 ok")},
		`raw 250 a\0b\xe9\r\n`:  {op: "raw", text: []byte("250 a\x00b\xe9\r\n")},
		`repeat 3 250-x\r\n`:    {op: "repeat", n: 3, text: []byte("250-x\r\n")},
		"sleep 20":              {op: "sleep", n: 20},
		"read":                  {op: "read"},
		"hold":                  {op: "hold"},
		"flush":                 {op: "flush"},
		"expect EHLO h":         {op: "expect", text: []byte("EHLO h")},
		`send a\\b\tc`:          {op: "send", text: []byte("a\\b\tc")},
		"send ":                 {op: "send", text: []byte("")},
		`trickle 700 220 x\r\n`: {op: "trickle", n: 700, text: []byte("220 x\r\n")},
		"notify /tmp/f":         {op: "notify", text: []byte("/tmp/f")},
		"clientcert /tmp/s":     {op: "clientcert", text: []byte("/tmp/s")},
	}
	for in, want := range good {
		c, err := parse(in)
		if err != nil || c.op != want.op || c.n != want.n || string(c.text) != string(want.text) {
			t.Errorf("parse(%q) = %+v, %v", in, c, err)
		}
	}
	for _, in := range []string{"bogus", `send \q`, `send \x4`, `send \xzz`, `send a\`, "repeat x y", "repeat -1 y", "sleep", "read now", "hang 3", "hold on", "flush now", "trickle x y", "trickle -1 y", "notify", "clientcert", "tls", "tls a", "tls /nonexistent /nonexistent", "tls12 a b c", "tlsca /nonexistent", "scram", "scram u", "scram u p x", "scram u p badsig x"} {
		if _, err := parse(in); err == nil {
			t.Errorf("parse(%q) accepted", in)
		}
	}
}
