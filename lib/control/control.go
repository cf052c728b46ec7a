// Package control reads qmail's control files the way qmail's control.c
// does: a missing file means "use the default", any other error is a
// temporary failure, single-value files use their first line only.
// See SPEC 4.1 and qmail-remote(8), CONTROL FILES.
package control

import (
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// Home is the default qmail home; the Makefile sets it with -X.
var Home = "/var/qmail"

// HomeDir returns $QMAILHOME, or Home when it is unset or empty.
func HomeDir() string {
	if h := os.Getenv("QMAILHOME"); h != "" {
		return h
	}
	return Home
}

// Dir is the folder the control files are read from, relative to the
// qmail home that qmail-remote changes into.
const Dir = "control/"

// read returns the file's contents; ok is false when it does not exist.
func read(name string) (data string, ok bool, err error) {
	b, err := os.ReadFile(Dir + name)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return string(b), true, nil
}

// trimRight removes trailing spaces, tabs and CRs (and the newline).
func trimRight(s string) string { return strings.TrimRight(s, " \t\r\n") }

// ReadLine returns the first line of a single-value file with trailing
// white space removed (leading white space is kept, as in control.c).
func ReadLine(name string) (value string, ok bool, err error) {
	data, ok, err := read(name)
	if !ok || err != nil {
		return "", ok, err
	}
	first, _, _ := strings.Cut(data, "\n")
	return trimRight(first), true, nil
}

// ReadInt returns the leading decimal digits of the file's first line,
// or def when the file is missing or its first line starts with no digit.
// Values are capped at max so that later arithmetic cannot overflow.
func ReadInt(name string, def, max int) (int, error) {
	line, ok, err := ReadLine(name)
	if !ok || err != nil {
		return def, err
	}
	n, digits := 0, 0
	for ; digits < len(line) && line[digits] >= '0' && line[digits] <= '9'; digits++ {
		if n <= max {
			n = n*10 + int(line[digits]-'0')
		}
	}
	if digits == 0 {
		return def, nil
	}
	return min(n, max), nil
}

// An Entry is the value of one table line and where it came from.
type Entry struct {
	Value string
	Where string // e.g. "control/smtproutes line 3", for error reports
}

// A Table is a control file of key:value lines. Keys are matched
// ASCII-case-insensitively; when a key appears twice the last line wins.
type Table map[string]Entry

// ReadTable reads a table file. Trailing white space is removed from each
// line; empty lines and lines starting with '#' are ignored (SPEC 4.1).
// A line without ':' cannot mean anything: it is a *SyntaxError (SPEC
// D34), never skipped in silence. A missing file is an empty table.
func ReadTable(name string) (Table, error) {
	t, _, err := ReadTableFound(name)
	return t, err
}

// ReadTableFound is ReadTable that also tells whether the file exists,
// for files whose absence means something of its own (tlsdestinations,
// SPEC D7).
func ReadTableFound(name string) (Table, bool, error) {
	lines, bad, ok, err := ReadLines(name)
	if err != nil {
		return Table{}, ok, err
	}
	if len(bad) > 0 {
		return Table{}, ok, bad[0]
	}
	return TableOf(lines), ok, nil
}

// A Line is a line of a table file that holds a key, in file order.
type Line struct {
	Key   string // as written
	Value string
	N     int    // its line number, from 1
	Where string // "control/<name> line N"
}

// A SyntaxError is a line that cannot mean anything (SPEC D34).
type SyntaxError struct {
	Where string // "control/<name> line N"
	N     int    // the line number
	Why   string
}

func (e *SyntaxError) Error() string { return e.Where + ": " + e.Why }

// ReadLines reads a table file line by line: the lines that hold a key,
// and the lines without ':' (bad). ok is false when the file does not
// exist. qmail-rcheck reads every line this way; ReadTable keeps the
// last line of each key.
func ReadLines(name string) (lines []Line, bad []*SyntaxError, ok bool, err error) {
	data, ok, err := read(name)
	if !ok || err != nil {
		return nil, nil, ok, err
	}
	for i, line := range strings.Split(data, "\n") {
		line = trimRight(line)
		if line == "" || line[0] == '#' {
			continue
		}
		where := Dir + name + " line " + strconv.Itoa(i+1)
		key, value, found := cutKey(line)
		if !found {
			bad = append(bad, &SyntaxError{where, i + 1, "no ':' in the line"})
			continue
		}
		lines = append(lines, Line{key, value, i + 1, where})
	}
	return lines, bad, true, nil
}

// cutKey splits a line at the ':' that ends its key: the first one, or
// when the key holds an address literal, the first after its ']', so
// that [IPv6:2001:db8::1] can be a key (SPEC D27).
func cutKey(line string) (key, value string, found bool) {
	i := strings.IndexByte(line, ':')
	if i < 0 {
		return line, "", false
	}
	if b := strings.IndexByte(line[:i], '['); b >= 0 && !strings.Contains(line[b:i], "]") {
		if e := strings.IndexByte(line[i:], ']'); e >= 0 {
			if j := strings.IndexByte(line[i+e:], ':'); j >= 0 {
				return line[:i+e+j], line[i+e+j+1:], true
			}
		}
	}
	return line[:i], line[i+1:], true
}

// TableOf makes the table of lines: keys folded, the last line of a key
// wins.
func TableOf(lines []Line) Table {
	t := Table{}
	for _, l := range lines {
		t[Lower(l.Key)] = Entry{l.Value, l.Where}
	}
	return t
}

// Get looks key up ASCII-case-insensitively.
func (t Table) Get(key string) (Entry, bool) {
	e, ok := t[Lower(key)]
	return e, ok
}

// Lower folds ASCII letters only, as qmail's case_diffs does.
func Lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// ReadNumber returns the number on the first line of a single-value
// file, def when the file is missing. Unlike ReadInt (qmail's own files,
// read as qmail reads them), the line must be a decimal number from lo
// to hi and nothing else but trailing white space: anything else is a
// *SyntaxError naming line 1 (SPEC D34). For the files qmail never had.
func ReadNumber(name string, def, lo, hi int) (int, error) {
	line, ok, err := ReadLine(name)
	if !ok || err != nil {
		return def, err
	}
	where := Dir + name + " line 1"
	if line == "" || strings.Trim(line, "0123456789") != "" {
		return def, &SyntaxError{where, 1, "not a number: " + strconv.Quote(line)}
	}
	n, err := strconv.Atoi(line)
	if err != nil || n < lo || n > hi {
		return def, &SyntaxError{where, 1, "not from " + strconv.Itoa(lo) + " to " + strconv.Itoa(hi) + ": " + line}
	}
	return n, nil
}
