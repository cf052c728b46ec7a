package control

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
)

// tempHome makes a folder with a control/ folder in it. Each fuzz input
// changes into it for its run only (t.Chdir), so that crashers are still
// written to this package's testdata/fuzz.
func tempHome(f *testing.F) string {
	dir := f.TempDir()
	if err := os.Mkdir(dir+"/control", 0o755); err != nil {
		f.Fatal(err)
	}
	return dir
}

func put(t *testing.T, name, data string) {
	if err := os.WriteFile(Dir+name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// FuzzReadTable checks ReadTable against a model of SPEC 4.1 and D34:
// every line with trailing white space removed, empty and '#' lines
// skipped, the first line without ':' a syntax error naming it, key
// before the first ':' folded to lower case, the last line of a key
// wins; the table never has more entries than lines.
func FuzzReadTable(f *testing.F) {
	home := tempHome(f)
	for _, s := range []string{
		"example.com:relay.example.com:26\n.example.com:\n:[192.0.2.25];2525\n!@:bounces.example.net\n",
		"# comment\n\nnocolon\nA:1\na:2 \t\r\n", ":x|user|pa:ss|word", "\x00:\xff\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		t.Chdir(home)
		put(t, "table", data)
		tab, err := ReadTable("table")
		want := map[string]string{}
		lines := strings.Split(data, "\n")
		for n, l := range lines {
			l = strings.TrimRight(l, " \t\r\n")
			if l == "" || l[0] == '#' {
				continue
			}
			i := strings.IndexByte(l, ':')
			if i < 0 {
				var se *SyntaxError
				if !errors.As(err, &se) || se.Where != "control/table line "+strconv.Itoa(n+1) || len(tab) != 0 {
					t.Fatalf("line %d has no ':': got %v, %v", n+1, tab, err)
				}
				return
			}
			k := []byte(l[:i])
			for j, c := range k {
				if 'A' <= c && c <= 'Z' {
					k[j] = c + 32
				}
			}
			want[string(k)] = l[i+1:]
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(tab) != len(want) || len(tab) > len(lines) {
			t.Fatalf("%d entries, want %d", len(tab), len(want))
		}
		for k, v := range want {
			e, ok := tab.Get(k)
			if !ok || e.Value != v || !strings.HasPrefix(e.Where, "control/table line ") {
				t.Fatalf("key %q: got %+v %v, want %q", k, e, ok, v)
			}
		}
	})
}

// FuzzReadLine: the value is the first line, only trailing space, tab
// and CR removed; it never holds a newline.
func FuzzReadLine(f *testing.F) {
	home := tempHome(f)
	f.Add(" mail.example.org \t\r\nsecond\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, data string) {
		t.Chdir(home)
		put(t, "me", data)
		v, ok, err := ReadLine("me")
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		first, _, _ := strings.Cut(data, "\n")
		if v != strings.TrimRight(first, " \t\r") || strings.ContainsRune(v, '\n') {
			t.Fatalf("%q -> %q", data, v)
		}
	})
}

// FuzzReadInt: the leading digits of the first line, capped at max, or
// the default when there are none; never negative, never above max.
func FuzzReadInt(f *testing.F) {
	home := tempHome(f)
	for _, s := range []string{"60\n", "60s", " 60", "", "99999999999999999999999", "-5", "0"} {
		f.Add(s)
	}
	const def, max = 1200, 86400
	f.Fuzz(func(t *testing.T, data string) {
		t.Chdir(home)
		put(t, "timeoutremote", data)
		n, err := ReadInt("timeoutremote", def, max)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(data, "\n")
		digits := strings.TrimRight(first, " \t\r")
		end := 0
		for end < len(digits) && digits[end] >= '0' && digits[end] <= '9' {
			end++
		}
		digits = strings.TrimLeft(digits[:end], "0")
		want := def
		switch {
		case end == 0:
		case len(digits) > 6:
			want = max
		default:
			v := 0
			for _, c := range digits {
				v = v*10 + int(c-'0')
			}
			want = min(v, max)
		}
		if n != want || n < 0 || n > max {
			t.Fatalf("%q -> %d, want %d", data, n, want)
		}
	})
}
