package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"qmail-remote-go/lib/addr"
	"qmail-remote-go/lib/control"
	"qmail-remote-go/lib/plan"
	"qmail-remote-go/lib/route"
	"qmail-remote-go/lib/tlspolicy"
)

// A checker collects what -c finds.
type checker struct {
	w           *bufio.Writer
	errs, warns int
	unreadable  bool
	found       []finding // of the file being checked
}

// A finding is one line of output, and where it sorts.
type finding struct {
	n    int
	text string
}

func (c *checker) err(where, why string) {
	c.errs++
	c.add(where, "error: "+why)
}

func (c *checker) warn(where, why string) {
	c.warns++
	c.add(where, "warning: "+why)
}

func (c *checker) add(where, text string) {
	_, n, _ := strings.Cut(where, " line ")
	line, _ := strconv.Atoi(n)
	c.found = append(c.found, finding{line, where + ": " + text})
}

// flush prints the findings of a file in line order.
func (c *checker) flush() {
	slices.SortStableFunc(c.found, func(a, b finding) int { return a.n - b.n })
	for _, f := range c.found {
		fmt.Fprintln(c.w, f.text)
	}
	c.found = c.found[:0]
}

// lineErr prints a parser's error, which names the line already.
func (c *checker) lineErr(err error) {
	where, why, ok := strings.Cut(err.Error(), ": ")
	if !ok {
		where, why = "control", err.Error()
	}
	c.err(where, why)
}

// checkAll reads every control file qmail-remote reads, with the
// parsers qmail-remote uses, every line of every table whatever host
// it is for.
func checkAll(w *bufio.Writer) int {
	c := &checker{w: w}
	c.names()
	c.flush()
	for _, name := range []string{"timeoutconnect", "timeoutremote"} {
		c.timeout(name)
		c.flush()
	}
	c.sessionLimits()
	c.flush()
	c.table("smtproutes", func(l control.Line, e control.Entry) {
		c.routeLine(route.SMTP, l, e)
	})
	c.flush()
	c.table("qmtproutes", func(l control.Line, e control.Entry) {
		c.routeLine(route.QMTP, l, e)
	})
	c.flush()
	c.table("authsenders", func(l control.Line, e control.Entry) {
		c.routeLine(route.SMTP, control.Line{}, e)
	})
	c.flush()
	c.tlsdest()
	c.flush()
	c.table("domaincerts", func(l control.Line, e control.Entry) {
		cert, err := tlspolicy.ParseCert(e)
		if err != nil {
			c.lineErr(err)
			return
		}
		c.readable(e.Where, "certificate file", cert.CertFile)
		c.readable(e.Where, "key file", cert.KeyFile)
	})
	c.flush()
	c.table("domainips", func(l control.Line, e control.Entry) {
		if f := plan.CheckSource(e); f != nil {
			c.reportErr(f.Text)
		}
	})
	c.flush()
	c.tracedest()
	c.flush()
	fmt.Fprintf(w, "%d errors, %d warnings\n", c.errs, c.warns)
	switch {
	case c.unreadable:
		return 111
	case c.errs > 0:
		return 100
	}
	return 0
}

// reportErr prints a qmail-remote report text whose last line names the
// line (the domainips report) or which is "Syntax error in <line>: ...".
func (c *checker) reportErr(text string) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	last := lines[len(lines)-1]
	last = strings.TrimPrefix(last, "Syntax error in ")
	last = strings.TrimSuffix(last, ". (#4.3.5)")
	where, why, _ := strings.Cut(last, ": ")
	if len(lines) > 1 {
		why = strings.TrimSuffix(strings.TrimSuffix(lines[0], " (#4.3.0)"), " in control/domainips") + ": " + why
	}
	c.err(where, why)
}

