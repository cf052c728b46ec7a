package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"strconv"
	"strings"

	"qmail-remote-go/tests/script"
)

// A command is one parsed script line.
type command struct {
	op     string
	n      int    // repeat count, sleep milliseconds
	text   []byte // unescaped TEXT; PATH
	line   int
	tls    *tls.Config    // tls, tls12: the server's settings
	pool   *x509.CertPool // tlsca: the client CAs
	user   string         // scram: the server's user and password
	pass   string
	badSig bool // scram: send a wrong server signature
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
	case "send", "raw", "expect", "plainraw":
		c.text, err = script.Unescape(arg)
	case "repeat", "trickle":
		var count string
		count, arg, _ = strings.Cut(arg, " ")
		if c.n, err = strconv.Atoi(count); err == nil && c.n < 0 {
			err = fmt.Errorf("negative number")
		}
		if err == nil {
			c.text, err = script.Unescape(arg)
		}
	case "sleep":
		if c.n, err = strconv.Atoi(arg); err == nil && c.n < 0 {
			err = fmt.Errorf("negative time")
		}
	case "notify", "clientcert":
		if arg == "" {
			err = fmt.Errorf("%s needs a path", op)
		}
		c.text = []byte(arg)
	case "tls", "tls12":
		c.tls, err = serverConfig(op, arg)
	case "tlsca":
		c.pool, err = loadPool(arg)
	case "scram":
		c.user, c.pass, c.badSig, err = parseScram(arg)
	case "read", "data", "shutdown", "close", "hang", "hold", "flush":
		if hasArg {
			err = fmt.Errorf("%s takes no argument", op)
		}
	default:
		err = fmt.Errorf("unknown command %q", op)
	}
	return c, err
}
