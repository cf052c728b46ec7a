package main

import (
	"bytes"
	"fmt"
	"testing"
)

func TestRun(t *testing.T) {
	env := func(k string) string {
		return map[string]string{"DNSCACHEIP": "127.0.0.1:1", "MXLOOKUP_DEADLINE": "1"}[k]
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"[192.0.2.7]"}, "0 0 192.0.2.7 [192.0.2.7]\n|"},
		{[]string{"-a", "192.0.2.7"}, "0 0 192.0.2.7 192.0.2.7\n|"},
		{[]string{"[IPv6:2001:DB8::7]"}, "0 0 2001:db8::7 [IPv6:2001:DB8::7]\n|"},
		{[]string{"[2001:db8::7]"}, "0 0 2001:db8::7 [2001:db8::7]\n|"},
		{[]string{"--", "[::ffff:192.0.2.7]"}, "0 0 192.0.2.7 [::ffff:192.0.2.7]\n|"},
		{[]string{"-t", "25", "[192.0.2.7]"}, "0 0 192.0.2.7 [192.0.2.7] -\n|"},
		{[]string{"-t", "70000", "[192.0.2.7]"}, "100 |usage: mxlookup [-a | -s] [-t port] name (qmail-remote-go unknown)\n"},
		{[]string{"-t", "x", "[192.0.2.7]"}, "100 |usage: mxlookup [-a | -s] [-t port] name (qmail-remote-go unknown)\n"},
		{nil, "100 |usage: mxlookup [-a | -s] [-t port] name (qmail-remote-go unknown)\n"},
		{[]string{""}, "100 |usage: mxlookup [-a | -s] [-t port] name (qmail-remote-go unknown)\n"},
		{[]string{"-h"}, "100 |usage: mxlookup [-a | -s] [-t port] name (qmail-remote-go unknown)\n"},
		{[]string{"-x", "a"}, "100 |usage: mxlookup [-a | -s] [-t port] name (qmail-remote-go unknown)\n"},
		{[]string{"a", "b"}, "100 |usage: mxlookup [-a | -s] [-t port] name (qmail-remote-go unknown)\n"},
		{[]string{"-a", "-s", "a"}, "100 |usage: mxlookup [-a | -s] [-t port] name (qmail-remote-go unknown)\n"},
		{[]string{"-s", "[192.0.2.7]"}, "0 0 192.0.2.7 [192.0.2.7]\n|"},
		{[]string{"-s", "-t", "25", "[192.0.2.7]"}, "0 0 192.0.2.7 [192.0.2.7] -\n|"},
		{[]string{"-s", "example.test"}, "111 Sorry, I couldn't find any host named: example.test. (#4.1.2)\n|"},
		{[]string{"example.test"}, "111 Sorry, I couldn't find any host named: example.test. (#4.1.2)\n|"},
	} {
		var out, errs bytes.Buffer
		code := run(c.args, &out, &errs, env)
		if got := fmt.Sprintf("%d %s|%s", code, out.String(), errs.String()); got != c.want {
			t.Errorf("%q: got %q, want %q", c.args, got, c.want)
		}
	}
}

func TestRunLocal(t *testing.T) {
	for _, c := range []struct{ k, v, want string }{
		{"DNSCACHEIP", "nonsense", "111 Unable to parse $DNSCACHEIP: not an address: \"nonsense\". (#4.3.0)\n"},
		{"MXLOOKUP_DEADLINE", "61", "111 Unable to parse $MXLOOKUP_DEADLINE: not a number of seconds from 1 to 60. (#4.3.0)\n"},
	} {
		env := func(k string) string {
			if k == c.k {
				return c.v
			}
			return map[string]string{"DNSCACHEIP": "127.0.0.1:1"}[k]
		}
		var out bytes.Buffer
		code := run([]string{"example.test"}, &out, &out, env)
		if got := fmt.Sprintf("%d %s", code, out.String()); got != c.want {
			t.Errorf("%s=%s: got %q, want %q", c.k, c.v, got, c.want)
		}
	}
}
