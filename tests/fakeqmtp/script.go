package main

import (
	"fmt"
	"strconv"
	"strings"

	"qmail-remote-go/tests/script"
)

// A command is one parsed script line.
type command struct {
	op   string
	n    int64  // readn bytes, truncate size, sleep milliseconds
	text []byte // unescaped TEXT, or the truncate path
	line int
}

// load parses the script file; any error names the line.
func load(name string) ([]command, error) {
	return script.Load(name, parse, func(c *command, no int) { c.line = no })
}

func parse(l string) (command, error) {
	op, arg, hasArg := strings.Cut(l, " ")
	c := command{op: op}
	var err error
	switch op {
	case "reply", "raw":
		c.text, err = script.Unescape(arg)
	case "readn", "sleep":
		c.n, err = number(arg)
	case "truncate":
		num, path, _ := strings.Cut(arg, " ")
		if c.n, err = number(num); err == nil && path == "" {
			err = fmt.Errorf("truncate needs a path")
		}
		c.text = []byte(path)
	case "package", "close", "hang":
		if hasArg {
			err = fmt.Errorf("%s takes no argument", op)
		}
	default:
		err = fmt.Errorf("unknown command %q", op)
	}
	return c, err
}

func number(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err == nil && n < 0 {
		err = fmt.Errorf("negative number")
	}
	return n, err
}
