package doc

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The citations the sources use, and where they must resolve:
//
//	SPEC 4.9.2, SPEC section 2, SPEC D9, SPEC A22   doc/behaviour.md
//	D9, A22 (bare)                                   doc/behaviour.md
//	SPEC Appendix B 1-19 and 27-29                   doc/behaviour.md, Appendix B's list
//	UCSPI-TLS 2.4, UCSPI-TLS section 6, 2-5          doc/ucspi-tls.md
//
// A section is a heading whose first word is its number ("### 4.9.2
// Values", "### D9 ..."); an A item is a table row starting "| A7 |"; an
// Appendix B scenario is a line "12. ..." under "## Appendix B".
var (
	specRe     = regexp.MustCompile(`SPEC(?:\s+section)?\s+(\d+(?:\.\d+)*|[DA]\d+)((?:(?:,\s*|\s+and\s+)(?:\d+(?:\.\d+)*|[DA]\d+)\b)*)`)
	specMoreRe = regexp.MustCompile(`\d+(?:\.\d+)*|[DA]\d+`)
	appBRe     = regexp.MustCompile(`Appendix B\s+(\d+(?:-\d+)?(?:(?:,\s*|\s+and\s+)\d+(?:-\d+)?\b(?:[^.\d]|$))*)`)
	rangeRe    = regexp.MustCompile(`(\d+)(?:-(\d+))?`)
	bareRe     = regexp.MustCompile(`\b[DA]\d+\b`)
	ucspiRe    = regexp.MustCompile(`(?i:UCSPI-TLS)(?:\.md)?,?\s+(?:section\s+)?(\d+(?:\.\d+)?)(?:-(\d+))?`)
	headingRe  = regexp.MustCompile(`^#{1,6}\s+(\S+)`)
	aRowRe     = regexp.MustCompile(`^\|\s*(A\d+)\s*\|`)
	scenarioRe = regexp.MustCompile(`^(\d+)\.\s`)
)