// names checks helohost and me (SPEC 4.3).
func (c *checker) names() {
	found := false
	for _, name := range []string{"helohost", "me"} {
		v, ok := c.single(name)
		if !ok {
			continue
		}
		found = true
		where := control.Dir + name + " line 1"
		switch {
		case addr.HasLineBreak(v):
			c.err(where, "a line break inside the name")
		case v == "":
			c.warn(where, "empty: EHLO and HELO go without a name")
		case strings.TrimLeft(v, " \t") != v:
			c.warn(where, "leading white space is kept in the name")
		}
	}
	if !found {
		c.err("control/me", "neither control/helohost nor control/me: qmail-remote defers every message")
	}
}

// single reads a single-value file: its first line, and a warning for
// any other line that is not empty.
func (c *checker) single(name string) (string, bool) {
	v, ok, err := control.ReadLine(name)
	if err != nil {
		c.unreadableFile(name, err)
		return "", false
	}
	if !ok {
		return "", false
	}
	data, _ := os.ReadFile(control.Dir + name)
	for i, l := range strings.Split(string(data), "\n")[1:] {
		if strings.TrimSpace(l) != "" {
			c.warn(fmt.Sprintf("%s%s line %d", control.Dir, name, i+2), "ignored: only the first line is read")
		}
	}
	return v, true
}

func (c *checker) unreadableFile(name string, err error) {
	c.unreadable = true
	c.err(control.Dir+name, "unable to read: "+err.Error()+": qmail-remote defers every message")
}

// timeout checks timeoutconnect or timeoutremote as control.ReadInt
// reads it: the leading digits of the first line.
func (c *checker) timeout(name string) {
	v, ok := c.single(name)
	if !ok {
		return
	}
	where := control.Dir + name + " line 1"
	digits := len(v) - len(strings.TrimLeft(v, "0123456789"))
	def := map[string]int{"timeoutconnect": 60, "timeoutremote": 1200}[name]
	n, _ := control.ReadInt(name, def, plan.MaxTimeout)
	switch {
	case digits == 0:
		c.warn(where, fmt.Sprintf("%q is not a number: the default %d applies", v, def))
	case digits < len(v):
		c.warn(where, fmt.Sprintf("only the leading digits are read: %d", n))
	case n == plan.MaxTimeout && strings.TrimLeft(v, "0") != fmt.Sprint(plan.MaxTimeout):
		c.warn(where, fmt.Sprintf("capped at %d", plan.MaxTimeout))
	}
}

// sessionLimits checks control/sessionmessages and sessionlifetime as
// qmail-remote reads them while a session cache runs (plan.ReadSessionLimits):
// one number each, a syntax error otherwise (SPEC D34). Checked whether
// a cache runs or not: one may start.
func (c *checker) sessionLimits() {
	for _, f := range []struct {
		name    string
		def, hi int
	}{
		{"sessionmessages", plan.DefaultSessionMessages, plan.MaxSessionMessages},
		{"sessionlifetime", plan.DefaultSessionLifetime, plan.MaxSessionLifetime},
	} {
		var se *control.SyntaxError
		_, err := control.ReadNumber(f.name, f.def, 0, f.hi)
		switch {
		case errors.As(err, &se):
			c.lineErr(err)
		case err != nil:
			c.unreadableFile(f.name, err)
		}
	}
}

// table reads a table file line by line: lines without ':' are errors,
// an earlier line of a key that a later line repeats is ignored, and
// each line that counts goes to line.
func (c *checker) table(name string, line func(control.Line, control.Entry)) []control.Line {
	lines, bad, _, err := control.ReadLines(name)
	if err != nil {
		c.unreadableFile(name, err)
		return nil
	}
	last := map[string]control.Line{}
	for _, l := range lines {
		last[control.Lower(l.Key)] = l
	}
	for _, b := range bad {
		c.err(b.Where, b.Why)
	}
	for _, l := range lines {
		if k := last[control.Lower(l.Key)]; k.N != l.N {
			c.warn(l.Where, fmt.Sprintf("ignored: line %d has the same key %q", k.N, k.Key))
			continue
		}
		line(l, control.Entry{Value: l.Value, Where: l.Where})
	}
	return lines
}

