// Package script holds what the scripted test peers (tests/fakepeer,
// tests/fakeqmtp) share: reading their scripts, and the peer they play
// them on.
package script

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Load reads the script file name: one command a line, empty lines and
// lines starting with '#' skipped, a final CR dropped; parse makes a
// command of each, and setLine tells it its line number. Any error
// names the line.
func Load[C any](name string, parse func(string) (C, error), setLine func(*C, int)) ([]C, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("unable to read script: %w", err)
	}
	defer f.Close()
	var cmds []C
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for no := 1; sc.Scan(); no++ {
		l := strings.TrimSuffix(sc.Text(), "\r")
		if l == "" || l[0] == '#' {
			continue
		}
		c, err := parse(l)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", name, no, err)
		}
		setLine(&c, no)
		cmds = append(cmds, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("unable to read script: %w", err)
	}
	return cmds, nil
}

// Unescape turns \r \n \t \0 \\ and \xHH into bytes.
func Unescape(s string) ([]byte, error) {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b = append(b, s[i])
			continue
		}
		if i++; i == len(s) {
			return nil, fmt.Errorf("lone backslash at the end")
		}
		switch s[i] {
		case 'r':
			b = append(b, '\r')
		case 'n':
			b = append(b, '\n')
		case 't':
			b = append(b, '\t')
		case '0':
			b = append(b, 0)
		case '\\':
			b = append(b, '\\')
		case 'x':
			if i+2 >= len(s) {
				return nil, fmt.Errorf("short \\x escape")
			}
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return nil, fmt.Errorf("bad \\x escape %q", s[i+1:i+3])
			}
			b = append(b, byte(v))
			i += 2
		default:
			return nil, fmt.Errorf("unknown escape \\%c", s[i])
		}
	}
	return b, nil
}
