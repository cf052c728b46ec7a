package control

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// inHome makes a temporary qmail home with the given control files and
// changes into it for the rest of the test.
func inHome(t *testing.T, files map[string]string) {
	t.Helper()
	home := t.TempDir()
	os.Mkdir(filepath.Join(home, "control"), 0o755)
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(home, "control", name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(home)
}

func TestReadLine(t *testing.T) {
	inHome(t, map[string]string{
		"me":       "  mail.example.org \t\r\nsecond\n",
		"helohost": "",
		"nolf":     "x.example",
	})
	tests := []struct {
		name, want string
		ok         bool
	}{
		{"me", "  mail.example.org", true},
		{"helohost", "", true},
		{"nolf", "x.example", true},
		{"missing", "", false},
	}
	for _, tt := range tests {
		got, ok, err := ReadLine(tt.name)
		if err != nil || ok != tt.ok || got != tt.want {
			t.Errorf("ReadLine(%q) = %q, %v, %v; want %q, %v", tt.name, got, ok, err, tt.want, tt.ok)
		}
	}
}

func TestReadLineUnreadable(t *testing.T) {
	inHome(t, nil)
	os.Mkdir("control/me", 0o755) // a folder cannot be read as a file
	if _, _, err := ReadLine("me"); err == nil {
		t.Fatal("want an error for an unreadable control file")
	}
	if _, err := ReadTable("me"); err == nil {
		t.Fatal("want an error for an unreadable table")
	}
}

func TestReadInt(t *testing.T) {
	inHome(t, map[string]string{
		"a": "60s\n", "b": "x60\n", "c": "", "d": "99999999999999999999999\n", "e": " 5\n", "f": "0\n",
	})
	tests := []struct {
		name string
		want int
	}{
		{"a", 60}, {"b", 7}, {"c", 7}, {"d", 1000}, {"e", 7}, {"f", 0}, {"missing", 7},
	}
	for _, tt := range tests {
		got, err := ReadInt(tt.name, 7, 1000)
		if err != nil || got != tt.want {
			t.Errorf("ReadInt(%q) = %d, %v; want %d", tt.name, got, err, tt.want)
		}
	}
}

func TestReadTable(t *testing.T) {
	inHome(t, map[string]string{"smtproutes": "# comment\n\nExample.COM:relay.example:26  \n\n:default:1:2\nexample.com:second\n\t:tab\n"})
	tab, err := ReadTable("smtproutes")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Entry{
		"example.com": {"second", "control/smtproutes line 6"},
		"":            {"default:1:2", "control/smtproutes line 5"},
		"\t":          {"tab", "control/smtproutes line 7"},
	}
	if len(tab) != len(want) {
		t.Fatalf("got %v", tab)
	}
	for k, w := range want {
		if got, ok := tab.Get(k); !ok || got != w {
			t.Errorf("Get(%q) = %v, %v; want %v", k, got, ok, w)
		}
	}
	if got, ok := tab.Get("EXAMPLE.com"); !ok || got.Value != "second" {
		t.Errorf("case-insensitive Get failed: %v", got)
	}
	empty, err := ReadTable("missing")
	if err != nil || len(empty) != 0 {
		t.Errorf("missing table: %v, %v", empty, err)
	}
}

// TestReadTableNoColon: SPEC D34, a line without ':' is a syntax error
// naming its line, not a line skipped in silence; ReadLines gives
// every one of them, and the lines that hold a key in order.
func TestReadTableNoColon(t *testing.T) {
	inHome(t, map[string]string{"tlsdestinations": "# rules\n=mx.example.com:\n\n%mx.example.org=ABCD\nmx.example.net\n-*:\n"})
	tab, err := ReadTable("tlsdestinations")
	var se *SyntaxError
	if !errors.As(err, &se) || err.Error() != "control/tlsdestinations line 4: no ':' in the line" || len(tab) != 0 {
		t.Fatalf("got %v, %v", tab, err)
	}
	lines, bad, ok, err := ReadLines("tlsdestinations")
	if err != nil || !ok || len(bad) != 2 || bad[1].Where != "control/tlsdestinations line 5" {
		t.Fatalf("bad lines %v, %v, %v", bad, ok, err)
	}
	want := []Line{{"=mx.example.com", "", 2, "control/tlsdestinations line 2"}, {"-*", "", 6, "control/tlsdestinations line 6"}}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("lines %v, want %v", lines, want)
	}
}

// TestReadLinesLiteralKey: a key that holds an address literal ends at
// the first ':' after its ']', so an IPv6 literal can be a key (D27);
// every other key ends at the first ':'.
func TestReadLinesLiteralKey(t *testing.T) {
	inHome(t, map[string]string{"tlsdestinations": "=[IPv6:2001:db8::1]:/ca.pem\n[IPv6:2001:db8::2]::26\n[192.0.2.1]:x:y\nmx.test:[2001:db8::3]:25\n[no-end:a\n"})
	lines, bad, _, err := ReadLines("tlsdestinations")
	if err != nil || len(bad) != 0 {
		t.Fatalf("%v, %v", bad, err)
	}
	want := []Line{
		{"=[IPv6:2001:db8::1]", "/ca.pem", 1, "control/tlsdestinations line 1"},
		{"[IPv6:2001:db8::2]", ":26", 2, "control/tlsdestinations line 2"},
		{"[192.0.2.1]", "x:y", 3, "control/tlsdestinations line 3"},
		{"mx.test", "[2001:db8::3]:25", 4, "control/tlsdestinations line 4"},
		{"[no-end", "a", 5, "control/tlsdestinations line 5"},
	}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("lines %v\nwant %v", lines, want)
	}
}

// TestReadNumber: a file qmail never had holds one decimal number in
// its range, or it is a syntax error naming line 1 (SPEC D34); a missing
// file is the default.
func TestReadNumber(t *testing.T) {
	inHome(t, map[string]string{
		"a": "60 \t\r\n# not read\n", "b": "60s\n", "c": "", "d": "99999999999999999999999\n", "e": " 5\n",
		"f": "0\n", "g": "-1\n", "h": "1001\n", "i": "\n5\n",
	})
	for _, tt := range []struct {
		name string
		want int
		why  string
	}{
		{"a", 60, ""}, {"f", 0, ""}, {"missing", 7, ""},
		{"b", 7, `control/b line 1: not a number: "60s"`},
		{"c", 7, `control/c line 1: not a number: ""`},
		{"d", 7, "control/d line 1: not from 0 to 1000: 99999999999999999999999"},
		{"e", 7, `control/e line 1: not a number: " 5"`},
		{"g", 7, `control/g line 1: not a number: "-1"`},
		{"h", 7, "control/h line 1: not from 0 to 1000: 1001"},
		{"i", 7, `control/i line 1: not a number: ""`},
	} {
		got, err := ReadNumber(tt.name, 7, 0, 1000)
		var se *SyntaxError
		switch {
		case tt.why == "" && (err != nil || got != tt.want):
			t.Errorf("ReadNumber(%q) = %d, %v; want %d", tt.name, got, err, tt.want)
		case tt.why != "" && (!errors.As(err, &se) || se.N != 1 || err.Error() != tt.why || got != tt.want):
			t.Errorf("ReadNumber(%q) = %d, %v; want %d, %s", tt.name, got, err, tt.want, tt.why)
		}
	}
}