func (c *checker) routeLine(proto string, l control.Line, e control.Entry) {
	note, err := route.CheckLine(proto, e, l.Key == "!@")
	switch {
	case err != nil:
		c.lineErr(err)
	case note != "":
		c.warn(e.Where, note)
	}
}

// tlsdest checks control/tlsdestinations: keys no host can match, the
// values as Select parses them, and the CA files they name.
func (c *checker) tlsdest() {
	lines := c.table("tlsdestinations", func(l control.Line, e control.Entry) {
		note, err := tlspolicy.CheckValue(l.Key, e)
		switch {
		case err != nil:
			c.lineErr(err)
			return
		case note != "":
			c.warn(e.Where, note)
		}
		for _, f := range tlspolicy.Files(l.Key, e) {
			c.readable(e.Where, "CA file or folder", f)
		}
	})
	for _, b := range tlspolicy.CheckKeys(lines) {
		c.err(b.Where, b.Why)
	}
}

// readable warns when a file a line names cannot be read by us (a
// delivery runs as another user: it may still work, or fail there).
func (c *checker) readable(where, what, path string) {
	if path == "" {
		return
	}
	if _, err := os.Stat(path); err != nil {
		why := err.Error()
		var pe *os.PathError
		if errors.As(err, &pe) {
			why = pe.Err.Error()
		}
		c.warn(where, fmt.Sprintf("%s %s: %s", what, path, why))
	}
}

// tracedest checks control/tracedestinations as qmail-remote reads it
// (qmail-remote.8, TRANSCRIPTS). Nothing in it ever defers mail: a file
// that cannot be read, or holds a line without ':', means no transcript
// at all, so each finding is a warning that says what is lost.
func (c *checker) tracedest() {
	const name = "tracedestinations"
	lines, bad, _, err := control.ReadLines(name)
	if err != nil {
		c.warn(control.Dir+name, "unable to read: "+err.Error()+": no transcripts (deliveries go on)")
		return
	}
	for _, b := range bad {
		c.warn(b.Where, b.Why+": qmail-remote ignores the whole file (no transcripts)")
	}
	last := map[string]control.Line{}
	for _, l := range lines {
		last[control.Lower(l.Key)] = l
	}
	for _, l := range lines {
		if k := last[control.Lower(l.Key)]; k.N != l.N {
			c.warn(l.Where, fmt.Sprintf("ignored: line %d has the same key %q", k.N, k.Key))
			continue
		}
		if why := traceKey(l.Key); why != "" {
			c.warn(l.Where, why)
			continue
		}
		file := strings.TrimSpace(l.Value)
		if file == "" {
			continue // no transcript for these hosts: an exception to a wider key
		}
		dir := filepath.Dir(file)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			why := "not a folder"
			var pe *os.PathError
			if errors.As(err, &pe) {
				why = pe.Err.Error()
			}
			c.warn(l.Where, fmt.Sprintf("folder %s of %s: %s: no transcript", dir, file, why))
		}
	}
}

// traceKey says why a tracedestinations key matches no host, or "": the
// host (argument 1, and the host after routing) is looked up with one
// trailing dot removed, as a name, then as each .suffix of it, then as
// "*".
func traceKey(k string) string {
	switch {
	case k == "":
		return "an empty key matches no host (* is every host)"
	case strings.ContainsAny(k, " \t"):
		return fmt.Sprintf("white space in the key %q: it matches no host", k)
	case strings.HasSuffix(k, "."):
		return fmt.Sprintf("the key %q ends in '.': it matches no host (a host's trailing dot is removed first)", k)
	case k != "*" && strings.Contains(k, "*"):
		return fmt.Sprintf("'*' stands alone, not in %q: it matches no host (.name is every host under name)", k)
	}
	return ""
}