// anchors reads a document's numbered headings, A rows and Appendix B
// scenarios ("B12").
func anchors(t *testing.T, name string) map[string]bool {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids := map[string]bool{}
	inB := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if m := headingRe.FindStringSubmatch(line); m != nil {
			ids[m[1]] = true
			inB = strings.HasPrefix(line, "## Appendix B")
			continue
		}
		if m := aRowRe.FindStringSubmatch(line); m != nil {
			ids[m[1]] = true
		}
		if m := scenarioRe.FindStringSubmatch(line); m != nil && inB {
			ids["B"+m[1]] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// cite is one citation: where it is, what it says, what it must find.
type cite struct {
	where, text, id, doc string
}

// expand turns "27-29" into 27, 28, 29.
func expand(s string) []int {
	m := rangeRe.FindStringSubmatch(s)
	a, _ := strconv.Atoi(m[1])
	b := a
	if m[2] != "" {
		b, _ = strconv.Atoi(m[2])
	}
	if b < a || b-a > 100 {
		b = a
	}
	var n []int
	for i := a; i <= b; i++ {
		n = append(n, i)
	}
	return n
}

// bare reports whether a bare D or A number at line[i:j] is a citation,
// not part of an IP address in a report ("D127.0.0.1 failed"), a code
// point (U+D800) or a hex or escape sequence.
func bare(line string, i, j int) bool {
	if j+1 < len(line) && line[j] == '.' && line[j+1] >= '0' && line[j+1] <= '9' {
		return false
	}
	if i >= 2 && (line[i-2:i] == "U+" || line[i-2:i] == "0x") {
		return false
	}
	if i >= 1 && strings.ContainsRune(`\%+#&=`, rune(line[i-1])) {
		return false
	}
	return true
}

// citations finds every citation in one line.
func citations(where, line string) []cite {
	var cs []cite
	beh := "doc/behaviour.md"
	spans := [][]int{}
	for _, m := range specRe.FindAllStringSubmatchIndex(line, -1) {
		spans = append(spans, m[:2])
		for _, id := range append([]string{line[m[2]:m[3]]}, specMoreRe.FindAllString(line[m[4]:m[5]], -1)...) {
			cs = append(cs, cite{where, line[m[0]:m[1]], id, beh})
		}
	}
	for _, m := range appBRe.FindAllStringSubmatchIndex(line, -1) {
		for _, r := range rangeRe.FindAllString(line[m[2]:m[3]], -1) {
			for _, n := range expand(r) {
				cs = append(cs, cite{where, line[m[0]:m[1]], "B" + strconv.Itoa(n), beh})
			}
		}
	}
	for _, m := range bareRe.FindAllStringIndex(line, -1) {
		inside := false
		for _, s := range spans {
			if m[0] >= s[0] && m[1] <= s[1] {
				inside = true
			}
		}
		if !inside && bare(line, m[0], m[1]) {
			cs = append(cs, cite{where, line[m[0]:m[1]], line[m[0]:m[1]], beh})
		}
	}
	for _, m := range ucspiRe.FindAllStringSubmatch(line, -1) {
		ids := []string{m[1]}
		if m[2] != "" {
			ids = nil
			for _, n := range expand(m[1] + "-" + m[2]) {
				ids = append(ids, strconv.Itoa(n))
			}
		}
		for _, id := range ids {
			cs = append(cs, cite{where, m[0], id, "doc/ucspi-tls.md"})
		}
	}
	return cs
}

// sources lists the files whose citations must resolve: Go, shell, man
// pages and Markdown, outside bin/, tests/bin/ and testdata.
func sources(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			switch rel {
			case ".git", "bin", "tests/bin":
				return filepath.SkipDir
			}
			if d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(p) {
		case ".go", ".sh", ".8", ".md":
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestCitations fails for every citation in the code, the tests, the man
// pages and the Markdown files that points at nothing in doc/.
func TestCitations(t *testing.T) {
	root := ".."
	docs := map[string]map[string]bool{
		"doc/behaviour.md": anchors(t, "behaviour.md"),
		"doc/ucspi-tls.md": anchors(t, "ucspi-tls.md"),
	}
	n := 0
	for _, name := range sources(t, root) {
		f, err := os.Open(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for ln := 1; sc.Scan(); ln++ {
			for _, c := range citations(fmt.Sprintf("%s:%d", name, ln), sc.Text()) {
				n++
				if !docs[c.doc][c.id] {
					t.Errorf("%s: %q cites %s, which %s does not have (add it there, or fix the citation)", c.where, c.text, c.id, c.doc)
				}
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if n < 300 {
		t.Errorf("found only %d citations; the patterns no longer match the sources", n)
	}
	t.Logf("%d citations resolved", n)
}

// TestDecisions: every decision the project has taken, D1 to the last,
// has its heading; a gap means one was lost.
func TestDecisions(t *testing.T) {
	ids := anchors(t, "behaviour.md")
	last := 0
	for id := range ids {
		if n, err := strconv.Atoi(strings.TrimPrefix(id, "D")); err == nil && strings.HasPrefix(id, "D") && n > last {
			last = n
		}
	}
	if last < 35 {
		t.Errorf("the last decision is D%d; D1-D35 are binding", last)
	}
	for i := 1; i <= last; i++ {
		if !ids["D"+strconv.Itoa(i)] {
			t.Errorf("behaviour.md has no heading for D%d", i)
		}
	}
}

// TestCitationPatterns: what counts as a citation and what does not.
func TestCitationPatterns(t *testing.T) {
	for _, c := range []struct {
		line string
		want []string
	}{
		{"// SPEC 4.9.2: tolerant", []string{"4.9.2"}},
		{"(SPEC 5.3.)", []string{"5.3"}},
		{"SPEC section 2, without", []string{"2"}},
		{"SPEC 6's example", []string{"6"}},
		{"// SPEC 1.4, A20: the file", []string{"1.4", "A20"}},
		{"(SPEC 3.7, D14, Appendix B 30)", []string{"3.7", "D14", "B30"}},
		{"SPEC D9 says", []string{"D9"}},
		{"Covers SPEC Appendix B 1-3 and 27-28, and", []string{"B1", "B2", "B3", "B27", "B28"}},
		{"see D24 and A22.", []string{"D24", "A22"}},
		{`"r^@D127.0.0.1 failed on DATA command.`, nil},
		{"decode to U+D800 by", nil},
		{"UCSPI-TLS 2.4: wait", []string{"2.4"}},
		{"UCSPI-TLS (doc/ucspi-tls.md, section 6)", []string{"6"}},
		{"UCSPI-TLS 2-5:", []string{"2", "3", "4", "5"}},
		{"UCSPI-TLS, so the same", nil},
		{"the SPEC text says", nil},
	} {
		var got []string
		for _, x := range citations("x", c.line) {
			got = append(got, x.id)
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%q: got %q, want %q", c.line, got, c.want)
		}
	}
}

// TestManPageHeaders: every man page's .TH line is NAME 8 DATE
// "qmail-remote-go", which make stamps into bin/NAME.8 with the date of
// the page's last commit and the version (README, Installing), and every
// page has EXAMPLES (the recipes for running the program by hand).
func TestManPageHeaders(t *testing.T) {
	pages, _ := filepath.Glob("../*/*.8")
	if len(pages) == 0 {
		t.Fatal("no man pages found")
	}
	th := regexp.MustCompile(`^\.TH (\S+) 8 (\d{4}-\d{2}-\d{2}) "qmail-remote-go"$`)
	for _, p := range pages {
		if strings.HasPrefix(p, "../bin/") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(b), "\n")
		m := th.FindStringSubmatch(first)
		name := strings.TrimSuffix(filepath.Base(p), ".8")
		if m == nil || m[1] != name {
			t.Errorf("%s: first line %q, want %q", p, first, ".TH "+name+" 8 YYYY-MM-DD \"qmail-remote-go\"")
		}
		if !strings.Contains(string(b), "\n.SH EXAMPLES\n") {
			t.Errorf("%s: no EXAMPLES section", p)
		}
	}
}
