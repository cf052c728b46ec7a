package main

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"

	"qmail-remote-go/lib/tcpto"
)

func TestUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"-c", "a.test"}, {"-c", "-p"}, {"a", "b", "c"}, {"-x", "a"}, {"-p"}, {""}} {
		var out, errs bytes.Buffer
		if code := run(args, &out, &errs); code != 100 || out.Len() != 0 || !strings.HasPrefix(errs.String(), "usage: qmail-rcheck [-p] host [sender] | qmail-rcheck -c") {
			t.Errorf("%q: %d, %q, %q", args, code, out.String(), errs.String())
		}
	}
}

// TestTcptoState: the skip window of qmail-remote depends on its pid,
// 3840 to 5824 s; what the table says for each age.
func TestTcptoState(t *testing.T) {
	const now = 1_700_000_000
	a := netip.MustParseAddr("192.0.2.7")
	table := func(count int, ago int64) *tcpto.Table {
		var tb tcpto.Table
		tb[0] = 2 // AF_INET
		tb[4] = byte(count)
		binary.LittleEndian.PutUint32(tb[8:12], uint32(now-ago))
		copy(tb[16:20], a.AsSlice())
		return &tb
	}
	tests := []struct {
		t    *tcpto.Table
		want string
	}{
		{nil, "timeout table unreadable: every address is tried"},
		{&tcpto.Table{}, "timeout table: no record"},
		{table(0, 10), "timeout table: no recent errors"},
		{table(1, 10), "timeout table: 1 errors, the last 10 s ago: tried"},
		{table(2, 10), "timeout table: 2 errors, the last 10 s ago: SKIPPED (dead for another 3830 to 5814 s)"},
		{table(5, 4000), "timeout table: 5 errors, the last 4000 s ago: skipped by some processes for up to 1824 s more"},
		{table(5, 6000), "timeout table: 5 errors, the last 6000 s ago: tried"},
	}
	for _, tt := range tests {
		if got := tcptoState(tt.t, a, now); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestColons(t *testing.T) {
	if got := colons([]byte{0xce, 0x97, 0x0a}); got != "CE:97:0A" {
		t.Errorf("colons: %q", got)
	}
}

// TestTraceKey: the tracedestinations keys qmail-remote's lookup can
// reach (a name, a .suffix, "*") pass; the others are named.
func TestTraceKey(t *testing.T) {
	for k, ok := range map[string]bool{
		"a.test": true, ".a.test": true, "*": true, "A.Test": true, "[192.0.2.1]": true,
		"": false, "a .test": false, "a\ttest": false, "a.test.": false, ".": false, "*.a.test": false, "a*": false,
	} {
		if got := traceKey(k) == ""; got != ok {
			t.Errorf("traceKey(%q) = %q", k, traceKey(k))
		}
	}
}
